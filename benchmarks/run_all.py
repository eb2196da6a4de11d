"""`make bench`: run every benchmark one after another (never in parallel: they share the CPU).

Each script prints its side-by-side table and writes it to benchmarks/results/. Set
BENCH_QUICK=1 for smaller sizes (minutes instead of the better part of an hour). The quality
benchmark alone takes about 40 CPU-minutes per arm at its full size (60 held-out products x 6
channels; measured at 12 products on the Xeon host, 2026-12-06); quick runs 6 products.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = os.environ.get("BENCH_QUICK") == "1"

RUNS: list[list[str]] = [
    ["images.py"],
    [
        "generation.py",
        *("--rows", "16" if QUICK else "64", "--rounds", "1" if QUICK else "2"),
        *("--template-rows", "6" if QUICK else "24"),
    ],
    ["batch.py", "--rows", "8" if QUICK else "16", "--rounds", "1"],
    ["checks.py", "--rows", "16" if QUICK else "48"],
    ["summaries.py", *(["--limit", "10"] if QUICK else [])],
    ["channels.py", "--rows", "4" if QUICK else "12"],
    # Issue 16's quality benchmark: >= 60 held-out products x 6 channels, base vs tuned arm.
    ["quality.py", *(["--quick"] if QUICK else [])],
    ["served.py", "--rows", "8" if QUICK else "24", "--rounds", "1" if QUICK else "3"],
    ["tuning.py", "--rows", "16" if QUICK else "48", "--trl-rows", "4" if QUICK else "8"],
    # Issue 19: review queue pages with 50,000 outputs (target < 300 ms server time).
    ["review_queue.py", *(["--outputs", "10000", "--rounds", "5"] if QUICK else [])],
    # Issue 18: the copying check's lookup against 100k reference documents (target < 5 ms).
    ["copying.py", *(["--docs", "20000", "--rounds", "2"] if QUICK else [])],
    # Issue 18: the cost of recording per-token log-probabilities.
    ["logprobs.py", "--rounds", "1" if QUICK else "3"],
    # Issue 21 item 3/5: this host's backend choice, its job and a long job's memory.
    [
        "backend_choice.py",
        *("--fresh", "--rows", "6" if QUICK else "12"),
        *("--rss-rows", "30" if QUICK else "120", "--every", "30"),
    ],
    # Issue 19: PostgreSQL search with and without the trigram indexes runs on a store that
    # review_queue.py filled: `python benchmarks/review_search.py --database-url ...`.
]


def main() -> int:
    """Run the benchmarks in sequence; the exit status is the first failure's, else 0."""
    status = 0
    for run in RUNS:
        started = time.perf_counter()
        print(f"\n=== benchmarks/{' '.join(run)}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / run[0]), *run[1:]], cwd=HERE.parent)
        print(
            f"=== {run[0]} finished in {time.perf_counter() - started:.0f} s (exit {code})",
            flush=True,
        )
        status = status or code
    print("\n=== feedback simulation (contentgen feedback simulate)", flush=True)
    code = subprocess.call(
        [sys.executable, "-m", "contentgen", "feedback", "simulate"], cwd=HERE.parent
    )
    return status or code


if __name__ == "__main__":
    sys.exit(main())
