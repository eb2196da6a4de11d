"""Two identical `contentgen batch` commands at once: every row is generated exactly once in all.

The database starts empty, so the two processes also create its tables at the same time.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from contentgen.storage.database import Database
from tests.reliability_figures import record

ROWS = 240
# The real click command on the echo generator, which here also logs every product it generates
# (one file per process). Each process's first model batch waits until the other process has
# reached its own first model batch, so the two runs really overlap, however the OS schedules
# their start-up.
SCRIPT = """
import os, sys, time
from pathlib import Path
from contentgen.cli.batch import batch
from contentgen.testing import EchoGenerator, echo_engine

data, url, source, out, logs = sys.argv[1:6]
logs = Path(logs)
original = EchoGenerator.generate

def logged(self, prompts):
    if not (logs / f"ready-{os.getpid()}").exists():
        (logs / f"ready-{os.getpid()}").touch()
        deadline = time.monotonic() + 120
        while len(list(logs.glob("ready-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    with (logs / f"generated-{os.getpid()}.txt").open("a", encoding="utf-8") as handle:
        handle.writelines(p.data["product"]["name"] + "\\n" for p in prompts)
    return original(self, prompts)

EchoGenerator.generate = logged
engine = echo_engine(data, database_url=url,
                     generators={"testing:echo": {"batch_size": 8, "delay_s": 0.01}})
batch.main([source, "--map", "name=title", "--key", "sku", "--variants", "2", "--out", out,
            "--job-name", "twice", "--window", "16"],
           obj={"engine": engine}, prog_name="contentgen batch")
"""


def test_two_identical_runs_at_once_generate_each_row_exactly_once(
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
    logs = tmp_path / "logs"
    logs.mkdir()
    out = tmp_path / "results.csv"  # the same results file, as two identical commands would
    command = [
        sys.executable,
        str(script),
        str(tmp_path / "data"),
        db_url,
        str(source),
        str(out),
        str(logs),
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs

    per_process = [
        Counter(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(logs.glob("generated-*.txt"))
    ]
    assert len(per_process) == 2 and all(per_process), "both runs must have generated rows"
    generated = sum(per_process, Counter())
    backend = db_url.split(":", 1)[0]
    record(
        "batch_concurrent.json",
        {
            "processes": 2,
            "rows": ROWS,
            "generated_twice": sum(1 for n in generated.values() if n > 1),
            "never_generated": ROWS - len(generated),
            "split": sorted(sum(c.values()) for c in per_process),
        },
        run=backend,
    )
    assert set(generated) == {f"Product {i}" for i in range(ROWS)}
    assert set(generated.values()) == {1}, {k: n for k, n in generated.items() if n > 1}
    assert any("by another run at the same time" in text for text in outputs), outputs

    db = Database(db_url)
    try:
        with db.read() as s:
            items = s.execute(
                text(
                    "SELECT count(*), count(DISTINCT row_index), "
                    "sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END) FROM job_items"
                )
            ).one()
            outputs_stored = s.execute(text("SELECT count(*) FROM outputs")).scalar()
            runs_open = s.execute(
                text("SELECT count(*) FROM job_runs WHERE ended_at IS NULL")
            ).scalar()
    finally:
        db.dispose()
    assert tuple(items) == (ROWS, ROWS, ROWS)
    assert outputs_stored == 2 * ROWS and runs_open == 0

    with out.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert Counter((r["key"], r["variant"]) for r in lines) == Counter(
        {(f"S{i:04d}", str(v)): 1 for i in range(ROWS) for v in (1, 2)}
    )
