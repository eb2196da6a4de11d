"""Streaming readers for CSV, JSONL and Parquet: one row at a time, bad rows become error rows."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentgen.errors import BatchError

FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
# A single CSV field may be large (a whole article); beyond this the line is reported as broken.
CSV_FIELD_LIMIT = 1_000_000


@dataclass(frozen=True)
class InputRow:
    """One input row: its 0-based position, its values, or why it could not be read."""

    index: int
    values: Mapping[str, Any] | None
    error: str | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        """'row 12 (line 13)': how messages point a user at the row."""
        return f"row {self.index + 1}" + (f" (line {self.line})" if self.line is not None else "")


def detect_format(path: Path, given: str | None = None) -> str:
    """The input format from --format or the file suffix."""
    if given:
        if given not in FORMATS:
            raise BatchError(f"unknown input format {given!r} (valid: {', '.join(FORMATS)})")
        return given
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise BatchError(
            f"cannot tell the format of {path.name} from its suffix "
            f"(valid: {', '.join(sorted(_SUFFIXES))}); pass --format {'|'.join(FORMATS)}"
        )
    return found


class RowSource:
    """A re-iterable, streaming source of InputRows from a file or from an iterable of dicts."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        fmt: str | None = None,
        rows: Iterable[Mapping[str, Any]] | None = None,
    ) -> None:
        if (path is None) == (rows is None):
            raise BatchError("give either an input file or rows, not both")
        self.path = path
        self._rows = rows
        self.format = detect_format(path, fmt) if path is not None else "rows"
        if path is not None and not path.is_file():
            raise BatchError(f"input file {path} does not exist")

    @property
    def name(self) -> str:
        """A short name for the input (the file stem), used as the default job name."""
        return self.path.stem if self.path is not None else "rows"

    def columns(self) -> list[str] | None:
        """The column names, when the format declares them up front (CSV header, Parquet schema)."""
        if self.format == "csv":
            assert self.path is not None
            csv.field_size_limit(min(CSV_FIELD_LIMIT, sys.maxsize))
            with self.path.open(
                "r", encoding="utf-8-sig", errors="surrogateescape", newline=""
            ) as f:
                try:
                    header = next(csv.reader(f, dialect=_dialect(self.path)), None)
                except csv.Error as exc:
                    raise BatchError(
                        f"{self.path.name}: the header line is not valid CSV: {exc}"
                    ) from None
            if header and any(_bad_bytes(h) for h in header):
                raise BatchError(
                    f"{self.path.name}: the header is not UTF-8; save the file as UTF-8"
                )
            return [h.strip() for h in header] if header else []
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(self.path).schema_arrow.names)
        return None

    def count(self) -> int | None:
        """How many rows there are (a fast pass; None for a one-shot iterable of dicts)."""
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(self.path).metadata.num_rows)
        if self.format == "rows":
            return len(self._rows) if isinstance(self._rows, Sequence) else None
        return sum(1 for _ in self)

    def __iter__(self) -> Iterator[InputRow]:
        if self.format == "csv":
            return _read_csv(self.path)  # type: ignore[arg-type]
        if self.format == "jsonl":
            return _read_jsonl(self.path)  # type: ignore[arg-type]
        if self.format == "parquet":
            return _read_parquet(self.path)  # type: ignore[arg-type]
        return _read_dicts(self._rows)  # type: ignore[arg-type]


def _dialect(path: Path) -> type[csv.Dialect]:
    return csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel


def has_bad_bytes(value: str) -> bool:
    """True when a string carries undecodable input bytes (kept as surrogates)."""
    return _bad_bytes(value) is not None


def _bad_bytes(value: str) -> str | None:
    """Describe undecodable bytes kept as surrogates by errors='surrogateescape'."""
    bad = [c for c in value if "\udc80" <= c <= "\udcff"]
    if not bad:
        return None
    return " ".join(f"0x{ord(c) - 0xDC00:02X}" for c in bad[:4])


def _read_csv(path: Path) -> Iterator[InputRow]:
    csv.field_size_limit(min(CSV_FIELD_LIMIT, sys.maxsize))
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, dialect=_dialect(path))
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BatchError(f"{path.name}: the header line is not valid CSV: {exc}") from None
        columns = [h.strip() for h in header]
        if any(_bad_bytes(c) for c in columns):
            raise BatchError(f"{path.name}: the header is not UTF-8; save the file as UTF-8")
        index = 0
        while True:
            start = reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield InputRow(index, None, f"not valid CSV: {exc}", start)
                index += 1
                continue
            if not fields:
                continue  # blank line
            end = reader.line_num
            yield InputRow(index, *_csv_values(columns, fields, start, end), line=start)
            index += 1


def _csv_values(
    columns: list[str], fields: list[str], start: int, end: int
) -> tuple[Any, str | None]:
    if len(fields) != len(columns):
        joined = f" (lines {start}-{end}: an unclosed quote joins lines)" if end > start else ""
        return None, f"has {len(fields)} fields but the header has {len(columns)}{joined}"
    values = dict(zip(columns, fields, strict=True))
    for name, value in values.items():
        bad = _bad_bytes(value)
        if bad:
            # The values stay attached so the row keeps its --key; they are never generated from.
            return (
                values,
                f"column {name!r} is not valid UTF-8 (bytes {bad}); save the file as UTF-8",
            )
    return values, None


def _read_jsonl(path: Path) -> Iterator[InputRow]:
    with path.open("rb") as handle:
        index = 0
        for number, raw in enumerate(handle, start=1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.start + 1].hex().upper()
                yield InputRow(
                    index, None, f"not valid UTF-8 (byte 0x{bad} at column {exc.start + 1})", number
                )
                index += 1
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield InputRow(
                    index, None, f"not valid JSON: {exc.msg} at column {exc.colno}", number
                )
            else:
                if isinstance(value, dict):
                    yield InputRow(index, value, None, number)
                else:
                    yield InputRow(
                        index, None, f"expected a JSON object, got {type(value).__name__}", number
                    )
            index += 1


def _read_parquet(path: Path, batch_rows: int = 1024) -> Iterator[InputRow]:
    import pyarrow.parquet as pq

    index = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
        for record in batch.to_pylist():
            error = None
            for name, value in record.items():
                if isinstance(value, bytes):
                    try:
                        record[name] = value.decode("utf-8")
                    except UnicodeDecodeError:
                        error = f"column {name!r} holds bytes that are not valid UTF-8"
            yield InputRow(index, None if error else record, error)
            index += 1


def _read_dicts(rows: Iterable[Mapping[str, Any]]) -> Iterator[InputRow]:
    for index, value in enumerate(rows):
        if isinstance(value, Mapping):
            yield InputRow(index, value)
        else:
            yield InputRow(
                index,
                None,
                f"expected a mapping of column names to values, got {type(value).__name__}",
            )
