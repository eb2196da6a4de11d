"""Export stored outputs with their ratings to CSV or JSONL (streamed, any size).

Each row carries the copy's context (product name, SKU, the request's facts) and its review
status; `approved=True` keeps only approved copy (approved, exported or published).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
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
    "review_status",
    "product_name",
    "sku",
    "facts",
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


APPROVED = frozenset({"approved", "exported", "published"})
_PAGE = 500


def _pages(outputs: Iterable[Output]) -> Iterator[list[Output]]:
    page: list[Output] = []
    for output in outputs:
        page.append(output)
        if len(page) == _PAGE:
            yield page
            page = []
    if page:
        yield page


def export_rows(
    store: Store, *, approved: bool = False, shipped: list[str] | None = None, **filters: Any
) -> Iterator[dict[str, Any]]:
    """One flat row per output: context, review status, rating summary and the final text.

    `shipped`, when given, collects the ids of the rows whose review status is 'approved' (what
    `contentgen export --approved --mark-exported` moves on to 'exported').
    """
    from contentgen.review.facts import fact_payload, product_name, product_sku
    from contentgen.storage.reads import job_row_keys, request_payloads
    from contentgen.storage.review import statuses_of

    ratings = defaultdict(list)
    for rating in store.ratings():
        ratings[rating.output_id].append(rating)
    for page in _pages(store.iter_outputs(**filters)):
        statuses = statuses_of(store, [o.id for o in page])
        payloads = request_payloads(store, [o.request_id for o in page])
        keys = job_row_keys(store, [o.request_id for o in page])
        for output in page:
            if approved and statuses[output.id] not in APPROVED:
                continue
            if shipped is not None and statuses[output.id] == "approved":
                shipped.append(output.id)
            payload = payloads.get(output.request_id, {})
            context = {
                "review_status": statuses[output.id],
                "product_name": product_name(payload) or "",
                "sku": product_sku(payload, keys.get(output.request_id)) or "",
                "facts": fact_payload(payload, None),
            }
            yield _row(output, ratings.get(output.id, []), context)


def _row(output: Output, ratings: list[Any], context: dict[str, Any]) -> dict[str, Any]:
    scores = [r.score for r in ratings if r.score is not None]
    edits = [r.edited_text for r in ratings if r.edited_text]
    p = output.provenance
    return {
        "output_id": output.id,
        "request_id": output.request_id,
        "task": output.task.value,
        "status": output.status,
        **context,
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
            flat = {
                **row,
                "fields": json.dumps(row["fields"], ensure_ascii=False),
                "facts": json.dumps(row["facts"], ensure_ascii=False),
            }
            writer.writerow(flat.get(column) for column in COLUMNS)
            count += 1
    else:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def file_format(path: Path, fmt: str | None = None) -> str:
    """The export format: `fmt`, else the file's extension; an error naming the valid ones."""
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValidationError("format", f"cannot tell the format of {path.name!r}", FORMATS)
    return fmt


def export_outputs(
    store: Store,
    path: Path,
    fmt: str | None = None,
    *,
    approved: bool = False,
    shipped: list[str] | None = None,
    **filters: Any,
) -> int:
    """Export to `path`; the format defaults to the file's extension."""
    fmt = file_format(path, fmt)
    rows = export_rows(store, approved=approved, shipped=shipped, **filters)
    with path.open("w", encoding="utf-8", newline="") as handle:
        return write_export(rows, handle, fmt)
