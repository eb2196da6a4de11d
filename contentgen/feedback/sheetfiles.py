"""Reading and writing review sheets as CSV or XLSX, safe to open in a spreadsheet program."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from contentgen.errors import ValidationError
from contentgen.tabular import CsvWriter, set_xlsx_cell, unguard

SHEET_FORMATS = ("csv", "xlsx")
SHEET_NAME = "review"


def sheet_format(path: Path, fmt: str | None = None) -> str:
    """The sheet format: the given one or the file's extension."""
    found = (fmt or path.suffix.lstrip(".")).lower()
    if found not in SHEET_FORMATS:
        raise ValidationError(
            "format",
            f"cannot write or read a review sheet as {found or path.name!r}",
            SHEET_FORMATS,
        )
    return found


def write_sheet(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    choices: Mapping[str, Sequence[str]] | None = None,
    instructions: Sequence[str] = (),
    wide: Sequence[str] = (),
) -> None:
    """Write `rows` under `columns`; XLSX gets drop-down choices, wrapped text and instructions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        # utf-8-sig: spreadsheet programs need the BOM to read UTF-8 CSV correctly.
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = CsvWriter(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(row.get(c, "") for c in columns)
        return
    _write_xlsx(path, columns, rows, choices or {}, instructions, wide)


def _write_xlsx(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    choices: Mapping[str, Sequence[str]],
    instructions: Sequence[str],
    wide: Sequence[str],
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    for c, name in enumerate(columns, start=1):
        set_xlsx_cell(sheet.cell(row=1, column=c), name)
        sheet.cell(row=1, column=c).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, name in enumerate(columns, start=1):
            value = row.get(name, "")
            cell = sheet.cell(row=r, column=c)
            set_xlsx_cell(cell, value if value != "" else None)
            if name in wide:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = max(2, len(rows) + 1)
    for c, name in enumerate(columns, start=1):
        letter = get_column_letter(c)
        sheet.column_dimensions[letter].width = 60 if name in wide else 14
        if name in choices:
            listed = ",".join(choices[name])
            check = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
            check.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    if instructions:
        notes = book.create_sheet("instructions")
        for r, line in enumerate(instructions, start=1):
            set_xlsx_cell(notes.cell(row=r, column=1), line)
        notes.column_dimensions["A"].width = 110
    book.save(path)


def read_sheet(path: Path, fmt: str | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a filled-in review sheet: cells as stripped text, formula guard undone."""
    if not path.is_file():
        raise ValidationError("sheet", f"{path} does not exist")
    fmt = sheet_format(path, fmt)
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            rows = [
                {(k or "").strip(): _text(v) for k, v in row.items() if k is not None}
                for row in reader
            ]
        return header, rows
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged or foreign file
        raise ValidationError("sheet", f"{path.name} is not a readable .xlsx file: {exc}") from None
    try:
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not values:
        return [], []
    header = [_text(h) for h in values[0]]
    rows = [
        {name: _text(v) for name, v in zip(header, line, strict=False) if name}
        for line in values[1:]
        if any(v is not None and str(v).strip() for v in line)
    ]
    return header, rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        # Undo before stripping: the guard is the cell's first character as written.
        return unguard(value).strip()
    return str(value).strip()
