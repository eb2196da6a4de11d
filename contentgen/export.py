"""Export stored outputs with their ratings to CSV or JSONL (streamed, any size)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from contentgen.errors import ValidationError
from contentgen.tabular import CsvWriter

if TYPE_CHECKING:
    from contentgen.storage.store import Store
    from contentgen.types import Output

FORMATS = ("csv", "jsonl")
COLUMNS = (
    "output_id",
    "request_id",
    "task",
    "status",
    "reason",
    "text",
    "fields",
    "image_path",
    "generator_id",
    "generator_version",
    "model_id",
    "template_id",
    "template_hash",
    "seed",
    "mean_score",
    "ratings",
    "thumbs_up",
    "thumbs_down",
    "final_text",
    "created_at",
)


def export_rows(store: Store, **filters: Any) -> Iterator[dict[str, Any]]:
    """One flat row per output, with a rating summary and the latest edited final text."""
    ratings = defaultdict(list)
    for rating in store.ratings():
        ratings[rating.output_id].append(rating)
    for output in store.iter_outputs(**filters):
        yield _row(output, ratings.get(output.id, []))


def _row(output: Output, ratings: list[Any]) -> dict[str, Any]:
    scores = [r.score for r in ratings if r.score is not None]
    edits = [r.edited_text for r in ratings if r.edited_text]
    p = output.provenance
    return {
        "output_id": output.id,
        "request_id": output.request_id,
        "task": output.task.value,
        "status": output.status,
        "reason": output.reason or "",
        "text": output.text or "",
        "fields": dict(output.fields),
        "image_path": output.image_path or "",
        "generator_id": p.generator_id,
        "generator_version": p.generator_version,
        "model_id": p.model_id or "",
        "template_id": p.template_id or "",
        "template_hash": p.template_hash or "",
        "seed": p.seed,
        "mean_score": round(sum(scores) / len(scores), 3) if scores else None,
        "ratings": len(ratings),
        "thumbs_up": sum(1 for r in ratings if r.thumb is True),
        "thumbs_down": sum(1 for r in ratings if r.thumb is False),
        "final_text": edits[-1] if edits else (output.text or ""),
        "created_at": output.created_at,
    }


def write_export(rows: Iterator[dict[str, Any]], handle: IO[str], fmt: str) -> int:
    """Write rows as CSV (formula-safe, see contentgen.tabular) or JSONL; returns the row count."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"unknown format {fmt!r}", FORMATS)
    count = 0
    if fmt == "csv":
        writer = CsvWriter(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            flat = {**row, "fields": json.dumps(row["fields"], ensure_ascii=False)}
            writer.writerow(flat.get(column) for column in COLUMNS)
            count += 1
    else:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def export_outputs(store: Store, path: Path, fmt: str | None = None, **filters: Any) -> int:
    """Export to `path`; the format defaults to the file's extension."""
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValidationError("format", f"cannot tell the format of {path.name!r}", FORMATS)
    with path.open("w", encoding="utf-8", newline="") as handle:
        return write_export(export_rows(store, **filters), handle, fmt)
