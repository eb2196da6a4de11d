"""The results file (CSV, JSONL, XLSX): appended to as batches commit, rebuilt from the database.

The database is the source of truth. A run appends each committed model batch to the file
(CSV/JSONL), so results are readable while the job runs; a resumed run first rebuilds the file
from the database (dropping a line half-written by a killed run and adding batches committed
after the last append), and a finished job rewrites it once, atomically, in input order.
XLSX has no append mode, so it is written once from the database at the end (openpyxl write-only).
CSV and XLSX cells follow the project's one formula policy (contentgen.tabular).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from contentgen.errors import BatchError
from contentgen.storage.jobs import RowOutcome
from contentgen.tabular import CsvWriter, write_xlsx
from contentgen.types import Output

OUT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "xlsx")
APPENDABLE = ("csv", "jsonl")


def out_format(path: Path) -> str:
    """The results format from the file suffix."""
    suffix = path.suffix.lower().lstrip(".")
    fmt = {"ndjson": "jsonl"}.get(suffix, suffix)
    if fmt not in OUT_FORMATS:
        raise BatchError(f"cannot write {path.name}: unknown suffix (valid: .csv, .jsonl, .xlsx)")
    return fmt


def columns(field_names: Sequence[str]) -> list[str]:
    """Columns: row, key, variant, status, the channel's fields (or text), error, output id."""
    return ["row", "key", "variant", "status", *(field_names or ["text"]), "error", "output_id"]


def records(outcome: RowOutcome, field_names: Sequence[str]) -> list[list[Any]]:
    """A row's results lines in column order: one per accepted variant, or one for a failure."""
    head = [outcome.row + 1, outcome.key]
    if not outcome.outputs:
        blank = [""] * len(field_names) if field_names else [None]
        return [[*head, None, outcome.status, *blank, outcome.error, None]]
    return [
        [*head, o.index + 1, outcome.status, *_content(o, field_names), None, o.id]
        for o in outcome.outputs
    ]


def _content(output: Output, field_names: Sequence[str]) -> list[Any]:
    if field_names:
        return [output.fields.get(f, "") for f in field_names]
    return [output.text]


class ResultsFile:
    """A job's results file."""

    def __init__(self, path: Path, field_names: Sequence[str]) -> None:
        self.path = path
        self.format = out_format(path)
        self.field_names = list(field_names)
        self.columns = columns(field_names)
        self._handle: IO[str] | None = None
        self._csv: CsvWriter | None = None

    def start(self, existing: Iterable[RowOutcome]) -> None:
        """Write what the database already holds, then keep the file open for appending."""
        if self.format not in APPENDABLE:
            return
        self._write_all(existing)
        self._handle = self.path.open("a", encoding="utf-8", newline="")
        self._csv = CsvWriter(self._handle) if self.format == "csv" else None

    def append(self, outcomes: Iterable[RowOutcome]) -> None:
        """Add committed rows' lines and flush them to the operating system."""
        if self._handle is None:
            return
        for outcome in outcomes:
            self._emit(outcome, self._handle, self._csv)
        self._handle.flush()

    def close(self) -> None:
        """Close the append handle."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def finish(self, rows: Iterable[RowOutcome]) -> None:
        """Rewrite the whole file from the database in input order (atomic replace)."""
        self.close()
        self._write_all(rows)

    def _write_all(self, rows: Iterable[RowOutcome]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One temporary file per process: two runs of a job may share the results file.
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        if self.format == "xlsx":
            rows_out = (line for r in rows for line in records(r, self.field_names))
            write_xlsx(tmp, self.columns, rows_out, title="results")
        else:
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                writer = CsvWriter(handle) if self.format == "csv" else None
                if writer is not None:
                    writer.writerow(self.columns)
                for row in rows:
                    self._emit(row, handle, writer)
        os.replace(tmp, self.path)

    def _emit(self, outcome: RowOutcome, handle: IO[str], writer: CsvWriter | None) -> None:
        for values in records(outcome, self.field_names):
            if writer is not None:
                writer.writerow(values)
            else:
                line = dict(zip(self.columns, values, strict=True))
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
