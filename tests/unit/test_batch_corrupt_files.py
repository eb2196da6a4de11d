"""Corrupted input files through the batch reader and row mapping: only contentgen errors escape.

Valid Parquet, CSV and JSONL catalogues are damaged with a fixed-seed mutator (flipped bytes,
truncation, deleted or inserted spans, junk, a splice of two formats) and read as a batch job
reads them: columns, the scan pass, every row, every request. A file that cannot be read at all
must be one BatchError naming it; everything else a per-row error or a valid request whose text
can be stored. Any other exception escaping is the defect this test exists to find.
"""

from __future__ import annotations

import io
import json
import os
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contentgen.batch.api import scan
from contentgen.batch.mapping import RowMapping
from contentgen.batch.readers import RowSource
from contentgen.errors import BatchError, ContentgenError
from tests.fuzzing import PROFILE_VARIABLE, examples
from tests.reliability_figures import record

# `make test` replays the same damage on every host; `make fuzz` draws fresh damage, more of it
# (a failure message names its seed; cases it finds are pinned in test_batch_readers.py).
EXPLORE = os.environ.get(PROFILE_VARIABLE) == "explore"
SEED = random.SystemRandom().randrange(2**32) if EXPLORE else 20250614
CASES_PER_FORMAT = examples(240)
ROWS = 120


def _catalogue() -> list[dict[str, Any]]:
    return [
        {
            "sku": f"S{i:04d}",
            "name": f"Product {i}" if i % 9 else i,  # some numeric names (0 included)
            "price": i * 1.25,
            "in_stock": i % 2 == 0,
            "since": f"2024-01-{1 + i % 28:02d}",
            "notes": ["café", "😀", "", "a,b", 'say "hi"', "line\nbreak"][i % 6],
        }
        for i in range(ROWS)
    ]


def _parquet(compression: str) -> bytes:
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _catalogue()
    table = pa.table(
        {
            **{k: [r[k] for r in rows] for k in ("sku", "price", "in_stock", "notes")},
            "name": [str(r["name"]) for r in rows],
            "since": [dt.date(2024, 1, 1 + i % 28) for i in range(ROWS)],
            "cost": [Decimal(i) / 4 for i in range(ROWS)],
            "tags": [["a", "b"][: i % 3] for i in range(ROWS)],
            "raw": [bytes([i % 256]) for i in range(ROWS)],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=40, compression=compression)
    return buffer.getvalue()


def _csv() -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(_catalogue()[0]))
    writer.writeheader()
    writer.writerows(_catalogue())
    return out.getvalue().encode("utf-8")


def _jsonl() -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _catalogue()).encode("utf-8")


ORIGINALS: dict[str, Callable[[], bytes]] = {
    "parquet-snappy": lambda: _parquet("snappy"),
    "parquet-zstd": lambda: _parquet("zstd"),
    "parquet-none": lambda: _parquet("none"),
    "csv": _csv,
    "jsonl": _jsonl,
}
JUNK = [b"\x00", b"\xff\xfe", b"PAR1", b'"', b"\n", b"{", b"\\ud800", b"\xc3", b"9" * 40]


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One to three random kinds of damage."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(7)
        at = rng.randrange(len(out) + 1)
        if kind == 0 and out:  # flip bytes
            for _ in range(rng.randint(1, 16)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif kind == 1:  # truncate
            del out[at:]
        elif kind == 2:  # delete a span
            del out[at : at + rng.randint(1, 200)]
        elif kind == 3:  # insert random bytes
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif kind == 4:  # insert known-troublesome bytes
            out[at:at] = rng.choice(JUNK) * rng.randint(1, 4)
        elif kind == 5:  # splice in part of another format
            other = rng.choice(others)
            start = rng.randrange(len(other))
            out[at:at] = other[start : start + rng.randint(1, 400)]
        else:  # repeat a span (duplicated pages, repeated lines)
            out[at:at] = out[at : at + rng.randint(1, 300)]
    return bytes(out)


def _storable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False, default=str, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return False
    return True


def read_as_a_job(path: Path, fmt: str, key: str | None) -> Counter[str]:
    """Everything `contentgen batch` does with a file before generating; counts the outcomes."""
    outcome: Counter[str] = Counter()
    mapping = RowMapping.build("marketing", key=key)
    try:
        source = RowSource(path, fmt=fmt)
        mapping.check_columns(source.columns())
        scan(source, mapping)
        rows = list(source)
    except BatchError as exc:
        assert path.name in str(exc) and _storable(str(exc)), exc
        outcome["file_errors"] += 1
        return outcome
    for row in rows:
        outcome["rows"] += 1
        problem = row.error or mapping.key_problem(row)
        if problem:
            assert _storable(problem) and _storable(mapping.row_key(row)), row
            outcome["row_errors"] += 1
            continue
        assert row.values is not None
        try:
            request = mapping.to_request(row.values, {"seed": 1})
        except ContentgenError as exc:
            assert _storable(str(exc)), exc
            outcome["row_errors"] += 1
            continue
        assert _storable(dict(request.product)) and _storable(mapping.row_key(row)), row
        outcome["requests"] += 1
    return outcome


STATS: Counter[str] = Counter()
ESCAPES: list[str] = []


@pytest.fixture(scope="module")
def originals() -> dict[str, bytes]:
    """The valid files, built once."""
    return {name: build() for name, build in ORIGINALS.items()}


@pytest.mark.fuzz
@pytest.mark.parametrize("fmt", sorted(ORIGINALS))
def test_corrupted_files_give_batch_errors_or_row_errors_only(
    fmt: str, originals: dict[str, bytes]
) -> None:
    rng = random.Random(f"{SEED}:{fmt}")
    suffix = fmt.split("-")[0]
    others = [data for name, data in originals.items() if name != fmt]
    with tempfile.TemporaryDirectory() as folder:
        for case in range(CASES_PER_FORMAT):
            data = mutate(originals[fmt], rng, others)
            path = Path(folder) / f"catalogue-{case}.{suffix}"
            path.write_bytes(data)
            STATS["files"] += 1
            try:
                STATS.update(read_as_a_job(path, suffix, key="sku" if case % 2 else None))
            except AssertionError:
                raise
            except Exception as exc:  # anything but a contentgen error escaping is the defect
                ESCAPES.append(f"{fmt} case {case}: {type(exc).__name__}: {exc}"[:300])
            finally:
                path.unlink()
    record(
        "fuzz_files.json",
        {"examples": STATS["files"], "escapes": len(ESCAPES), **dict(STATS), "failures": ESCAPES},
    )
    assert not ESCAPES, f"seed {SEED}: {ESCAPES[:5]}"
