"""Review-sheet files without a database: formula-safe writing, reading, cells, import keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.errors import ValidationError
from contentgen.feedback.reviewsheet import _score, _thumb, import_key
from contentgen.feedback.sheetfiles import read_sheet, undefuse, write_sheet

COLUMNS = ("sheet_id", "output_id", "text", "score")
ROWS = [
    {"sheet_id": "s1", "output_id": "a" * 32, "text": '=HYPERLINK("http://evil")', "score": ""},
    {"sheet_id": "s1", "output_id": "b" * 32, "text": "Plain copy, 20% off", "score": ""},
]


def test_csv_cells_that_look_like_formulas_are_defused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    write_sheet(path, COLUMNS, ROWS, "csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), (
        "UTF-8 BOM so spreadsheet programs read it right"
    )
    header, rows = read_sheet(path)
    assert header == list(COLUMNS)
    assert rows[0]["text"] == '\'=HYPERLINK("http://evil")'
    assert undefuse(rows[0]["text"]) == ROWS[0]["text"]
    assert rows[1]["text"] == "Plain copy, 20% off"


def test_xlsx_round_trip_stores_formula_text_as_text(tmp_path: Path) -> None:
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
    assert cell.data_type == "s" and cell.value == ROWS[0]["text"]
    assert book["review"].data_validations.dataValidation, "score has a drop-down"
    assert "instructions" in book.sheetnames
    book["review"]["D2"] = 4  # a reviewer types a number: Excel stores it as a float-capable number
    book.save(path)
    _, rows = read_sheet(path)
    assert rows[0]["score"] == "4" and rows[0]["text"] == ROWS[0]["text"]


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
