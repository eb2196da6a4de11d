"""Results files: appended per batch, rebuilt whole and atomically; XLSX never holds formulas."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from contentgen.batch.writers import ResultsFile, out_format
from contentgen.errors import BatchError
from contentgen.storage.jobs import RowOutcome
from contentgen.types import Output, Provenance, Result, Task

FIELDS = ["headline", "description"]


def _done(row: int, variant: int, headline: str = "Meet Mug") -> RowOutcome:
    """A done row's outcome holding its variant-th accepted output."""
    output = Output(
        id=f"out{row}{variant}",
        request_id=f"req{row}",
        task=Task.MARKETING,
        index=variant - 1,
        text="text",
        fields={"headline": headline, "description": "d"},
        image_path=None,
        image_sha256=None,
        status="ok",
        reason=None,
        provenance=Provenance(
            generator_id="testing:echo",
            generator_version="1.0",
            model_id=None,
            model_revision=None,
            template_id=None,
            template_hash=None,
            params={},
            seed=None,
            timings={},
        ),
    )
    result = Result(request_id=f"req{row}", task=Task.MARKETING, outputs=(output,))
    return RowOutcome(row, f"S{row}", "done", result)


def _failed(row: int) -> RowOutcome:
    return RowOutcome(row, f"S{row}", "failed", None, f"row {row + 1}: bad")


def test_csv_append_then_rebuild_replaces_a_half_written_tail(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    results = ResultsFile(path, FIELDS)
    results.start([])
    results.append([_done(0, 1), _done(0, 2)])
    results.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write("1,S1,1,done,Half a li")  # what a SIGKILL mid-write leaves behind
    again = ResultsFile(path, FIELDS)
    again.start([_done(0, 1), _done(0, 2)])  # the database's view
    again.append([_failed(1)])
    again.close()
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["row"], r["variant"], r["status"]) for r in rows] == [
        ("1", "1", "done"),
        ("1", "2", "done"),
        ("2", "", "failed"),
    ]
    assert rows[2]["error"] == "row 2: bad"
    assert list(rows[0]) == [
        "row",
        "key",
        "variant",
        "status",
        "headline",
        "description",
        "error",
        "output_id",
    ]


def test_jsonl_has_text_column_without_channel_fields(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    results = ResultsFile(path, [])
    results.finish([_done(0, 1), _failed(1)])
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert (
        lines[0]["text"] == "text" and lines[0]["variant"] == 1 and lines[1]["status"] == "failed"
    )


def test_xlsx_is_written_at_the_end_and_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "out.xlsx"
    results = ResultsFile(path, FIELDS)
    results.start([])
    results.append([_done(0, 1)])
    assert not path.exists()
    results.finish([_done(0, 1, headline='=HYPERLINK("http://x")\x07'), _failed(1)])
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("row", "key", "variant", "status")
    assert values[1][4] == '\'=HYPERLINK("http://x")', "quoted, so a spreadsheet shows it as text"
    assert sheet.cell(row=2, column=5).data_type == "s"
    assert values[1][2] == 1 and sheet.cell(row=2, column=3).data_type == "n"
    assert values[2][3] == "failed"


@pytest.mark.parametrize(
    "headline", ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "  =1", "\uff1d1+1"]
)
def test_csv_results_quote_formula_like_text_when_appending_and_rebuilding(
    tmp_path: Path, headline: str
) -> None:
    path = tmp_path / "out.csv"
    results = ResultsFile(path, FIELDS)
    results.start([])
    results.append([_done(0, 1, headline=headline)])
    results.close()
    appended = list(csv.DictReader(path.open(encoding="utf-8")))
    results.finish([_done(0, 1, headline=headline), _done(1, 1, headline=headline)])
    rebuilt = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["headline"] for r in appended + rebuilt] == ["'" + headline] * 3
    assert [r["row"] for r in rebuilt] == ["1", "2"]


def test_unknown_suffix_names_the_choices() -> None:
    with pytest.raises(BatchError, match=r"\.csv, \.jsonl, \.xlsx"):
        out_format(Path("out.txt"))
