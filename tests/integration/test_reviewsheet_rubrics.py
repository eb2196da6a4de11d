"""Rubric criteria in review sheets: exported per row's rubric, checked and stored on import."""

from __future__ import annotations

import csv
from pathlib import Path

from contentgen import Engine, MarketingRequest
from contentgen.feedback.reviewsheet import export_sheet, import_sheet
from contentgen.review import scoring
from contentgen.storage import team

MARKETING = ["accurate", "on_brand", "persuasive", "fits_channel"]
SMS = ["accurate", "to_the_point", "compliant"]


def _generate(engine: Engine) -> tuple[list[str], list[str]]:
    """Two social posts (the marketing rubric) and two text messages (the sms rubric)."""
    ids = {}
    for channel, seed in (("social_post", 3), ("sms", 4)):
        product = {"name": "Trail Runner X", "sku": "TR-9", "price": "89.99"}
        result = engine.generate(
            MarketingRequest(product=product, channel=channel, variants=2, seed=seed)
        )
        ids[channel] = [o.id for o in result.outputs]
    return ids["social_post"], ids["sms"]


def _read(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), {r["output_id"]: r for r in rows}


def _export(engine: Engine, path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Export a CSV sheet with the engine's rubrics; its header and rows by output id."""
    export_sheet(engine.store, path, rubrics=scoring.rubrics_of(engine))
    return _read(path)


def _write(path: Path, header: list[str], rows: dict[str, dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows.values())


def _marks(engine: Engine, output_id: str) -> dict[str, team.RubricMark]:
    """The rubric mark of each rating of one output, by rating kind."""
    ratings = {r.id: r.kind for r in engine.ratings(output_id)}
    return {ratings[i]: m for i, m in team.marks_of(engine.store, ratings).items()}


def test_export_names_each_rows_rubric_and_has_a_column_per_criterion(
    engine: Engine, tmp_path: Path
) -> None:
    posts, texts = _generate(engine)
    path = tmp_path / "review.csv"
    header, rows = _export(engine, path)
    criteria = [c.removeprefix("rubric.") for c in header if c.startswith("rubric.")]
    assert sorted(criteria) == sorted(set(MARKETING + SMS)), "one column per criterion, once"
    assert header.index("rubric") == header.index("score") + 1
    assert {rows[o]["rubric"] for o in posts} == {"task:marketing"}
    assert {rows[o]["rubric"] for o in texts} == {"channel:sms"}
    assert all(rows[o][f"rubric.{c}"] == "" for o in rows for c in criteria)

    export_sheet(engine.store, tmp_path / "plain.csv")
    plain, _ = _read(tmp_path / "plain.csv")
    assert "rubric" not in plain, "without rubrics the sheet is as before"


def test_criterion_scores_round_trip_with_the_rubric_and_bad_cells_are_reported(
    engine: Engine, tmp_path: Path
) -> None:
    posts, texts = _generate(engine)
    rubrics = scoring.rubrics_of(engine)
    path = tmp_path / "review.csv"
    header, rows = _export(engine, path)
    rows[posts[0]].update({"rubric.accurate": "4", "rubric.on_brand": "5", "thumb": "up"})
    rows[posts[1]].update({"rubric.accurate": "7", "score": "3"})
    rows[texts[0]].update({"rubric.to_the_point": "2", "rubric.compliant": "5", "score": "4"})
    rows[texts[1]].update({"rubric.on_brand": "4"})  # not a criterion of the sms rubric
    _write(path, header, rows)

    report = import_sheet(engine.store, path, rater="ana", engine=engine)
    problems = {p.output_id: p.message for p in report.problems}
    assert set(problems) == {posts[1], texts[1]}, "bad rows are reported, good rows stored"
    assert "rubric.accurate" in problems[posts[1]] and "7" in problems[posts[1]]
    assert "'on_brand' is not a criterion of rubric 'channel:sms'" in problems[texts[1]]
    assert "rubric.to_the_point" in problems[texts[1]], "the valid criteria are named"
    assert engine.ratings(posts[1]) == [] and engine.ratings(texts[1]) == []

    marketing = _marks(engine, posts[0])
    assert set(marketing) == {"score", "thumb"}, "the rubric is stored with each rating"
    assert dict(marketing["score"].scores) == {"accurate": 4, "on_brand": 5}
    assert dict(marketing["thumb"].scores) == {}
    assert marketing["score"].rubric_sha256 == rubrics.get("task:marketing").sha256
    (score,) = [r for r in engine.ratings(posts[0]) if r.kind == "score"]
    assert score.score == 5, "no overall score given: the criteria's mean, 4.5 rounded up"
    sms = _marks(engine, texts[0])["score"]
    assert (sms.rubric_id, dict(sms.scores)) == ("channel:sms", {"to_the_point": 2, "compliant": 5})
    assert [r.score for r in engine.ratings(texts[0])] == [4], "a given overall score is kept"

    again = import_sheet(engine.store, path, rater="ana", engine=engine)
    assert again.stored == 0 and again.duplicates == report.stored

    rows[posts[0]]["rubric.accurate"] = "2"  # a changed criterion is a new rating
    _write(path, header, rows)
    import_sheet(engine.store, path, rater="ana", engine=engine)
    judged = {
        (j.output_id, j.criterion): j.value
        for j in team.judgements(engine.store)
        if j.rater == "ana"
    }
    assert judged[(posts[0], "accurate")] == 2 and judged[(posts[0], "overall")] == 4
    assert judged[(texts[0], "compliant")] == 5


def test_xlsx_criterion_cells_have_drop_downs_and_numbers_read_back(
    engine: Engine, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    posts, _ = _generate(engine)
    path = tmp_path / "review.xlsx"
    export_sheet(engine.store, path, rubrics=scoring.rubrics_of(engine))
    book = load_workbook(path)
    sheet = book["review"]
    header = [c.value for c in sheet[1]]
    column = header.index("rubric.persuasive") + 1
    checked = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    assert sheet.cell(row=1, column=column).column_letter + "2" in checked
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == posts[0])
    sheet.cell(row=row, column=column).value = 3  # a reviewer types a number
    book.save(path)

    report = import_sheet(engine.store, path, rater="bo", engine=engine)
    assert report.ok and report.stored == 1
    assert dict(_marks(engine, posts[0])["score"].scores) == {"persuasive": 3}


def test_filled_criteria_without_rubrics_to_check_them_are_refused_not_dropped(
    engine: Engine, tmp_path: Path
) -> None:
    posts, _ = _generate(engine)
    path = tmp_path / "review.csv"
    header, rows = _export(engine, path)
    rows[posts[0]].update({"rubric.accurate": "4", "score": "4"})
    rows[posts[1]].update({"score": "2"})
    _write(path, header, rows)

    report = import_sheet(engine.store, path, rater="ana")  # no engine, no rubrics
    assert [p.output_id for p in report.problems] == [posts[0]]
    assert "import the sheet with the engine" in report.problems[0].message
    assert engine.ratings(posts[0]) == [] and [r.score for r in engine.ratings(posts[1])] == [2]


def test_the_cli_sheet_round_trip_carries_the_criteria(engine: Engine, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from contentgen.cli.feedback import review

    _, texts = _generate(engine)
    path = tmp_path / "review.csv"
    exported = CliRunner().invoke(review, ["export", str(path)], obj={"engine": engine})
    assert exported.exit_code == 0, exported.output
    header, rows = _read(path)
    rows[texts[0]].update({"rubric.compliant": "3"})
    _write(path, header, rows)
    args = ["import", str(path), "--rater", "cy"]
    imported = CliRunner().invoke(review, args, obj={"engine": engine})
    assert imported.exit_code == 0, imported.output
    assert dict(_marks(engine, texts[0])["score"].scores) == {"compliant": 3}


def test_a_row_copied_twice_stores_one_rating_with_one_mark(engine: Engine, tmp_path: Path) -> None:
    posts, _ = _generate(engine)
    path = tmp_path / "review.csv"
    header, rows = _export(engine, path)
    rows[posts[0]].update({"rubric.accurate": "3"})
    _write(path, header, rows)
    with path.open("a", encoding="utf-8", newline="") as handle:  # the row again, at the end
        csv.DictWriter(handle, fieldnames=header).writerow(rows[posts[0]])

    report = import_sheet(engine.store, path, rater="ana", engine=engine)
    assert report.ok
    (score,) = engine.ratings(posts[0])
    assert dict(_marks(engine, posts[0])["score"].scores) == {"accurate": 3}
    assert score.score == 3
