"""builtin:openai against a server that misbehaves on schedule: every row done or cleanly failed.

For each fault kind a 50-row batch job (2 variants each) runs against tests/integration/
fault_server.py. Each distinct request gets the fault on its first attempts (so clean retries
finish it) and three poisoned rows get it on every attempt (so they must fail with a per-row
error). The database must hold every row exactly once, the log no traceback.
"""

from __future__ import annotations

import csv
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from contentgen.storage.database import Database
from tests.integration.fault_server import FAULTS, FaultPlan, FaultServer, served_engine
from tests.integration.job_items import count_items
from tests.reliability_figures import record

ROWS = 50
VARIANTS = 2
POISONED = frozenset({4, 17, 33})
# A short answer is filled up with more requests, so even a poisoned row ends done.
FILLED = frozenset({"few_choices"})
# Not worth retrying: only poisoned rows get it, and they fail at the first answer.
FINAL = frozenset({"bad_request"})
# The server names a wait; the client must wait at least that long.
RETRY_AFTER = frozenset({"rate_limit", "unavailable"})
OPTIONS: dict[str, Any] = {
    "max_retries": 3,
    "backoff_s": 0.05,
    "max_wait_s": 10.0,
    "timeout_s": 10.0,
    "concurrency": 16,
}


@pytest.fixture(scope="module")
def fault_server() -> Iterator[FaultServer]:
    """One fault server for the module; each test sets its own schedule."""
    server = FaultServer().start()
    yield server
    server.stop()


def _plan(kind: str) -> FaultPlan:
    first = 0 if kind in FINAL else 1 if kind == "slow" else 2
    return FaultPlan(kind=kind, first_attempts=first, slow_s=3.0, retry_after_s=1)


def _rows() -> list[dict[str, str]]:
    return [
        {"sku": f"S{i:03d}", "title": f"Product {i}" + (" POISON" if i in POISONED else "")}
        for i in range(ROWS)
    ]


def _stored(db_url: str) -> dict[str, Any]:
    """Job items, requests and outputs as the database holds them."""
    db = Database(db_url)
    with db.read() as s:
        items = s.execute(text("SELECT row_index, status, error, request_id FROM job_items")).all()
        outputs = s.execute(
            text(
                "SELECT request_id, count(*), sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) "
                "FROM outputs GROUP BY request_id"
            )
        ).all()
        requests = s.execute(text("SELECT count(*) FROM requests")).scalar()
        models = s.execute(text("SELECT DISTINCT model_id, model_revision FROM outputs")).all()
    db.dispose()
    return {"items": items, "outputs": outputs, "requests": requests, "models": models}


def _tracebacks(records: list[logging.LogRecord], errors: list[str]) -> int:
    logged = sum(1 for r in records if r.exc_info or "Traceback" in r.getMessage())
    return logged + sum(1 for e in errors if "Traceback" in e)


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_every_row_ends_done_or_failed_once_under_each_fault(
    kind: str, fault_server: FaultServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fault_server.reset(_plan(kind))
    options = {**OPTIONS, **({"timeout_s": 1.0} if kind == "slow" else {})}
    sleeps: list[float] = []

    async def recorded_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    started = time.perf_counter()
    with served_engine(tmp_path / "data", fault_server.url, **options) as engine:
        engine.registry.get("builtin:openai").sleep = recorded_sleep  # type: ignore[attr-defined]
        summary = engine.batch(
            _rows(),
            task="marketing",
            mapping=["name=title"],
            key="sku",
            variants=VARIANTS,
            job_name=f"faults-{kind}",
        ).run()
        db_url = engine.settings.db_url
    wall = time.perf_counter() - started
    stored = _stored(db_url)

    expected_failed = set() if kind in FILLED else set(POISONED)
    items = stored["items"]
    rows_seen = Counter(row_index for row_index, *_ in items)
    failed = {row_index for row_index, status, *_ in items if status == "failed"}
    errors = [error for _, status, error, _ in items if status == "failed"]
    assert len(items) == ROWS and set(rows_seen) == set(range(ROWS))  # nothing lost
    assert set(rows_seen.values()) == {1}  # nothing doubled
    assert failed == expected_failed
    assert all(e.startswith("row ") and "builtin:openai" in e for e in errors), errors
    done_requests = {request_id for _, status, _, request_id in items if status == "done"}
    assert stored["requests"] == len(done_requests) == ROWS - len(expected_failed)
    assert {r for r, _, _ in stored["outputs"]} == done_requests
    assert {(n, ok) for _, n, ok in stored["outputs"]} == {(VARIANTS, VARIANTS)}
    assert stored["models"] == [("fault-model", "fp_fault_1")]
    assert (summary.done, summary.failed) == (ROWS - len(failed), len(failed))
    tracebacks = _tracebacks(caplog.records, errors)
    assert tracebacks == 0
    assert fault_server.stats.faults > 0 and fault_server.stats.requests >= ROWS
    if kind in RETRY_AFTER:
        assert sleeps and min(sleeps) >= 1.0  # Retry-After honoured on every retry
    elif kind in FINAL or kind in FILLED:
        assert sleeps == []  # a refusal is not retried; a short answer is filled, not retried
    else:
        assert len(sleeps) >= ROWS  # every row's first answer was faulted and retried

    record(
        "served_faults.json",
        {
            "fault": FAULTS[kind],
            "rows": ROWS,
            "requests": fault_server.stats.requests,
            "faults": fault_server.stats.faults,
            "retries": len(sleeps),
            "done": summary.done,
            "failed": summary.failed,
            "expected_failed": len(expected_failed),
            "lost": ROWS - len(rows_seen),
            "duplicated": sum(n - 1 for n in rows_seen.values())
            + sum(max(0, n - VARIANTS) for _, n, _ in stored["outputs"]),
            "tracebacks": tracebacks,
            "wall_s": round(wall, 1),
        },
        run=kind,
    )


def test_a_refused_request_fails_only_its_own_row_without_retries(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.reset(FaultPlan(kind="bad_request", first_attempts=0))
    rows = [{"sku": "A", "title": "Good"}, {"sku": "B", "title": "Bad POISON"}]
    with served_engine(tmp_path / "data", fault_server.url, **OPTIONS) as engine:
        results = {
            r.key: r
            for r in engine.batch(
                rows, task="marketing", mapping=["name=title"], key="sku", variants=1
            )
        }
    assert results["A"].status == "done"
    assert results["B"].status == "failed"
    assert results["B"].error is not None and "HTTP 400: injected bad_request" in results["B"].error


# The real `contentgen batch` command in a child process, against the fault server, killed at
# random moments; the server faults every request's first attempt and poisons some rows.
KILL_ROWS = 240
KILL_POISONED = frozenset(range(7, KILL_ROWS, 40))
SCRIPT = """
import sys
from pathlib import Path
from contentgen.cli.batch import batch
from tests.integration.fault_server import served_engine

data, url, source, out, base_url = sys.argv[1:6]
engine = served_engine(Path(data), base_url, database_url=url, batch_size=8, concurrency=8,
                       max_retries=2, backoff_s=0.01, max_wait_s=0.05)
batch.main([source, "--map", "name=title", "--key", "sku", "--variants", "3", "--out", out,
            "--job-name", "killme", "--window", "24"],
           obj={"engine": engine}, prog_name="contentgen batch")
"""


def _done_items(db: Database) -> int:
    return count_items(db, "<> 'pending'")


def test_sigkill_during_a_served_batch_then_rerun_stores_every_row_once(
    fault_server: FaultServer, tmp_path: Path, db_url: str
) -> None:
    fault_server.reset(FaultPlan(kind="server_error", first_attempts=1, delay_s=0.02))
    source = tmp_path / "catalogue.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title"])
        for i in range(KILL_ROWS):
            writer.writerow(
                [f"S{i:04d}", f"Product {i}" + (" POISON" if i in KILL_POISONED else "")]
            )
    script = tmp_path / "run_batch.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "results.csv"
    command = [
        sys.executable,
        str(script),
        str(tmp_path / "data"),
        db_url,
        str(source),
        str(out),
        fault_server.url,
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    db = Database(db_url)
    rng = random.Random(20261206)
    kills, progress = 0, []
    while kills < 4:
        before = _done_items(db)
        log = (tmp_path / f"run{kills}.log").open("w")
        child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while child.poll() is None and _done_items(db) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.3))
        if child.poll() is not None:
            assert child.returncode == 0, (tmp_path / f"run{kills}.log").read_text()
            break
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        progress.append(_done_items(db))
    assert kills >= 3, f"the job finished before it could be killed 3 times (progress {progress})"
    assert progress[-1] < KILL_ROWS

    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr
    assert "Traceback" not in final.stdout + final.stderr

    with db.read() as s:
        items = s.execute(
            text(
                "SELECT count(*), count(DISTINCT row_index), "
                "sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END) FROM job_items"
            )
        ).one()
        failed = {
            r
            for (r,) in s.execute(
                text("SELECT row_index FROM job_items WHERE status = 'failed'")
            ).all()
        }
        per_request = s.execute(
            text(
                "SELECT r.id, count(o.id) FROM requests r "
                "LEFT JOIN outputs o ON o.request_id = r.id GROUP BY r.id"
            )
        ).all()
    db.dispose()
    done = KILL_ROWS - len(KILL_POISONED)
    assert tuple(items) == (KILL_ROWS, KILL_ROWS, done)
    assert failed == set(KILL_POISONED)
    assert len(per_request) == done and {n for _, n in per_request} == {3}

    with out.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    counts = Counter((r["key"], r["variant"]) for r in lines)
    assert set(counts.values()) == {1}
    assert len(lines) == done * 3 + len(KILL_POISONED)
    backend = db_url.split(":", 1)[0].split("+")[0]
    record(
        "served_faults.json",
        {
            "fault": "SIGKILL of the batch process while the server answers 500 first",
            "rows": KILL_ROWS,
            "kills": kills,
            "requests": fault_server.stats.requests,
            "faults": fault_server.stats.faults,
            "done": int(items[2]),
            "failed": len(failed),
            "expected_failed": len(KILL_POISONED),
            "lost": KILL_ROWS - int(items[1]),
            "duplicated": int(items[0]) - int(items[1]),
            "tracebacks": 0,
        },
        run=f"sigkill/{backend}",
    )
