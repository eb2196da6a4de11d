"""Streaming readers: every input row comes out once, broken rows as clear per-row errors."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from contentgen.batch.readers import RowSource, detect_format
from contentgen.errors import BatchError

BROKEN = Path(__file__).parents[1] / "fixtures" / "broken"


def test_broken_csv_gives_one_row_per_record_with_errors_naming_the_problem() -> None:
    rows = list(RowSource(BROKEN / "products_broken.csv"))
    assert [r.index for r in rows] == list(range(11))
    errors = {r.index + 1: r.error for r in rows if r.error}
    assert "6 fields but the header has 4" in errors[2]
    assert "2 fields but the header has 4" in errors[3]
    assert "not valid UTF-8 (bytes 0xE9)" in errors[6]
    assert "unclosed quote" in errors[11] and "lines 12-13" in errors[11]
    good = {r.index + 1: r.values for r in rows if not r.error}
    assert good[1] == {
        "sku": "P-001",
        "title": "Trail Runner X",
        "price": "89.99",
        "color": "slate grey",
    }
    assert good[4]["title"] == ""  # an empty value is the mapping's call, not the reader's
    assert rows[5].line == 7 and rows[5].where == "row 6 (line 7)"


def test_undecodable_row_keeps_its_values_for_the_key() -> None:
    row = list(RowSource(BROKEN / "products_broken.csv"))[5]
    assert row.error and row.values is not None and row.values["sku"] == "P-006"


def test_broken_jsonl_reports_json_utf8_and_shape_errors_per_line() -> None:
    rows = list(RowSource(BROKEN / "articles_broken.jsonl"))
    assert len(rows) == 7
    assert rows[0].values is not None and rows[0].values["id"] == "a1"
    assert "not valid JSON" in (rows[1].error or "")
    assert "expected a JSON object, got list" in (rows[2].error or "")
    assert "not valid UTF-8 (byte 0xE9" in (rows[3].error or "")
    assert rows[4].error is None and rows[6].error is None


def test_count_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('a,b\n1,"two\nlines"\n3,4\n\n5,6\n', encoding="utf-8")
    source = RowSource(path)
    assert source.columns() == ["a", "b"]
    assert source.count() == 3
    assert [r.values for r in source][0] == {"a": "1", "b": "two\nlines"}


def test_utf8_bom_header_is_read_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffsku,name\nA,Mug\n".encode())
    assert RowSource(path).columns() == ["sku", "name"]
    assert next(iter(RowSource(path))).values == {"sku": "A", "name": "Mug"}


def test_parquet_streams_rows(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"sku": [f"S{i}" for i in range(2500)], "name": ["Mug"] * 2500}), path)
    source = RowSource(path)
    assert source.count() == 2500 and source.columns() == ["sku", "name"]
    rows = list(source)
    assert [r.index for r in rows] == list(range(2500))
    assert rows[-1].values == {"sku": "S2499", "name": "Mug"}


def test_rows_from_dicts_and_bad_items() -> None:
    rows = list(RowSource(rows=[{"name": "Mug"}, "not a dict"]))  # type: ignore[list-item]
    assert rows[0].values == {"name": "Mug"} and "expected a mapping" in (rows[1].error or "")


def test_format_detection_names_the_choices(tmp_path: Path) -> None:
    assert detect_format(Path("x.ndjson")) == "jsonl"
    with pytest.raises(BatchError, match="--format"):
        detect_format(Path("catalogue.xls"))
    with pytest.raises(BatchError, match="does not exist"):
        RowSource(tmp_path / "missing.csv")


def test_jsonl_values_keep_types(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"message": "hi", "context": {"order": 7}}) + "\n", encoding="utf-8")
    (row,) = list(RowSource(path))
    assert row.values == {"message": "hi", "context": {"order": 7}}


def _parquet_bytes(rows: int = 300) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"sku": [f"S{i}" for i in range(rows)], "title": ["Mug"] * rows})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=100)
    return buffer.getvalue()


def _damaged_page(data: bytes) -> bytes:
    """The file with the header of its second row group's first data page overwritten."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(io.BytesIO(data)).metadata
    start = meta.row_group(1).column(0).data_page_offset
    return data[:start] + b"\xff" * 16 + data[start + 16 :]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "Parquet file size is 0 bytes"),
        (b"sku,title\nS1,Mug\n", "magic bytes not found"),
        (_parquet_bytes()[:200], "magic bytes not found"),
    ],
    ids=["empty", "csv-text", "truncated"],
)
def test_a_file_that_is_not_parquet_is_one_error_naming_it(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "catalogue.parquet"
    path.write_bytes(content)
    source = RowSource(path)
    for read in (source.columns, source.count, lambda: list(source)):
        with pytest.raises(BatchError, match="catalogue.parquet is not a readable Parquet file"):
            read()
    with pytest.raises(BatchError, match=problem):
        source.columns()


def test_a_damaged_page_is_found_by_the_count_before_any_row_is_used(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.parquet"
    path.write_bytes(_damaged_page(_parquet_bytes()))
    source = RowSource(path)
    assert source.columns() == ["sku", "title"]  # the footer is intact
    with pytest.raises(BatchError, match=r"Parquet file \(row group 2: rows 101-200\): "):
        source.count()


def test_parquet_values_python_cannot_hold_fail_their_row_and_keep_its_key(
    tmp_path: Path,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    not_utf8 = pa.array([b"Mug", b"Caf\xe9 mug", b"Lamp"], type=pa.binary()).view(pa.string())
    past_9999 = pa.array([0, 0, 2**62], type=pa.timestamp("us"))
    raw = pa.array([b"x", b"\xff", b"y"], type=pa.binary())
    table = pa.table({"sku": ["S1", "S2", "S3"], "title": not_utf8, "since": past_9999, "raw": raw})
    pq.write_table(table, tmp_path / "in.parquet")
    rows = list(RowSource(tmp_path / "in.parquet"))
    assert rows[0].error is None and rows[0].values is not None
    assert rows[0].values["title"] == "Mug" and rows[0].values["raw"] == "x"
    assert "column 'title' holds bytes that are not valid UTF-8" in (rows[1].error or "")
    assert "column 'since' holds a value that cannot be read" in (rows[2].error or "")
    assert [r.values["sku"] for r in rows if r.values] == ["S1", "S2", "S3"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (gzip.compress(b"sku,title\nS1,Mug\n"), "is gzip-compressed"),
        (b"PK\x03\x04rest of a workbook", "is a ZIP archive"),
        (b"PAR1" + b"\x00" * 40, "is a Parquet file"),
        ("sku,title\nS1,Mug\n".encode("utf-16"), "is UTF-16 text"),
        ("sku,title\nS1,Mug\n".encode("utf-16-le"), "is not UTF-8 .*: it looks binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 50, "is not UTF-8 .*: it looks binary"),
        (bytes(range(1, 256)) * 8, "is not UTF-8 .*: it looks binary"),
        (bytes(range(128, 256)) * 8, "(the header is not UTF-8|none of its 1 rows can be read)"),
    ],
    ids=["gzip", "zip", "parquet", "utf16-bom", "utf16-no-bom", "png", "controls", "high-bytes"],
)
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_binary_compressed_or_utf16_text_is_one_error_naming_the_file(
    tmp_path: Path, content: bytes, problem: str, suffix: str
) -> None:
    from contentgen.batch.api import scan
    from contentgen.batch.mapping import RowMapping

    path = tmp_path / f"input{suffix}"
    path.write_bytes(content)
    with pytest.raises(BatchError, match=f"input{suffix}:? {problem}"):
        source = RowSource(path)
        source.columns()
        scan(source, RowMapping.build("marketing"))


def test_a_file_with_no_readable_row_is_one_error(tmp_path: Path) -> None:
    from contentgen.batch.api import scan
    from contentgen.batch.mapping import RowMapping

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("sku,title\nS1,Caf\xe9\nS2,Cr\xe8me\n".encode("latin-1"))
    with pytest.raises(BatchError, match=r"latin1.csv: none of its 2 rows can be read as CSV"):
        scan(RowSource(latin1), RowMapping.build("marketing"))
    one_good = tmp_path / "one_good.jsonl"
    one_good.write_bytes(b'{"name": "Mug"}\n[1, 2]\n')
    assert scan(RowSource(one_good), RowMapping.build("marketing")) == (2, {})


def test_jsonl_nesting_huge_numbers_and_lone_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    big = "9" * 5000  # past int()'s 4300-digit limit for text
    path.write_text(
        "[" * 100_000 + "\n"
        + f'{{"sku": "S2", "units": {big}}}\n'
        + '{"sku": "S3", "title": "bad \\ud800 text"}\n',
        encoding="utf-8",
    )  # fmt: skip
    deep, huge, surrogate = list(RowSource(path))
    assert deep.error == "not valid JSON here: nested too deeply"
    assert huge.error is None and huge.values is not None and str(huge.values["units"]) == big
    assert "not valid Unicode (U+D800)" in (surrogate.error or "")
    assert surrogate.values is not None and surrogate.values["sku"] == "S3"
