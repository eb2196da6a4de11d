"""Many processes writing one database at once: nothing lost, no lock errors reach the user.

Each worker is a separate process (multiprocessing "spawn") that builds its own Engine and Store on
the same database, as eight CLI invocations or web workers would. Workers count every exception
instead of dying, so a single "database is locked" anywhere shows up in the figures.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from pathlib import Path
from typing import Any

import pytest

from contentgen.storage.store import Store
from contentgen.testing import echo_engine
from contentgen.types import MarketingRequest
from tests.reliability_figures import record

PROCESSES = 8
RATINGS_PER_PROCESS = 200
START_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 300.0


def _rate(engine: Any, output_id: str, worker: int, i: int) -> None:
    rater = f"rater-{worker}"
    kind = i % 3
    if kind == 0:
        engine.rate(output_id, rater=rater, score=1 + i % 5)
    elif kind == 1:
        engine.rate(output_id, rater=rater, thumb="up" if i % 2 else "down")
    else:
        engine.rate(output_id, rater=rater, comment=f"worker {worker} note {i}")


def _worker(
    role: str,
    worker: int,
    data_dir: str,
    url: str,
    output_ids: list[str],
    count: int,
    start: Any,
    results: Any,
) -> None:
    """One process: build an engine, say ready, wait for the start signal, write `count` times."""
    report: dict[str, Any] = {
        "worker": worker,
        "role": role,
        "writes": 0,
        "errors": 0,
        "messages": [],
    }

    def failed(exc: BaseException) -> None:
        report["errors"] += 1
        if len(report["messages"]) < 5:
            report["messages"].append(f"{type(exc).__name__}: {exc}"[:300])

    engine = None
    try:
        engine = echo_engine(Path(data_dir) / f"worker-{worker}", database_url=url)
        engine.store.count("outputs")  # connect (and check the schema) before the clock starts
    except Exception as exc:
        failed(exc)
    results.put(("ready", worker))
    start.wait(START_TIMEOUT_S)
    began = time.perf_counter()
    if engine is not None:
        for i in range(count):
            try:
                if role == "rate":
                    _rate(engine, output_ids[(worker * 7 + i) % len(output_ids)], worker, i)
                else:
                    engine.generate(
                        MarketingRequest(product={"name": f"Mug {worker}-{i}"}, variants=2, seed=i)
                    )
                report["writes"] += 1
            except Exception as exc:  # counted: any failure a user would see
                failed(exc)
        try:
            engine.close()
        except Exception as exc:
            failed(exc)
    report["seconds"] = round(time.perf_counter() - began, 3)
    results.put(("done", report))


def _run_workers(
    roles: list[tuple[str, int]], data_dir: Path, url: str, output_ids: list[str]
) -> tuple[list[dict[str, Any]], float]:
    """Start one spawned process per (role, count), release them together, collect reports."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=(role, worker, str(data_dir), url, output_ids, count, start, results),
            name=f"writer-{worker}",
        )
        for worker, (role, count) in enumerate(roles)
    ]
    for process in processes:
        process.start()
    reports: list[dict[str, Any]] = []
    try:
        ready = 0
        deadline = time.monotonic() + START_TIMEOUT_S
        while ready < len(processes):
            kind, _ = results.get(timeout=max(1.0, deadline - time.monotonic()))
            ready += kind == "ready"
        began = time.perf_counter()
        start.set()
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while len(reports) < len(processes):
            kind, payload = results.get(timeout=max(1.0, deadline - time.monotonic()))
            if kind == "done":
                reports.append(payload)
        wall = time.perf_counter() - began
    except queue.Empty:
        pytest.fail(f"writers did not finish in time; reports so far: {reports}")
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    return sorted(reports, key=lambda r: r["worker"]), wall


def _seed_outputs(tmp_path: Path, url: str, requests: int = 20) -> list[str]:
    with echo_engine(tmp_path / "seed", database_url=url) as engine:
        results = engine.generate_many(
            [
                MarketingRequest(product={"name": f"Seed mug {i}"}, variants=3, seed=i)
                for i in range(requests)
            ]  # fmt: skip
        )
    ids = [o.id for r in results for o in r.outputs]
    assert len(ids) == requests * 3
    return ids


def _backend(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def _figures(
    reports: list[dict[str, Any]], wall: float, expected: int, stored: int
) -> dict[str, Any]:
    errors = sum(r["errors"] for r in reports)
    return {
        "processes": len(reports),
        "writes": expected,
        "stored": stored,
        "lost": expected - stored,
        "errors": errors,
        "error_messages": sorted({m for r in reports for m in r["messages"]})[:10],
        "wall_s": round(wall, 3),
        "writes_per_s": round(expected / wall, 1) if wall > 0 else None,
        "slowest_worker_s": max(r["seconds"] for r in reports),
    }


@pytest.mark.timeout(600)
def test_eight_processes_rating_at_once_lose_nothing(tmp_path: Path, db_url: str) -> None:
    output_ids = _seed_outputs(tmp_path, db_url)
    roles = [("rate", RATINGS_PER_PROCESS)] * PROCESSES
    reports, wall = _run_workers(roles, tmp_path, db_url, output_ids)
    store = Store(db_url, tmp_path / "artifacts")
    try:
        stored = store.count("ratings")
        per_rater = {r.rater for r in store.ratings()}
    finally:
        store.close()
    expected = PROCESSES * RATINGS_PER_PROCESS
    figures = _figures(reports, wall, expected, stored)
    record("concurrency.json", figures, run=f"{_backend(db_url)}/ratings")
    print(f"\n{_backend(db_url)} ratings: {figures}")
    assert figures["errors"] == 0, figures["error_messages"]
    assert [r["writes"] for r in reports] == [RATINGS_PER_PROCESS] * PROCESSES
    assert stored == expected == 1600
    assert per_rater == {f"rater-{w}" for w in range(PROCESSES)}


@pytest.mark.timeout(600)
def test_generating_and_rating_processes_share_the_database(tmp_path: Path, db_url: str) -> None:
    output_ids = _seed_outputs(tmp_path, db_url)
    generators, per_generator = 4, 40
    raters = PROCESSES - generators
    roles = [("generate", per_generator)] * generators + [("rate", RATINGS_PER_PROCESS)] * raters
    reports, wall = _run_workers(roles, tmp_path, db_url, output_ids)
    store = Store(db_url, tmp_path / "artifacts")
    try:
        requests = store.count("requests")
        outputs = store.count("outputs")
        ratings = store.count("ratings")
        names = {o.request_id for o in store.iter_outputs(task="marketing") if o.status == "ok"}
    finally:
        store.close()
    seeded_requests = len(output_ids) // 3
    expected_requests = generators * per_generator
    expected_ratings = raters * RATINGS_PER_PROCESS
    stored = (requests - seeded_requests) + ratings
    figures = _figures(reports, wall, expected_requests + expected_ratings, stored)
    figures.update(generate_processes=generators, rate_processes=raters,
                   requests_written=expected_requests,
                   ratings_written=expected_ratings)  # fmt: skip
    record("concurrency.json", figures, run=f"{_backend(db_url)}/mixed")
    print(f"\n{_backend(db_url)} mixed: {figures}")
    assert figures["errors"] == 0, figures["error_messages"]
    assert requests == seeded_requests + expected_requests
    assert ratings == expected_ratings
    # Every generated request stored both its variants with it (one transaction per request).
    assert outputs == len(output_ids) + expected_requests * 2
    assert len(names) == seeded_requests + expected_requests
