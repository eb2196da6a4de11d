"""Review sheets end to end: export, fill in like a reviewer would, import (twice), broken rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from contentgen import Engine, MarketingRequest
from contentgen.errors import ValidationError
from contentgen.feedback.reviewsheet import export_sheet, import_sheet

PRODUCT = {"name": "Trail Runner X", "price": "89.99"}


def _fill_csv(path: Path, fill: dict[int, dict[str, str]]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for index, values in fill.items():
        rows[index].update(values)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _outputs(engine: Engine, variants: int = 4) -> list[str]:
    result = engine.generate(
        MarketingRequest(product=PRODUCT, channel="social_post", variants=variants, seed=3)
    )
    return [o.id for o in result.outputs]


def test_rate_sheet_round_trip_is_idempotent_and_reports_broken_rows(
    engine: Engine, tmp_path: Path
) -> None:
    ids = _outputs(engine)
    sheet = export_sheet(engine.store, tmp_path / "review.csv")
    assert sheet.rows == 4
    with (tmp_path / "review.csv").open(encoding="utf-8-sig") as handle:
        exported = list(csv.DictReader(handle))
    assert {r["output_id"] for r in exported} == set(ids)
    assert all(r["score"] == "" and r["thumb"] == "" and r["text"] for r in exported)

    _fill_csv(
        tmp_path / "review.csv",
        {
            0: {
                "score": "5",
                "thumb": "up",
                "edited_text": "Trail Runner X: only 89.99, light and fast.",
            },
            1: {"score": "7"},
            2: {"thumb": "sideways", "output_id": exported[2]["output_id"]},
            3: {"output_id": "f" * 32, "score": "4"},
        },
    )
    report = import_sheet(engine.store, tmp_path / "review.csv", rater="ana")
    assert report.stored == 3  # score, thumb and edit of the good row
    assert [p.row for p in report.problems] == [3, 4, 5]
    messages = " | ".join(p.message for p in report.problems)
    assert "score" in messages and "7" in messages
    assert "thumb" in messages and "sideways" in messages
    assert "unknown output" in messages
    good = exported[0]["output_id"]
    kinds = sorted(r.kind for r in engine.ratings(good))
    assert kinds == ["edit", "score", "thumb"]
    assert all(r.rater == "ana" for r in engine.ratings(good))

    again = import_sheet(engine.store, tmp_path / "review.csv", rater="ana")
    assert again.stored == 0 and again.duplicates == 3
    assert len(engine.ratings()) == 3

    _fill_csv(
        tmp_path / "review.csv", {1: {"score": "2"}, 2: {"thumb": "down"}, 3: {"output_id": ""}}
    )
    fixed = import_sheet(engine.store, tmp_path / "review.csv", rater="ana")
    assert fixed.stored == 2 and fixed.duplicates == 3
    assert [p.row for p in fixed.problems] == [5]
    assert len(engine.ratings()) == 5


def test_pairwise_xlsx_undoes_the_random_sides(engine: Engine, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    for seed in range(3):
        engine.generate(
            MarketingRequest(
                product={**PRODUCT, "name": f"Shoe {seed}"},
                channel="sms",
                variants=2,
                seed=seed + 2,
            )
        )
    path = tmp_path / "pairs.xlsx"
    sheet = export_sheet(engine.store, path, kind="pairwise", seed=1)
    assert sheet.rows == 3
    book = load_workbook(path)
    ws = book["review"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header}
    sides = [ws.cell(row=r, column=col["left_is"]).value for r in range(2, 5)]
    assert set(sides) == {"first", "second"}, "seeded shuffle puts the first output on both sides"
    expected = {}
    for r in range(2, 5):
        ws.cell(row=r, column=col["preferred"]).value = "left"
        left_is = ws.cell(row=r, column=col["left_is"]).value
        first = ws.cell(row=r, column=col["first_output_id"]).value
        second = ws.cell(row=r, column=col["second_output_id"]).value
        expected[first] = first if left_is == "first" else second
    book.save(path)

    report = import_sheet(engine.store, path, rater="bo")
    assert report.ok and report.stored == 3 and report.kind == "pairwise"
    stored = {
        r.output_id: r.preferred_output_id for r in engine.ratings() if r.kind == "preference"
    }
    assert stored == expected


def test_sheet_without_the_id_columns_is_rejected_whole(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("text,score\nhello,4\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="output_id"):
        import_sheet(engine.store, path, rater="ana")
