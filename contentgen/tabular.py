"""Spreadsheet-safe CSV and XLSX writing: the one formula-injection policy for every table written.

Spreadsheet programs evaluate a cell that starts with = + - @ TAB or CR as a formula, also after
leading whitespace and in the fullwidth or small forms (U+FF1D '＝', U+FE66 '﹦' ...), so generated
text such as '=HYPERLINK("http://evil", "click")' or "+cmd|' /C calc'!A0" would run when someone
opens an exported file (OWASP "CSV injection"). Every CSV and XLSX writer in contentgen passes its
cells through this module: such text gets a leading apostrophe (`guard`), text beginning with
apostrophes before such text gets one more so that `unguard` (used when a sheet is read back)
restores the original exactly, finite numbers stay numbers, and XLSX text is always a string cell.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

GUARD = "'"
FORMULA_STARTS = frozenset("=+-@")
# U+2212 MINUS SIGN does not normalise to '-'; it is guarded too, since a needless guard costs
# one apostrophe that reading the file back removes.
_EXTRA_STARTS = frozenset("\N{MINUS SIGN}")
_CONTROL_STARTS = ("\t", "\r")
_SURROGATE = re.compile("[\ud800-\udfff]")
# XML 1.0 cannot hold these control characters, so an XLSX cell cannot either; XML parsers
# also turn CR into LF, so XLSX text is written with LF line breaks (as Excel itself does).
_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _skippable(char: str) -> bool:
    # Spreadsheet programs ignore leading blanks and invisible format characters when they
    # decide whether a cell is a formula, so the decision looks past them.
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet program could read `text` as a formula."""
    index = 0
    while index < len(text) and _skippable(text[index]):
        if text[index] in _CONTROL_STARTS:
            return True
        index += 1
    if index == len(text):
        return False
    first = text[index]
    return first in _EXTRA_STARTS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS


def needs_guard(text: str) -> bool:
    """True when `guard` prefixes `text`: formula-like text, also behind leading apostrophes."""
    return is_formula_like(text.lstrip(GUARD))


def guard(text: str) -> str:
    """`text` made safe for a spreadsheet cell: an apostrophe before formula-like text."""
    return GUARD + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """Undo `guard` on a cell read back from a file this project wrote."""
    if text.startswith(GUARD) and needs_guard(text[1:]):
        return text[1:]
    return text


def _is_number(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _encodable(text: str) -> str:
    # A lone surrogate (undecodable input) cannot be written as UTF-8; show it as U+FFFD.
    return _SURROGATE.sub("\N{REPLACEMENT CHARACTER}", text)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: finite numbers as they are, None empty, anything else guarded text."""
    if value is None:
        return ""
    if _is_number(value):
        return value
    return guard(_encodable(str(value)))


def xlsx_value(value: Any) -> Any:
    """A value as an XLSX cell value: numbers, booleans and dates native, anything else text."""
    if value is None or isinstance(value, bool | datetime | date | time) or _is_number(value):
        return value
    text = _encodable(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    # Removing characters XLSX cannot hold may uncover a formula start, so guard comes last.
    return guard(_XLSX_ILLEGAL.sub("", text))


def set_xlsx_cell(cell: Cell, value: Any) -> None:
    """Store `value` in an openpyxl cell by the policy (text always as a string, never a formula)."""
    cell.value = xlsx_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"


class CsvWriter:
    """A csv.writer whose every cell passes the formula policy."""

    def __init__(self, handle: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(handle, **fmtparams)

    def writerow(self, values: Iterable[Any]) -> None:
        """Write one line."""
        self._writer.writerow([csv_cell(v) for v in values])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several lines."""
        for values in rows:
            self.writerow(values)


def write_xlsx(
    target: Path | IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet",
) -> None:
    """Write a one-sheet workbook (openpyxl write-only mode, so any number of rows fits)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)

    def line(values: Sequence[Any]) -> list[Any]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet)
            set_xlsx_cell(cell, value)
            cells.append(cell)
        return cells

    sheet.append(line(header))
    for values in rows:
        sheet.append(line(values))
    book.save(target)
