"""Review-sheet files without a database: formula-safe writing, reading, cells, import keys."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contentgen.errors import ValidationError
from contentgen.feedback.reviewsheet import _score, _thumb, import_key
from contentgen.feedback.sheetfiles import read_sheet, write_sheet
from tests.fuzzing import examples

COLUMNS = ("sheet_id", "output_id", "text", "score")
ROWS = [
    {"sheet_id": "s1", "output_id": "a" * 32, "text": '=HYPERLINK("http://evil")', "score": ""},
    {"sheet_id": "s1", "output_id": "b" * 32, "text": "Plain copy, 20% off", "score": ""},
]


def test_csv_cells_that_look_like_formulas_are_quoted_and_read_back_as_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sheet.csv"
    write_sheet(path, COLUMNS, ROWS, "csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), (
        "UTF-8 BOM so spreadsheet programs read it right"
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        raw = list(csv.DictReader(handle))
    assert raw[0]["text"] == '\'=HYPERLINK("http://evil")', "a spreadsheet shows it as text"
    header, rows = read_sheet(path)
    assert header == list(COLUMNS)
    assert rows[0]["text"] == ROWS[0]["text"], "reading the sheet back undoes the quote"
    assert rows[1]["text"] == "Plain copy, 20% off"


def test_xlsx_stores_formula_like_text_as_quoted_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "sheet.xlsx"
    write_sheet(
        path,
        COLUMNS,
        ROWS,
        "xlsx",
        choices={"score": ("1", "2", "3", "4", "5")},
        instructions=("hi",),
    )
    book = load_workbook(path)
    cell = book["review"]["C2"]
    assert cell.data_type == "s" and cell.value == "'" + ROWS[0]["text"]
    assert book["review"].data_validations.dataValidation, "score has a drop-down"
    assert "instructions" in book.sheetnames
    book["review"]["D2"] = 4  # a reviewer types a number: Excel stores it as a float-capable number
    # What Excel stores when a reviewer types '=1+1: the text "=1+1" (the apostrophe is a style).
    book["review"]["C3"] = "=1+1"
    book["review"]["C3"].data_type = "s"
    book.save(path)
    _, rows = read_sheet(path)
    assert rows[0]["score"] == "4" and rows[0]["text"] == ROWS[0]["text"]
    assert rows[1]["text"] == "=1+1"


def test_xlsx_sheet_drops_characters_xml_cannot_hold_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    write_sheet(path, COLUMNS, [{**ROWS[1], "text": "bell\x07 =1"}], "xlsx")
    _, rows = read_sheet(path)
    assert rows[0]["text"] == "bell =1"


sheet_text = st.text(max_size=40) | st.sampled_from(
    ["=1+1", " =1", "'=1", "''+x", "\t-1", "\uff1dA1", "@x", "-", "'", "\u3000@x"]
)


@settings(max_examples=examples(60))
@given(st.lists(sheet_text, min_size=1, max_size=5))
def test_any_text_survives_a_sheet_round_trip(tmp_path_factory: Any, texts: list[str]) -> None:
    folder = tmp_path_factory.mktemp("sheets")
    rows = [{"sheet_id": "s1", "output_id": f"{i:032x}", "text": t} for i, t in enumerate(texts)]
    for fmt in ("csv", "xlsx"):
        path = folder / f"sheet.{fmt}"
        write_sheet(path, COLUMNS, rows, fmt)
        _, back = read_sheet(path)
        expected = [t.strip() for t in texts]
        if fmt == "xlsx":  # XML holds no C0 controls but TAB and LF; CR is read back as LF
            lf = [t.replace("\r\n", "\n").replace("\r", "\n") for t in texts]
            expected = ["".join(c for c in t if c in "\t\n" or ord(c) >= 32).strip() for t in lf]
        assert [r["text"] for r in back] == expected, fmt


@pytest.mark.parametrize(
    ("cell", "expected"), [("", None), ("4", 4), ("4.0", 4), ("5", 5), ("1", 1)]
)
def test_score_cells(cell: str, expected: int | None) -> None:
    assert _score(cell) == expected


@pytest.mark.parametrize("cell", ["7", "0", "4.5", "great", "-1"])
def test_bad_score_cells_name_the_scale(cell: str) -> None:
    with pytest.raises(ValidationError, match="score"):
        _score(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("up", True),
        ("Down", False),
        ("+1", True),
        ("n", False),
        ("\N{THUMBS UP SIGN}", True),
        ("", None),
    ],
)
def test_thumb_cells(cell: str, expected: bool | None) -> None:
    assert _thumb(cell) is expected


def test_garbage_thumb_names_the_valid_values() -> None:
    with pytest.raises(ValidationError, match="'sideways'.*'down', 'up'"):
        _thumb("sideways")


def test_import_key_depends_on_sheet_row_content_and_kind() -> None:
    row = {"sheet_id": "s1", "output_id": "a" * 32, "score": "4", "text": "shown text"}
    key = import_key("s1", row, "score")
    assert key == import_key("s1", dict(row), "score") and len(key) == 64
    assert key != import_key("s2", row, "score")
    assert key != import_key("s1", {**row, "score": "5"}, "score")
    assert key != import_key("s1", row, "thumb")
    assert key == import_key("s1", {**row, "text": "reflowed by the spreadsheet"}, "score")
