"""A slice of renders goes to a worker in one frame, yet every job keeps its own budget and error."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contentgen.errors import ContentgenError
from contentgen.safety.render_pool import RenderFailure, RenderPool
from contentgen.safety.render_process import Worker
from contentgen.safety.sandbox import RenderLimits
from contentgen.templates import TemplateLibrary
from tests.unit.test_sandbox_limits import Crash, Stall

BUDGET_S = 0.5
# The urlize cost model is off so nothing in the sandbox stops a stall early: only the kill does.
LIMITS = RenderLimits(max_seconds=BUDGET_S, max_urlize_work=10**12)


@pytest.fixture
def pool() -> Iterator[RenderPool]:
    """Three warm workers of this test's own: a killed one's replacement starts in the background."""
    with contextlib.closing(RenderPool(max_workers=3)) as own:
        own.warm(3)
        yield own


def _library(folder: Path, pool: RenderPool) -> TemplateLibrary:
    files = {
        "hello": "Hello {{ name }}",
        "stall": "{{ stall.wait() }}",
        "crash": "{{ crash.now() }}",
        "loops": "{% for i in range(n) %}{{ i }}{% endfor %}",
    }
    (folder / "marketing").mkdir(parents=True)
    for name, source in files.items():
        (folder / "marketing" / f"{name}.j2").write_text(source, encoding="utf-8")
    return TemplateLibrary([folder], limits=LIMITS, pool=pool)


class Frames:
    """Counts the frames sent to render workers."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent = 0
        original = Worker.send

        def send(worker: Worker, data: bytes, deadline: float) -> None:
            self.sent += 1
            original(worker, data, deadline)

        monkeypatch.setattr(Worker, "send", send)


def test_sixteen_rows_render_in_one_frame(
    tmp_path: Path, pool: RenderPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = _library(tmp_path, pool)
    frames = Frames(monkeypatch)
    rendered = library.render_many([("marketing/hello", {"name": f"row {i}"}) for i in range(16)])
    assert [r.text for r in rendered if not isinstance(r, Exception)] == [
        f"Hello row {i}" for i in range(16)
    ]
    assert frames.sent == 1  # one round trip for the slice (the library's sources included)


def test_a_bad_row_in_a_slice_is_that_rows_error_and_the_others_render(
    tmp_path: Path, pool: RenderPool
) -> None:
    library = _library(tmp_path, pool)
    requests: list[tuple[str, dict[str, Any]]] = [
        ("marketing/hello", {"name": "Ann"}),
        ("marketing/stall", {"stall": Stall()}),  # stopped by the kill at 1.5x its budget
        ("marketing/hello", {"name": "Bo"}),
        ("marketing/crash", {"crash": Crash()}),  # kills its worker, and the one it is retried in
        ("marketing/loops", {"n": 20_000}),  # over the range cap, refused inside the sandbox
        ("marketing/hello", {"nome": "typo"}),  # a missing variable
        ("marketing/hello", {"name": threading.Lock()}),  # data that cannot reach a worker
        ("marketing/nope", {}),  # an unknown template
        ("marketing/hello", {"name": "Cy"}),
    ]
    found = library.render_many(requests)
    texts = [None if isinstance(r, Exception) else r.text for r in found]
    assert texts == ["Hello Ann", None, "Hello Bo", None, None, None, None, None, "Hello Cy"]
    expected = [
        (1, r"blocked by the sandbox: render took longer than 0.5 s \(stopped at 0.75 s\)"),
        (3, r"blocked by the sandbox: the render process died \(exit code 3\)"),
        (4, "cap (of|is) 10000"),
        (5, "needs name; the request provides nome"),
        (6, "template variables must be plain data"),
        (7, "marketing/nope"),
    ]
    for index, message in expected:
        error = found[index]
        assert isinstance(error, ContentgenError) and re.search(message, str(error)), error


def test_each_stalled_job_of_a_slice_is_stopped_within_twice_its_own_budget(
    tmp_path: Path, pool: RenderPool
) -> None:
    library = _library(tmp_path, pool)
    stalled = ("marketing/stall", {"stall": Stall()})
    started = time.monotonic()
    found = library.render_many([stalled, stalled, ("marketing/hello", {"name": "Di"})])
    elapsed = time.monotonic() - started
    assert [type(r).__name__ for r in found] == ["TemplateError", "TemplateError", "RenderedPrompt"]
    # A bound, not a benchmark: two stalls, each stopped within twice its budget. Had the slice
    # shared one budget, or a job's clock started at the send, the second would fail sooner.
    assert elapsed < 2 * (2 * BUDGET_S), elapsed
    assert elapsed >= 2 * BUDGET_S  # each stall ran its own budget: the clock restarts per job


def test_a_pool_with_no_worker_fails_every_job_of_the_slice_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = RenderPool(max_workers=1)
    library = _library(tmp_path, own)

    def refuse(memory_limit: int | None) -> None:
        raise RenderFailure("unavailable", "no processes here")

    monkeypatch.setattr("contentgen.safety.render_pool.Worker", refuse)
    found = library.render_many([("marketing/hello", {"name": n}) for n in ("A", "B")])
    assert [str(r) for r in found] == ["cannot render templates here: no processes here"] * 2
    own.close()
