"""Streaming readers for CSV, JSONL and Parquet: one row at a time, bad rows become error rows.

A file that is not in its format at all (binary, compressed, UTF-16, a damaged Parquet footer,
no readable row) is one BatchError naming the file and the problem, raised before any work.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from contentgen.batch import parquet
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
# Integers longer than this stay exact as Decimals: int() refuses more than 4300 digits.
_JSON_INT_DIGITS = 4000
_SNIFF_BYTES = 8192
# C0 control bytes other than tab, newlines, form feed and escape.
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "is gzip-compressed; decompress it first (gunzip)"),
    (b"PK\x03\x04", "is a ZIP archive (an Excel workbook?); save it as CSV"),
    (b"PAR1", "is a Parquet file; name it .parquet or pass --format parquet"),
    (b"\xff\xfe", "is UTF-16 text; save it as UTF-8"),
    (b"\xfe\xff", "is UTF-16 text; save it as UTF-8"),
)


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
        if path is not None and self.format in ("csv", "jsonl"):
            _check_text_file(path, self.format)

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
            assert self.path is not None
            return parquet.columns(self.path)
        return None

    def count(self) -> int | None:
        """How many rows there are (a fast pass; None for a one-shot iterable of dicts)."""
        if self.format == "parquet":
            assert self.path is not None
            return parquet.count(self.path)
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


def _check_text_file(path: Path, fmt: str) -> None:
    """Refuse a binary, compressed or UTF-16/32 file given as CSV or JSONL, naming what it is."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise BatchError(f"{path.name} {what} (valid: UTF-8 {fmt.upper()})")
    # Text has next to no control bytes; UTF-16/32 without a BOM (NULs) and binary files many.
    controls = sum(1 for byte in head if byte in _CONTROL_BYTES)
    if controls > len(head) // 20:
        raise BatchError(
            f"{path.name} is not UTF-8 {fmt.upper()}: it looks binary (NUL and other control "
            "bytes), or is UTF-16 text; save it as UTF-8"
        )


def _dialect(path: Path) -> type[csv.Dialect]:
    return csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel


def has_bad_bytes(value: str) -> bool:
    """True when a string cannot be stored as UTF-8: undecodable bytes or lone surrogates."""
    return _bad_bytes(value) is not None


def _bad_bytes(value: str) -> str | None:
    """Describe undecodable bytes (kept as surrogates by errors='surrogateescape') and any
    other lone surrogate (a JSON escape such as \\ud800), which no UTF-8 file can hold."""
    bad = [c for c in value if "\ud800" <= c <= "\udfff"]
    if not bad:
        return None
    return " ".join(
        f"0x{ord(c) - 0xDC00:02X}" if "\udc80" <= c <= "\udcff" else f"U+{ord(c):04X}"
        for c in bad[:4]
    )


def _unencodable(value: Any) -> str | None:
    """Why a parsed JSON row cannot be stored as UTF-8 (a lone surrogate in a key or value)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            bad = _bad_bytes(item)
            if bad:
                return f"holds text that is not valid Unicode ({bad}); save the file as UTF-8"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


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
                value = json.loads(text, parse_int=_json_int)
            except json.JSONDecodeError as exc:
                yield InputRow(
                    index, None, f"not valid JSON: {exc.msg} at column {exc.colno}", number
                )
            except RecursionError:
                yield InputRow(index, None, "not valid JSON here: nested too deeply", number)
            else:
                if isinstance(value, dict):
                    # The values stay attached so the row keeps its --key.
                    yield InputRow(index, value, _unencodable(value), number)
                else:
                    yield InputRow(
                        index, None, f"expected a JSON object, got {type(value).__name__}", number
                    )
            index += 1


def _json_int(digits: str) -> int | Decimal:
    """A JSON integer; past int()'s digit limit it stays exact as a Decimal (shown as text)."""
    return int(digits) if len(digits) <= _JSON_INT_DIGITS else Decimal(digits)


def _read_parquet(path: Path) -> Iterator[InputRow]:
    # Values stay attached to a row with an error, so a failed row keeps its --key.
    for index, (values, error) in enumerate(parquet.rows(path)):
        yield InputRow(index, values, error)


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
