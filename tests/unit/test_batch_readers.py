"""Streaming readers: every input row comes out once, broken rows as clear per-row errors."""

from __future__ import annotations

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
