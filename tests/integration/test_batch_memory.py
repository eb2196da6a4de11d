"""Memory stays flat: a 10,000-row job peaks at about the same RSS as a 1,000-row job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Each size runs in a fresh process, so ru_maxrss is that run's own peak.
SCRIPT = """
import csv, resource, sys
from contentgen.testing import echo_engine

rows, folder = int(sys.argv[1]), sys.argv[2]
source = f"{folder}/catalogue.csv"
with open(source, "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    writer.writerow(["sku", "title", "price", "color", "material"])
    for i in range(rows):
        writer.writerow([f"S{i:06d}", f"Product {i} deluxe", f"{i % 300}.99", "grey", "mesh"])
engine = echo_engine(f"{folder}/data")
summary = engine.batch(source, task="marketing", mapping=["name=title"], key="sku", variants=3,
                       out=f"{folder}/results.csv").run()
assert summary.done == rows and summary.outputs == 3 * rows, summary
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_mb(rows: int, folder: Path) -> float:
    folder.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(rows), str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def test_peak_memory_does_not_grow_with_the_catalogue(tmp_path: Path) -> None:
    small = _peak_rss_mb(1_000, tmp_path / "small")
    large = _peak_rss_mb(10_000, tmp_path / "large")
    print(
        f"peak RSS: 1k rows {small:.0f} MB, 10k rows {large:.0f} MB, growth {large - small:+.0f} MB"
    )
    assert large - small < 150, f"peak RSS grew from {small:.0f} MB to {large:.0f} MB"
