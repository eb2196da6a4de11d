"""Catalogue-scale batch jobs: streaming, resumable, exactly-once generation over CSV/JSONL/Parquet.

run = engine.batch("products.csv", task="marketing", mapping={"name": "title"}, variants=3,
                   key="sku", out="results.csv")
for result in run:          # rows arrive as each model batch commits
    ...
print(run.summary())
"""

from __future__ import annotations

from contentgen.batch.api import BACKENDS, BatchRun, BatchSummary, export_job, run_batch
from contentgen.batch.jobs import BatchSpec, JobInfo
from contentgen.batch.mapping import RowMapping
from contentgen.batch.planning import DryRun, dry_run
from contentgen.batch.readers import InputRow, RowSource
from contentgen.storage.jobs import RowOutcome

__all__ = [
    "BACKENDS",
    "BatchRun",
    "BatchSpec",
    "BatchSummary",
    "DryRun",
    "InputRow",
    "JobInfo",
    "RowMapping",
    "RowOutcome",
    "RowSource",
    "dry_run",
    "export_job",
    "run_batch",
]
