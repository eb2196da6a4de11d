"""Parquet input: a file pyarrow cannot read is one BatchError; a value it cannot convert, a row error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import BatchError

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

BATCH_ROWS = 1024
# The largest batch decoded when a file is checked: pages are decoded, no Python objects built.
CHECK_ROWS = 65_536


def _errors() -> tuple[type[BaseException], ...]:
    """What pyarrow raises on a damaged file: its own errors, OSError (thrift), ValueError."""
    import pyarrow as pa

    return (pa.ArrowException, OSError, ValueError, EOFError, OverflowError)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _damaged(path: Path, exc: BaseException, where: str = "") -> BatchError:
    return BatchError(
        f"{path.name} is not a readable Parquet file{where}: {_reason(exc)}; "
        "re-export it, or pass --format to read it as CSV or JSONL"
    )


def open_file(path: Path) -> pq.ParquetFile:
    """The file's footer and schema, or a BatchError naming the file and the problem."""
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        handle.schema_arrow  # noqa: B018 - a damaged schema fails here, not mid-job
    except _errors() as exc:
        raise _damaged(path, exc) from None
    return handle


def columns(path: Path) -> list[str]:
    """The column names of the file's schema."""
    try:
        return list(open_file(path).schema_arrow.names)
    except _errors() as exc:  # a column name that is not UTF-8
        raise _damaged(path, exc) from None


def count(path: Path) -> int:
    """The number of rows, after decoding every page once, so damage shows before any work."""
    handle = open_file(path)
    for group in range(handle.num_row_groups):
        try:
            for _ in handle.iter_batches(batch_size=CHECK_ROWS, row_groups=[group]):
                pass
        except _errors() as exc:
            raise _damaged(path, exc, _where(handle, group)) from None
    return int(handle.metadata.num_rows)


def rows(path: Path) -> Iterator[tuple[dict[str, Any], str | None]]:
    """(values, error) per row; an undecodable value keeps the row's other values (and key)."""
    handle = open_file(path)
    for group in range(handle.num_row_groups):
        batches = handle.iter_batches(batch_size=BATCH_ROWS, row_groups=[group])
        while True:
            try:
                batch = next(batches, None)
            except _errors() as exc:
                raise _damaged(path, exc, _where(handle, group)) from None
            if batch is None:
                break
            yield from _records(batch)


def _where(handle: pq.ParquetFile, group: int) -> str:
    """' (row group 2: rows 101-200)': where the damage is, as a user counts rows."""
    first = sum(handle.metadata.row_group(g).num_rows for g in range(group))
    last = first + handle.metadata.row_group(group).num_rows
    return f" (row group {group + 1}: rows {first + 1}-{last})"


def _records(batch: pa.RecordBatch) -> Iterator[tuple[dict[str, Any], str | None]]:
    try:
        records = batch.to_pylist()
    except _errors():
        # One value Python cannot hold (a date past year 9999, a string that is not UTF-8)
        # fails the whole batch's conversion: convert value by value to find its row.
        records = None
    for i in range(batch.num_rows):
        values, error = (records[i], None) if records is not None else _one(batch, i)
        yield _decoded(values, error)


def _one(batch: pa.RecordBatch, i: int) -> tuple[dict[str, Any], str | None]:
    values: dict[str, Any] = {}
    error = None
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        try:
            values[name] = column[i].as_py()
        except _errors() as exc:
            raw = _raw_text(column, i)
            if raw is None:
                error = (
                    error or f"column {name!r} holds a value that cannot be read: {_reason(exc)}"
                )
            else:
                values[name] = raw  # decoded below, marked as not UTF-8
    return values, error


def _raw_text(column: pa.Array, i: int) -> bytes | None:
    """A string value's bytes as stored (pyarrow refuses to convert text that is not UTF-8)."""
    import pyarrow as pa

    kind = column.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    binary = pa.binary() if pa.types.is_string(kind) else pa.large_binary()
    value = column.slice(i, 1).cast(binary)[0].as_py()
    return value if isinstance(value, bytes) else None


def _decoded(values: dict[str, Any], error: str | None) -> tuple[dict[str, Any], str | None]:
    """Binary values as text; bytes that are not UTF-8 stay marked (as surrogates), like CSV's."""
    for name, value in values.items():
        if isinstance(value, bytes):
            try:
                values[name] = value.decode("utf-8")
            except UnicodeDecodeError:
                values[name] = value.decode("utf-8", "surrogateescape")
                error = error or f"column {name!r} holds bytes that are not valid UTF-8"
    return values, error
