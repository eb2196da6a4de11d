"""Row claims between runs of one job: a live run's rows are its own; lapsed or dead ones are not."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import update

from contentgen.batch import runner
from contentgen.batch.api import BatchRun
from contentgen.batch.claims import RunLease, process_gone, this_process
from contentgen.engine import Engine
from contentgen.ids import new_id
from contentgen.storage.commit import commit_results
from contentgen.storage.job_claims import (
    Claim,
    RunOwner,
    claim_items,
    end_run,
    heartbeat,
    start_run,
)
from contentgen.storage.jobs import DONE, FAILED, open_job
from contentgen.storage.store import Store
from contentgen.storage.tables import JobRunRow
from contentgen.types import JobItem, JobRun, Result, Task

ROWS = [JobItem(f"key{i:02d}", i, f"S{i}") for i in range(6)]
ELSEWHERE = RunOwner("another-host/1", 4242)


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store on a migrated, empty database."""
    opened = Store(db_url, tmp_path / "artifacts")
    yield opened
    opened.close()


@pytest.fixture
def job_id(store: Store) -> str:
    """A fresh job's id."""
    job, _ = open_job(store, name="claims", task="marketing", config={}, total_rows=len(ROWS))
    return job.id


def _claim(
    store: Store, job_id: str, run_id: str, *, retry_failed: bool = False
) -> tuple[set[str], set[str], dict[str, str]]:
    """(claimed, held by another run, finished) for every row of ROWS."""
    claim = claim_items(
        store, job_id, run_id, ROWS, retry_failed=retry_failed, lease_s=60.0, is_dead=process_gone
    )
    return set(claim.claimed), set(claim.held), dict(claim.finished)


def _finish(
    store: Store, job_id: str, run_id: str | None, rows: Sequence[JobItem], status: str
) -> None:
    """Commit these rows as a run would: done (with an empty request) or failed with an error."""
    notes = ("broken",) if status == FAILED else ()
    results = [
        Result(request_id=new_id(), task=Task.MARKETING, outputs=(), notes=notes, item=r)
        for r in rows
    ]
    job = JobRun(job_id, run_id, Task.MARKETING)
    commit_results(store, results, payloads={}, job=job)


def test_rows_a_live_run_claimed_are_held_then_reported_finished(store: Store, job_id: str) -> None:
    first = start_run(store, job_id, this_process())
    second = start_run(store, job_id, this_process())
    assert _claim(store, job_id, first)[0] == {r.key for r in ROWS}
    assert _claim(store, job_id, second) == (set(), {r.key for r in ROWS}, {})
    _finish(store, job_id, first, ROWS[:2], DONE)
    claimed, held, finished = _claim(store, job_id, second)
    assert not claimed and finished == {"key00": DONE, "key01": DONE} and len(held) == 4


def test_an_ended_run_hands_its_unfinished_rows_to_the_next(store: Store, job_id: str) -> None:
    first = start_run(store, job_id, this_process())
    _claim(store, job_id, first)
    _finish(store, job_id, first, ROWS[:1], DONE)
    end_run(store, first)
    second = start_run(store, job_id, this_process())
    claimed, held, finished = _claim(store, job_id, second)
    assert claimed == {r.key for r in ROWS[1:]} and not held and finished == {"key00": DONE}


def test_a_run_on_another_host_keeps_its_rows_until_its_lease_lapses(
    store: Store, job_id: str
) -> None:
    remote = start_run(store, job_id, ELSEWHERE)
    _claim(store, job_id, remote)
    local = start_run(store, job_id, this_process())
    assert _claim(store, job_id, local)[1] == {r.key for r in ROWS}  # pid 4242 there is not ours
    store.db.write(
        lambda s: s.execute(
            update(JobRunRow).where(JobRunRow.id == remote).values(heartbeat_at=0.0)
        )
    )
    assert _claim(store, job_id, local)[0] == {r.key for r in ROWS}


def test_a_killed_process_on_this_host_loses_its_rows_at_once(store: Store, job_id: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        owner = RunOwner(this_process().host, child.pid, None)
        killed = start_run(store, job_id, owner)
        _claim(store, job_id, killed)
        mine = start_run(store, job_id, this_process())
        assert _claim(store, job_id, mine)[1] == {r.key for r in ROWS}
    finally:
        child.kill()
        child.wait()
    assert _claim(store, job_id, mine)[0] == {r.key for r in ROWS}


def test_a_reused_process_id_is_not_mistaken_for_the_run() -> None:
    me = this_process()
    assert not process_gone(me)
    assert process_gone(RunOwner(me.host, os.getpid(), "1")) == (me.pid_started is not None)
    assert not process_gone(RunOwner("another-host/1", os.getpid(), "1"))


def test_retry_failed_leaves_rows_that_failed_in_a_live_run_alone(
    store: Store, job_id: str
) -> None:
    first = start_run(store, job_id, this_process())
    _claim(store, job_id, first)
    _finish(store, job_id, first, ROWS, FAILED)
    end_run(store, first)
    retry = start_run(store, job_id, this_process())
    claimed, _, _ = _claim(store, job_id, retry, retry_failed=True)
    assert claimed == {r.key for r in ROWS}
    _finish(store, job_id, retry, ROWS, FAILED)  # failed again, in a run still going
    other = start_run(store, job_id, this_process())
    assert _claim(store, job_id, other, retry_failed=True)[2] == {r.key: FAILED for r in ROWS}
    assert _claim(store, job_id, retry, retry_failed=True)[0] == set()  # nor twice in one run
    end_run(store, retry)
    assert _claim(store, job_id, other, retry_failed=True)[0] == {r.key for r in ROWS}


def test_a_lease_renews_in_the_background_and_ends_with_close(store: Store, job_id: str) -> None:
    lease = RunLease(store, job_id, lease_s=60.0, heartbeat_s=0.01)
    try:
        assert set(lease.claim(ROWS).claimed) == {r.key for r in ROWS}
        deadline = time.monotonic() + 30  # a bound for a broken thread, not a speed check
        while _run(store, lease.run_id).heartbeat_at <= _run(store, lease.run_id).started_at:
            assert time.monotonic() < deadline, "the lease was never renewed"
            time.sleep(0.01)
    finally:
        lease.close()
    assert _run(store, lease.run_id).ended_at is not None
    after = start_run(store, job_id, ELSEWHERE)
    assert set(claim_items(store, job_id, after, ROWS, lease_s=60.0).claimed) == {
        r.key for r in ROWS
    }


def test_a_heartbeat_revives_a_run_given_up_for_dead(store: Store, job_id: str) -> None:
    run = start_run(store, job_id, ELSEWHERE)
    end_run(store, run)
    heartbeat(store, run)
    assert _run(store, run).ended_at is None


def _run(store: Store, run_id: str) -> JobRunRow:
    with store.db.read() as s:
        found = s.get(JobRunRow, run_id)
        assert found is not None
        return found


def _catalogue(path: Path, rows: int) -> Path:
    path.write_text(
        "sku,title\n" + "".join(f"S{i},Product {i}\n" for i in range(rows)), encoding="utf-8"
    )
    return path


def _held_by_child(engine: Engine, run: BatchRun, rows: range) -> subprocess.Popen[bytes]:
    """A live process on this host (as far as claims can tell) holding these rows of the job."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    owner = RunOwner(this_process().host, child.pid, None)
    other = start_run(engine.store, run.plan.job.id, owner)
    keys = [JobItem(run.plan.key(f"S{i}"), i, f"S{i}") for i in rows]
    claim_items(engine.store, run.plan.job.id, other, keys, lease_s=60.0)
    return child


def _before_each_wait(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> list[int]:
    """Run `action` each time a run looks again at rows another run holds; count the looks."""
    looks: list[int] = []
    claim = RunLease.claim

    def looking(self: RunLease, items: Sequence[JobItem], *, insert: bool = True) -> Claim:
        if not insert:  # only the wait for held rows claims rows known to exist
            looks.append(len(items))
            action()
        return claim(self, items, insert=insert)

    monkeypatch.setattr(runner, "WAIT_POLL_S", 0.0)
    monkeypatch.setattr(RunLease, "claim", looking)
    return looks


def test_a_run_waits_for_rows_another_run_holds_and_takes_over_when_it_dies(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _catalogue(tmp_path / "in.csv", 10)
    run = engine.batch(source, task="marketing", mapping=["name=title"], key="sku", variants=1)
    child = _held_by_child(engine, run, range(4))

    def other_run_dies() -> None:
        child.kill()
        child.wait()

    looks = _before_each_wait(monkeypatch, other_run_dies)
    try:
        generated = [r.key for r in run]
    finally:
        other_run_dies()
    assert generated[:6] == [f"S{i}" for i in range(4, 10)]  # its own rows first
    assert sorted(generated[6:]) == ["S0", "S1", "S2", "S3"] and looks == [4]
    summary = run.summary()
    assert (summary.done, summary.pending, summary.by_other_runs) == (10, 0, 0)


def test_rows_another_run_finishes_are_reported_not_generated(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _catalogue(tmp_path / "in.csv", 10)
    run = engine.batch(source, task="marketing", mapping=["name=title"], key="sku", variants=1)
    child = _held_by_child(engine, run, range(4))

    def other_run_finishes_two() -> None:
        done = len(looks) * 2  # two rows more each time this run looks
        rows = [JobItem(run.plan.key(f"S{i}"), i, f"S{i}") for i in range(done - 2, done)]
        _finish(engine.store, run.plan.job.id, None, rows, FAILED)

    looks = _before_each_wait(monkeypatch, other_run_finishes_two)
    try:
        generated = [r.key for r in run]
    finally:
        child.kill()
        child.wait()
    assert generated == [f"S{i}" for i in range(4, 10)] and looks == [4, 2]
    summary = run.summary()
    assert (summary.done, summary.by_other_runs, summary.pending) == (6, 4, 0)
