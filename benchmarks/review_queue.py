"""Review queue pages with 50,000 outputs: server time per page (target < 300 ms).

A few hundred marketing requests (3 variants each, six channels, the default checks with the
lexical diversity check) go through the engine; their requests, outputs and verdicts are then
copied in bulk until the store holds `--outputs` outputs, with ratings by three reviewers on a
third of them, approvals and rejections, assignments, rubric scores and edits. The review app
then serves each page `--rounds` times in-process (FastAPI's TestClient: the app's own time, no
network); the first view, medians, 90th percentiles and CPU time are printed with the host,
its load and the database, and written to benchmarks/results/review_queue_<database>.md. CPU
time is the app's plus, on PostgreSQL, the database server processes' (read from /proc on this
host): on a shared machine it is the steadier figure.

    python benchmarks/review_queue.py                      # 50,000 outputs on SQLite
    python benchmarks/review_queue.py --outputs 5000 --rounds 5
    python benchmarks/review_queue.py --database-url postgresql://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
RESULTS = ROOT / "benchmarks" / "results"  # review_queue_<database>.md
TARGET_MS = 300.0
CHANNELS = ("search_ad", "social_post", "sms", "email", "push", "product_description")
MATERIALS = ("recycled mesh", "merino wool", "PFAS-free nylon", "organic cotton", "leather")
RATERS = ("ana", "ben", "chloe")


def seed_requests(count: int) -> list[Any]:
    """`count` marketing requests over six channels, each with a name, SKU, price and material."""
    from contentgen.types import MarketingRequest

    return [
        MarketingRequest(
            product={
                "name": f"Trail Runner {i}",
                "sku": f"TR-{i:05d}",
                "price": f"{49 + i % 150} EUR",
                "material": MATERIALS[i % len(MATERIALS)],
                "color": ("grey", "blue", "red")[i % 3],
            },
            channel=CHANNELS[i % len(CHANNELS)],
            variants=3,
            seed=i,
        )
        for i in range(count)
    ]


def build_store(folder: Path, outputs: int, seed_rows: int, database_url: str | None) -> Any:
    """An engine whose store holds `outputs` outputs with ratings, statuses and assignments."""
    from contentgen.checks.defaults import default_evaluators
    from contentgen.testing import echo_engine

    engine = echo_engine(
        folder / "data",
        database_url=database_url,
        evaluators=default_evaluators(None, embeddings=False),
    )
    started = time.perf_counter()
    engine.generate_many(seed_requests(seed_rows))
    print(
        f"seeded {seed_rows * 3} outputs through the engine in {time.perf_counter() - started:.0f} s"
    )
    started = time.perf_counter()
    from review_queue_data import fill

    fill(engine.store, outputs, RATERS)
    print(f"copied up to {outputs} outputs in {time.perf_counter() - started:.0f} s")
    return engine


def database_cpu(url: str | None) -> Any:
    """A function giving the CPU ms the PostgreSQL server processes of `url` used so far.

    SQLite runs inside this process, so there it is always 0 (the app's CPU time includes it).
    """
    if not url or url.startswith("sqlite"):
        return lambda: 0.0
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    monitor = create_engine(url, poolclass=NullPool)
    backends = text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )

    def used() -> float:
        with monitor.connect() as conn:
            pids = list(conn.execute(backends).scalars())
        total = 0
        for pid in pids:  # schedstat: nanoseconds on a CPU
            try:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue  # a backend that just ended
        return total / 1e6

    return used


def timed_pages(
    client: Any, urls: list[str], rounds: int, db_cpu: Any
) -> dict[str, dict[str, list[float]]]:
    """Per URL: the first request's time ("first"), then wall, app CPU and database CPU ms.

    CPU time is this process's (the app runs in it) and the database server's, so it holds on
    a busy shared host too.
    """
    assert client.get("/jobs").status_code == 200  # imports and the page layout, once
    times = {u: {"first": [], "wall": [], "cpu": [], "db": []} for u in urls}
    for url in urls:
        started = time.perf_counter()
        assert client.get(url).status_code == 200, url
        times[url]["first"].append((time.perf_counter() - started) * 1000)
    for _ in range(rounds):
        for url in urls:
            db = db_cpu()
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times[url]["wall"].append((time.perf_counter() - started) * 1000)
            times[url]["cpu"].append((time.process_time() - cpu) * 1000)
            times[url]["db"].append(db_cpu() - db)
            assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> int:
    """Build the store, time the pages, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=int, default=50_000)
    parser.add_argument("--seed-rows", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from contentgen.hostinfo import host_cpu
    from contentgen.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        engine = build_store(Path(tmp), args.outputs, args.seed_rows, args.database_url)
        total = engine.store.count("outputs")
        client = TestClient(create_app(engine), base_url="http://127.0.0.1")
        csrf = client.get("/api/session").json()["csrf_token"]
        client.post("/api/session", json={"rater": "ana"}, headers={"X-CSRF-Token": csrf})
        pages = {
            "queue, first page": "/",
            "queue at offset 25,000": "/?offset=25000",
            "search 'Runner 17'": "/?q=Runner%2017",
            "search by SKU": "/?q=TR-00042",
            "search 'trail runner' (every output)": "/?q=trail%20runner",
            "approved copy": "/?review=approved",
            "sms, failed checks": "/?task=marketing&channel=sms&flag=any",
            "my queue (assigned)": "/?assigned=ana",
            "compare": "/compare?task=marketing",
            "report with agreement": "/report",
        }
        times = timed_pages(
            client, list(pages.values()), args.rounds, database_cpu(args.database_url)
        )
        database = "SQLite" if engine.store.is_sqlite else "PostgreSQL"
        engine.close()
    host = host_cpu().describe()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"# Review queue server time ({dt.date.today()})",
        "",
        f"Host: {host}; load average {load:.1f} while measuring. Database: {database}, "
        f"{total:,} outputs. In-process (FastAPI TestClient): the app's own time, no network. "
        f"First view, then the median and 90th percentile of {args.rounds} rounds, and the "
        "median CPU time of the app and of the database server (on SQLite the app's includes "
        "it). Target: queue pages < 300 ms.",
        "",
        "| page | URL | first ms | median ms | p90 ms | app CPU ms | DB CPU ms | verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    worst = worst_cpu = 0.0
    for name, url in pages.items():
        ms = sorted(times[url]["wall"])
        median = statistics.median(ms)
        p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
        cpu = statistics.median(times[url]["cpu"])
        db = statistics.median(times[url]["db"]) if database != "SQLite" else None
        queue = url.startswith("/?") or url == "/"
        if queue:
            worst = max(worst, median)
            total_cpu = [a + b for a, b in zip(times[url]["cpu"], times[url]["db"], strict=True)]
            worst_cpu = max(worst_cpu, statistics.median(total_cpu))
        verdict = ("ok" if median < TARGET_MS else "SLOW") if queue else "(no target)"
        first = times[url]["first"][0]
        lines.append(
            f"| {name} | `{url}` | {first:.0f} | {median:.0f} | {p90:.0f} | {cpu:.0f} "
            f"| {'in app' if db is None else f'{db:.0f}'} | {verdict} |"
        )
    lines += [
        "",
        f"Slowest queue page: median {worst:.0f} ms (target {TARGET_MS:.0f} ms); "
        f"most CPU, app and database together: median {worst_cpu:.0f} ms.",
    ]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"review_queue_{database.lower()}.md").write_text(text, encoding="utf-8")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
