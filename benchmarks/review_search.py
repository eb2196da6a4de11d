"""Queue search on PostgreSQL before and after the trigram indexes, side by side, same results.

"before" is the inline search form with migration 0006's indexes dropped (the queue as it was);
"after" is the queue as shipped: the indexes, and the form `contentgen.storage.search` picks.
Rounds alternate the two (indexes dropped and made again each round) so both see the same load;
each runs `reads.queue_page` (one page of ids and the total, what a queue page asks the
database) and must return the same page. Printed: median wall ms, the app's CPU ms and the
database server's CPU ms (read from /proc on this host), and the ratio of total CPU.

It drops and makes indexes: point it at a benchmark database filled by review_queue.py, e.g.

    python benchmarks/review_queue.py --database-url postgresql://postgres@127.0.0.1/bench
    python benchmarks/review_search.py --database-url postgresql://postgres@127.0.0.1/bench
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
RESULT = ROOT / "benchmarks" / "results" / "review_search_postgresql.md"
QUERIES = ("Runner 17", "TR-00042", "merino", "Enjoy", "Runner 1", "trail runner")


def index_definitions(url: str) -> list[str]:
    """The CREATE INDEX statements of migration 0006's indexes, as the database has them."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from contentgen.storage.migrate import SEARCH_INDEXES

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        query = text("SELECT indexdef FROM pg_indexes WHERE indexname = ANY(:names)")
        found = list(conn.execute(query, {"names": sorted(SEARCH_INDEXES)}).scalars())
    engine.dispose()
    if len(found) != len(SEARCH_INDEXES):
        raise SystemExit(f"{url.split('@')[-1]} lacks the trigram indexes (pg_trgm missing?)")
    return found


def set_indexes(url: str, definitions: list[str], present: bool) -> None:
    """Make (from `definitions`) or drop migration 0006's trigram indexes."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from contentgen.storage.migrate import SEARCH_INDEXES

    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in definitions if present else []:
            conn.exec_driver_sql(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
        for name in [] if present else sorted(SEARCH_INDEXES):
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        conn.exec_driver_sql("ANALYZE outputs")
        conn.exec_driver_sql("ANALYZE requests")
    engine.dispose()


def measure(store: Any, query: str, db_cpu: Any) -> tuple[Any, tuple[float, float, float]]:
    """One queue page for `query`: the page, and wall, app CPU and database CPU ms."""
    from contentgen.storage import reads

    db = db_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    page = reads.queue_page(store, reads.QueueFilters(q=query), limit=50, offset=0)
    wall, app = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    return page, (wall, app, db_cpu() - db)


def run(
    url: str, rounds: int
) -> tuple[dict[tuple[str, str], list[tuple[float, float, float]]], dict[str, int]]:
    """Alternate before/after rounds; every query's page must be the same both ways.

    Returns the times per (query, "before"/"after") and each query's number of matches.
    """
    from review_queue import database_cpu

    from contentgen.storage import search
    from contentgen.storage.store import Store

    chosen = search.indexed_form
    db_cpu = database_cpu(url)
    definitions = index_definitions(url)
    times: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    pages: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(url, Path(tmp))
        try:
            for _ in range(rounds):
                for label in ("before", "after"):
                    set_indexes(url, definitions, label == "after")
                    form = chosen if label == "after" else (lambda session, query: False)
                    search.indexed_form = form  # type: ignore[assignment]
                    for query in QUERIES:
                        page, spent = measure(store, query, db_cpu)
                        assert pages.setdefault(query, page) == page, (query, label)
                        times.setdefault((query, label), []).append(spent)
        finally:
            search.indexed_form = chosen  # type: ignore[assignment]
            set_indexes(url, definitions, True)
            store.db.dispose()
    return times, {query: int(page[1]) for query, page in pages.items()}


def main() -> int:
    """Time both ways, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a filled PostgreSQL database")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("the trigram indexes are PostgreSQL's: give a postgresql:// URL")
    from contentgen.hostinfo import host_cpu

    times, matches = run(args.database_url, args.rounds)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"# Review queue search on PostgreSQL, before and after the trigram indexes "
        f"({dt.date.today()})",
        "",
        f"Host: {host_cpu().describe()}; load average {load:.1f} while measuring (shared). "
        f"`reads.queue_page` for one page of 50 and the total; median of {args.rounds} "
        "alternating rounds; CPU = the app's + the database server's. Same page both ways.",
        "",
        "| search | matches | before: wall ms | CPU ms (app + DB) | after: wall ms "
        "| CPU ms (app + DB) | CPU after/before |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for query in QUERIES:
        cells = []
        cpu = {}
        for label in ("before", "after"):
            spent = times[(query, label)]
            wall = statistics.median(t[0] for t in spent)
            app = statistics.median(t[1] for t in spent)
            db = statistics.median(t[2] for t in spent)
            cpu[label] = app + db
            cells += [f"{wall:.0f}", f"{app + db:.0f} ({app:.0f} + {db:.0f})"]
        ratio = cpu["after"] / cpu["before"] if cpu["before"] else float("nan")
        lines.append(f"| `{query}` | {matches[query]:,} | {' | '.join(cells)} | {ratio:.2f} |")
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    RESULT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
