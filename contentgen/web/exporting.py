"""Export downloads for the web app: CSV/JSONL via contentgen.export, XLSX via contentgen.tabular."""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Iterator
from typing import Any

from contentgen.errors import ValidationError
from contentgen.export import COLUMNS, FORMATS, export_rows, write_export
from contentgen.storage.store import Store
from contentgen.tabular import write_xlsx

WEB_FORMATS = (*FORMATS, "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SPOOL_BYTES = 16 * 1024 * 1024
CHUNK = 64 * 1024


def check_format(fmt: str) -> str:
    """The format, or a ValidationError naming the valid ones."""
    if fmt not in WEB_FORMATS:
        raise ValidationError("format", f"unknown export format {fmt!r}", WEB_FORMATS)
    return fmt


def filename(fmt: str, filters: dict[str, Any]) -> str:
    """A safe download name such as contentgen-job-<id>.csv (-approved for approved copy)."""
    label = f"job-{filters['job_id']}" if filters.get("job_id") else "outputs"
    label += "-approved" if filters.get("approved") else ""
    return f"contentgen-{re.sub(r'[^A-Za-z0-9_.-]', '_', label)[:80]}.{fmt}"


def text_export(store: Store, fmt: str, filters: dict[str, Any]) -> Iterator[bytes]:
    """CSV or JSONL bytes in chunks; spooled to disk beyond 16 MiB so any size fits."""
    with tempfile.SpooledTemporaryFile(
        max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline=""
    ) as spool:
        write_export(export_rows(store, **filters), spool, fmt)
        spool.seek(0)
        while part := spool.read(CHUNK):
            yield part.encode("utf-8")


def _cell_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def xlsx_export(store: Store, filters: dict[str, Any]) -> bytes:
    """An XLSX workbook with one row per output; generated text is never stored as a formula."""
    rows = ([_cell_value(row.get(c)) for c in COLUMNS] for row in export_rows(store, **filters))
    buffer = io.BytesIO()
    write_xlsx(buffer, COLUMNS, rows, title="outputs")
    return buffer.getvalue()
