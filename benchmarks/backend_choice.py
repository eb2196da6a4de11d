"""builtin:auto on this host: the probe its first batch runs, the job after it, and its memory.

    python benchmarks/backend_choice.py --fresh                 # measure (again) and run the demo job
    python benchmarks/backend_choice.py --rss-rows 1000         # also a long job's peak RSS curve

Part 1 runs the demo's catalogue job (marketing/search_ad, 3 variants, checks and repairs) with
`generator = "builtin:auto"`: with no choice cached for this host (`--fresh` deletes it), the first
model batch measures the backends, and the table shows each backend's CPU-seconds on the probe,
its worst greedy gap to builtin:transformers and the choice. Part 2 (`--rss-rows N`) runs an
N-row job of seeded faker products on the chosen backend and samples the process's resident
memory every `--every` rows, so a longer job's peak can be extrapolated from the curve.
Run it once as is and once with the ISA capped to AVX2 (`make test-avx2`'s variables).
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def rss_mb() -> float:
    """This process's resident memory now (Linux /proc; else the peak so far)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def engine(folder: Path, measure: bool) -> Any:
    """An engine on a private database whose builtin:auto may (or may not) measure."""
    from contentgen.config import Settings
    from contentgen.engine import Engine
    from contentgen.plugins import load_plugins

    settings = Settings(data_dir=folder, generators={"builtin:auto": {"measure": measure}})
    return Engine(settings, load_plugins(settings.blocked_plugins))


def job(eng: Any, source: Path, name: str, out: Path) -> dict[str, float]:
    """One catalogue job through builtin:auto; its wall and CPU seconds and rows."""
    wall, cpu = time.perf_counter(), time.process_time()
    summary = eng.batch(
        source,
        task="marketing",
        channel="search_ad",
        variants=3,
        key="sku",
        generator="builtin:auto",
        job_name=name,
        out=out,
    ).run()
    return {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "rows": summary.done + summary.failed,
        "done": summary.done,
    }


def faker_catalogue(rows: int, path: Path) -> Path:
    """`rows` seeded faker-commerce products in examples/products.csv's columns."""
    from generation import product_rows

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "category", "price_eur", "material"])
        for i, row in enumerate(product_rows(rows, seed=99)):
            writer.writerow(
                [f"SKU-{i:05d}", row["name"], row["category"], row["price"], row["material"]]
            )
    return path


def rss_curve(eng: Any, rows: int, every: int, folder: Path) -> list[tuple[int, float, float]]:
    """(rows done, RSS MB, CPU s) every `every` rows of an `rows`-row job, chunk by chunk."""
    source = faker_catalogue(rows, folder / "long.csv")
    with source.open(encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    curve, done, started = [(0, rss_mb(), 0.0)], 0, time.process_time()
    for start in range(1, len(lines), every):
        chunk = folder / f"chunk-{start}.csv"
        chunk.write_text("\n".join([lines[0], *lines[start : start + every]]) + "\n", "utf-8")
        done += job(eng, chunk, f"long-{start}", folder / f"long-{start}.out.csv")["rows"]
        curve.append((done, rss_mb(), time.process_time() - started))
        print(
            f"  {done:6d} rows  RSS {curve[-1][1]:7.1f} MB  {curve[-1][2]:8.1f} CPU-s", flush=True
        )
    return curve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=12, help="demo products (at most 24)")
    parser.add_argument("--fresh", action="store_true", help="forget this host's cached choice")
    parser.add_argument("--rss-rows", type=int, default=0, help="rows of the long job (0: none)")
    parser.add_argument("--every", type=int, default=100, help="rows between RSS samples")
    parser.add_argument(
        "--long-only", action="store_true", help="only the long job (cached choice)"
    )
    args = parser.parse_args(argv)
    from template_job import catalogue

    from contentgen.hostinfo import host_cpu

    print(f"host: {host_cpu().describe()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.long_only:
            eng = engine(folder / "db2", measure=False)
            curve = rss_curve(eng, args.rss_rows, args.every, folder)
            print(f"long job: peak RSS {peak_mb():.0f} MB; curve (rows, MB, CPU-s): {curve}")
            return
        eng = engine(folder / "db", measure=True)
        auto = eng.registry.get("builtin:auto")
        auto.load()
        if args.fresh and auto._choice is not None:
            from contentgen.generators.backend_choice import choice_path

            choice_path(auto._cache_dir(), auto._choice.key).unlink()
            auto.close()
        first = job(eng, catalogue(args.rows, folder), "demo", folder / "demo.csv")
        print("\n".join(auto.choice_lines()))
        print(f"first job ({args.rows} products, probe included): {first}", flush=True)
        again = job(eng, catalogue(args.rows, folder), "demo-2", folder / "demo-2.csv")
        print(f"same job again on the chosen backend: {again}; peak RSS {peak_mb():.0f} MB")
        if args.rss_rows:
            eng.close()
            eng = engine(folder / "db2", measure=False)
            curve = rss_curve(eng, args.rss_rows, args.every, folder)
            print(f"long job: peak RSS {peak_mb():.0f} MB; curve (rows, MB, CPU-s): {curve}")
        eng.close()


if __name__ == "__main__":
    main()
