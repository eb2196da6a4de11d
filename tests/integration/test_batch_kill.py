"""SIGKILL `contentgen batch` at random moments; the rerun finishes with every row exactly once."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from contentgen.storage.database import Database
from tests.integration.job_items import count_items

ROWS = 300
# The real click command, on an engine whose echo generator takes a little time per model batch
# (like a model would), so kills land mid-job: between batches, inside generation, inside commits.
SCRIPT = """
import sys
from contentgen.cli.batch import batch
from contentgen.testing import echo_engine

data, url, source, out = sys.argv[1:5]
engine = echo_engine(data, database_url=url,
                     generators={"testing:echo": {"batch_size": 8, "delay_s": 0.03}})
batch.main([source, "--map", "name=title", "--key", "sku", "--variants", "3", "--out", out,
            "--job-name", "killme", "--window", "24"],
           obj={"engine": engine}, prog_name="contentgen batch")
"""


def _done_items(db: Database) -> int:
    return count_items(db, "= 'done'")


def test_sigkill_at_random_points_then_rerun_gives_every_row_exactly_once(
    tmp_path: Path, db_url: str
) -> None:
    source = tmp_path / "catalogue.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "price"])
        for i in range(ROWS):
            writer.writerow([f"S{i:04d}", f"Product {i}", f"{i}.99"])
    script = tmp_path / "run_batch.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "results.csv"
    command = [sys.executable, str(script), str(tmp_path / "data"), db_url, str(source), str(out)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    db = Database(db_url)
    rng = random.Random(20240611)
    kills, progress = 0, []
    for _ in range(8):
        before = _done_items(db)
        log = (tmp_path / f"run{kills}.log").open("w")
        child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while child.poll() is None and _done_items(db) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.3))
        if child.poll() is not None:
            break
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        progress.append(_done_items(db))
        if kills == 4:
            break
    assert kills >= 3, f"the job finished before it could be killed 3 times (progress {progress})"
    assert progress[-1] < ROWS

    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr
    assert "were done before" in final.stdout

    with db.read() as s:
        items = s.execute(
            text(
                "SELECT count(*), count(DISTINCT row_index), "
                "sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END) "
                "FROM job_items"
            )
        ).one()
        per_request = s.execute(
            text(
                "SELECT r.id, count(o.id) FROM requests r "
                "LEFT JOIN outputs o ON o.request_id = r.id "
                "GROUP BY r.id"
            )
        ).all()
        linked = s.execute(
            text("SELECT count(*) FROM job_items i JOIN requests r ON r.id = i.request_id")
        ).scalar()
    db.dispose()
    assert tuple(items) == (ROWS, ROWS, ROWS)
    assert len(per_request) == ROWS and {n for _, n in per_request} == {3} and linked == ROWS

    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counts = Counter((r["key"], r["variant"]) for r in rows)
    assert len(rows) == ROWS * 3 and set(counts.values()) == {1}
    assert {k for k, _ in counts} == {f"S{i:04d}" for i in range(ROWS)}
