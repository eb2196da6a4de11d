"""Fuzzed CSV files through the batch reader and row mapping: per-row errors, never an exception.

Files are built from hypothesis-drawn headers and rows with odd quoting, embedded newlines and
NULs, bytes that are not UTF-8, a BOM, huge fields and missing or extra columns. A file-level
problem (unreadable header, a mapped column the header lacks) may be one clean BatchError; every
other problem must come out as an error on its own row, and every good row as a request whose text
can be stored (no undecodable bytes smuggled through).
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contentgen.batch.api import scan
from contentgen.batch.mapping import RowMapping
from contentgen.batch.readers import CSV_FIELD_LIMIT, RowSource
from contentgen.errors import BatchError, ContentgenError
from contentgen.requests_io import prompt_variables
from tests.fuzzing import examples
from tests.reliability_figures import record

STATS: Counter[str] = Counter()
FAILURES: list[str] = []
JOBS: dict[str, tuple[list[str], str | None]] = {
    # task: (likely columns, key column)
    "marketing": (["sku", "name", "title", "price", "audience", "tone", "colour"], "sku"),
    "news_summary": (["id", "article", "title", "target_words", "style", "method"], "id"),
    "customer_service": (["ticket", "message", "policy", "tone", "context.order_id"], "ticket"),
}
HUGE = "x" * (CSV_FIELD_LIMIT + 10)

field_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from([
        "", " ", "Trail Runner", "89.99", "friendly", "bullets", "40", "-3", "1e9",
        "call 07700 900123", 'say "hi"', '"', '""', 'a,b', "line\nbreak", "cr\rlf\r\n", "\x00",
        "nul\x00inside", "\u202e",
        "=cmd|' /C calc'!A0", "😀" * 5, "é" * 3, "\ufeff", "x" * 2000,
    ]),
)  # fmt: skip


@st.composite
def csv_files(draw: st.DrawFn, task: str) -> bytes:
    """CSV bytes: a header (mostly plausible names) and rows with odd quoting and bad bytes."""
    likely, _ = JOBS[task]
    extra = draw(st.lists(st.one_of(st.sampled_from(likely), st.text(max_size=8)), max_size=5))
    header = draw(st.permutations(likely[:2] + extra)) if draw(st.integers(0, 4)) else extra
    width = len(header)
    exact = st.lists(field_text, min_size=width, max_size=width)
    ragged = st.lists(field_text, min_size=max(0, width - 2), max_size=width + 2)
    rows = draw(st.lists(st.one_of(exact, exact, exact, ragged), max_size=8))

    def cell(value: str, quoted: bool) -> str:
        # Unquoted, commas, quotes and newlines in a value break its row on purpose.
        return '"' + value.replace('"', '""') + '"' if quoted else value

    lines = [",".join(cell(h, draw(st.booleans())) for h in header)]
    for row in rows:
        lines.append(",".join(cell(v, draw(st.sampled_from([False, True, True]))) for v in row))
    if len(lines) > 1 and draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(1, len(lines) - 1))
        lines[at] += ',"unclosed'  # swallows the following lines into one broken record
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    data = newline.join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data  # BOM
    for _ in range(draw(st.sampled_from([0, 0, 1, 3]))):  # bytes that are not UTF-8, anywhere
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at] + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x80\x80"])) + data[at:]
        )
    if draw(st.integers(0, 30)) == 0:
        data += newline.encode() + f'{HUGE},"{HUGE}"'.encode()  # a field past the size limit
    return data


def _storable(value: Any) -> bool:
    """True when every string in the request can be encoded as UTF-8 (so stored and logged)."""
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_file(path: Path, task: str, use_key: bool) -> Counter[str]:
    """Read and map every row as a batch job would, counting outcomes; ContentgenError is clean."""
    outcome: Counter[str] = Counter()
    _, key = JOBS[task]
    mapping = RowMapping.build(task, key=key if use_key else None)
    try:
        source = RowSource(path)
        mapping.check_columns(source.columns())
        rows = list(source)
        scan(source, mapping)
    except BatchError as exc:  # a header that is not CSV/UTF-8, or lacks the key: one message
        assert _storable(str(exc)), exc  # the CLI prints it; undecodable bytes would crash that
        outcome["file_errors"] += 1
        return outcome
    assert [r.index for r in rows] == list(range(len(rows)))
    for row in rows:
        outcome["rows"] += 1
        assert (row.values is not None) or row.error, row
        problem = row.error or mapping.key_problem(row)
        if problem:
            assert _storable(problem), problem  # row errors are stored and printed
            outcome["row_errors"] += 1
            continue
        assert row.values is not None
        try:
            request = mapping.to_request(row.values, {"seed": 7})
            variables = prompt_variables(request)
        except ContentgenError as exc:
            assert _storable(str(exc)), exc
            outcome["row_errors"] += 1
            continue
        assert _storable(variables) and _storable(mapping.row_key(row)), row
        outcome["requests"] += 1
    return outcome


@settings(max_examples=examples(200), suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(sorted(JOBS)).flatmap(lambda t: st.tuples(st.just(t), csv_files(t))),
    st.booleans(),
    st.sampled_from([".csv", ".tsv"]),
)
@example(("marketing", b"sku,name\n1,\xff\n"), True, ".csv")
@example(("news_summary", b'id,article\n1,"' + HUGE.encode() + b'"\n2,ok\n'), False, ".csv")
@example(("customer_service", b"message\x00,ticket\nhi\x00,1\n"), True, ".csv")
def test_fuzzed_csv_rows_give_per_row_errors_only(
    job: tuple[str, bytes], use_key: bool, suffix: str
) -> None:
    task, data = job
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data.replace(b",", b"\t") if suffix == ".tsv" else data)
        STATS["files"] += 1
        try:
            STATS.update(read_file(path, task, use_key))
        except (AssertionError, ContentgenError):
            raise
        except Exception as exc:  # an exception escaping the reader or mapping is the defect
            FAILURES.append(f"{task} {data[:120]!r}: {type(exc).__name__}: {exc}")
            raise
        finally:
            record(
                "fuzz_csv.json",
                {
                    "examples": STATS["files"],
                    "escapes": len(FAILURES),
                    **dict(STATS),
                    "failures": FAILURES[:10],
                },  # fmt: skip
            )


def test_a_wide_header_is_read_with_the_same_field_limit_as_rows(tmp_path: Path) -> None:
    # columns() read the header under the csv module's default 128 KiB limit and raised csv.Error
    # (a traceback from `contentgen batch`) unless rows had been read earlier in the process.
    path = tmp_path / "wide.csv"
    path.write_text(f'"{"h" * 200_000}",name\n1,Mug\n', encoding="utf-8")
    default = csv.field_size_limit(131_072)
    try:
        columns = RowSource(path).columns()
    finally:
        csv.field_size_limit(default)
    assert columns is not None and columns[1] == "name"
