"""The render worker pool: workers that die or forget a library are replaced without a failure."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contentgen.safety.cpu_clock import JobClock
from contentgen.safety.render_pool import RenderPool
from contentgen.safety.render_process import Worker
from contentgen.templates import TemplateLibrary


class WhereAmI:
    """Request data that tells which process renders it."""

    def pid(self) -> int:
        """The id of the process this runs in."""
        return os.getpid()


@pytest.fixture
def pool() -> Iterator[RenderPool]:
    """A pool of one worker, so every render goes to the same process while it lives."""
    own = RenderPool(max_workers=1)
    yield own
    own.close()


def _library(folder: Path, source: str, pool: RenderPool) -> TemplateLibrary:
    (folder / "marketing").mkdir(parents=True)
    (folder / "marketing" / "t.j2").write_text(source, encoding="utf-8")
    return TemplateLibrary([folder], pool=pool)


def test_renders_run_outside_this_process_and_survive_a_killed_worker(
    tmp_path: Path, pool: RenderPool
) -> None:
    library = _library(tmp_path, "{{ me.pid() }}", pool)
    first = int(library.render("marketing/t", {"me": WhereAmI()}).text)
    assert first != os.getpid()
    os.kill(first, signal.SIGKILL)  # e.g. the kernel's OOM killer, while the worker is idle
    second = int(library.render("marketing/t", {"me": WhereAmI()}).text)
    assert second not in (first, os.getpid())


def test_a_worker_that_dropped_a_library_is_sent_it_again(tmp_path: Path, pool: RenderPool) -> None:
    # A worker keeps the 32 libraries it used last; older ones are re-sent on their next render.
    libraries = [_library(tmp_path / str(i), f"library {i}", pool) for i in range(34)]
    for index in [*range(34), 0]:
        assert libraries[index].render("marketing/t", {}).text == f"library {index}"


def test_a_worker_starved_of_cpu_gets_more_wall_time_but_one_that_burnt_its_budget_none() -> None:
    worker = Worker(memory_limit=None)
    try:
        used = worker.cpu_seconds()
        assert used is not None  # Linux reports a child's CPU time in /proc
        far = time.monotonic() + 100
        worker.job = JobClock(cpu_start=used, cpu_limit=3.0, wall_cap=far)
        assert 2.5 < worker._starved_grace() <= 3.0  # idle while waiting: its CPU budget is left
        worker.job = JobClock(cpu_start=used - 5.0, cpu_limit=3.0, wall_cap=far)
        assert worker._starved_grace() == 0.0  # it has used more CPU than the budget allows
        worker.job = JobClock(cpu_start=used, cpu_limit=3.0, wall_cap=time.monotonic() - 1)
        assert worker._starved_grace() == 0.0  # past the wall cap, whatever its CPU
    finally:
        worker.kill()
