"""The blind review: the sheet hides the arms, the key recovers them, scoring counts right."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from contentgen.errors import ValidationError
from contentgen.feedback.blind_review import (
    KEY_FILE,
    SHEET_COLUMNS,
    format_scores,
    make_review,
    read_key,
    score_review,
)
from contentgen.feedback.intervals import wilson_interval
from contentgen.feedback.sheetfiles import read_sheet

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "blind_review.py"


def arm_file(folder: Path, name: str, count: int, *, tag: str) -> Path:
    """A JSONL of `count` outputs of arm `name`, each text unique to its arm and line."""
    path = folder / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            row = {
                "id": f"{name}-output-{i}",
                "arm": name,
                "channel": "sms",
                "request": {"channel": "sms", "tone": "friendly",
                            "product": {"name": f"Lamp {i}", "price_eur": "19.00"}},
                "text": f"Meet Lamp {i}: {tag} copy number {i}, 19.00 EUR. Shop now!",
            }  # fmt: skip
            handle.write(json.dumps(row) + "\n")
    return path


@pytest.fixture
def arms(tmp_path: Path) -> list[Path]:
    """Two arms with names and ids that must not appear on the sheet."""
    return [
        arm_file(tmp_path, "zebraarm", 80, tag="bright"),
        arm_file(tmp_path, "yakarm", 70, tag="calm"),
    ]


def sheet_rows(review: Path) -> list[dict[str, str]]:
    """The sheet's rows in order."""
    header, rows = read_sheet(review / "sheet.csv")
    assert tuple(header) == SHEET_COLUMNS
    return rows


def test_sheet_hides_the_arms_and_the_key_recovers_them(tmp_path: Path, arms: list[Path]) -> None:
    review = tmp_path / "review"
    make_review(arms, 60, 3, review)
    raw = (review / "sheet.csv").read_text(encoding="utf-8-sig")
    for secret in ("zebraarm", "yakarm", "output-", ".jsonl"):
        assert secret not in raw
    rows = sheet_rows(review)
    key = read_key(review)
    assert len(rows) == 120 and set(key["items"]) == {r["item"] for r in rows}
    assert [r["item"] for r in rows] == sorted(key["items"])  # numbered in sheet order
    files = {a["name"]: Path(a["file"]) for a in key["arms"]}
    lines = {n: p.read_text(encoding="utf-8").splitlines() for n, p in files.items()}
    picked: dict[str, set[int]] = {"zebraarm": set(), "yakarm": set()}
    for row in rows:
        entry = key["items"][row["item"]]
        source = json.loads(lines[entry["arm"]][entry["line"] - 1])
        assert row["output"] == source["text"] and source["id"] == entry["id"]
        assert "\nproduct:\n  name: Lamp" in row["request"] and row["channel"] == "sms"
        picked[entry["arm"]].add(entry["line"])
    assert {arm: len(found) for arm, found in picked.items()} == {"zebraarm": 60, "yakarm": 60}
    assert (review / KEY_FILE).stat().st_mode & 0o077 == 0


def test_the_order_is_shuffled_and_the_seed_repeats_it(tmp_path: Path, arms: list[Path]) -> None:
    make_review(arms, 60, 3, tmp_path / "a")
    make_review(arms, 60, 3, tmp_path / "b")
    make_review(arms, 60, 4, tmp_path / "c")
    sheet = (tmp_path / "a" / "sheet.csv").read_bytes()
    assert sheet == (tmp_path / "b" / "sheet.csv").read_bytes()
    assert sheet != (tmp_path / "c" / "sheet.csv").read_bytes()
    key = read_key(tmp_path / "a")
    order = [key["items"][item]["arm"] for item in sorted(key["items"])]
    switches = sum(a != b for a, b in zip(order, order[1:], strict=False))
    assert switches >= 30  # grouped by arm it would be 1; a fair shuffle gives about 60
    assert order[:60].count("zebraarm") not in (0, 60)


def grade_all(review: Path, path: Path, grade_of: dict[str, list[str]]) -> None:
    """Write a graded CSV: each arm's items get grades from its list, in item order."""
    key = read_key(review)
    given = {arm: iter(grades) for arm, grades in grade_of.items()}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "grade", "criteria"])
        for item in sorted(key["items"]):
            grade = next(given[key["items"][item]["arm"]])
            plain = grade.lower()
            criteria = "U1, U4" if plain == "unusable" else ("L2" if "edit" in plain else "")
            writer.writerow([item, grade, criteria])


def test_scoring_counts_grades_per_arm_with_wilson_intervals(
    tmp_path: Path, arms: list[Path]
) -> None:
    review = tmp_path / "review"
    make_review(arms, 60, 3, review)
    graded = tmp_path / "graded.csv"
    zebra = ["publishable"] * 40 + ["Light edit"] * 15 + ["unusable"] * 5
    yak = ["publishable"] * 6 + ["light-edit"] * 24 + ["UNUSABLE"] * 30
    grade_all(review, graded, {"zebraarm": zebra, "yakarm": yak})
    scores = {s.arm: s for s in score_review(review, graded)}
    assert dict(scores["zebraarm"].counts) == {"publishable": 40, "light_edit": 15, "unusable": 5}
    assert dict(scores["yakarm"].counts) == {"publishable": 6, "light_edit": 24, "unusable": 30}
    assert scores["zebraarm"].publishable == wilson_interval(40, 60)
    assert scores["yakarm"].acceptable == wilson_interval(30, 60)
    assert dict(scores["yakarm"].criteria) == {"U1": 30, "U4": 30, "L2": 24}
    table = format_scores(list(scores.values()))
    assert "| zebraarm | 60 | 40 | 15 | 5 | 67% [" in table


def test_an_xlsx_sheet_reads_back(tmp_path: Path, arms: list[Path]) -> None:
    sheet = make_review(arms, 5, 1, tmp_path / "review", fmt="xlsx")
    header, rows = read_sheet(sheet)
    assert tuple(header) == SHEET_COLUMNS and len(rows) == 10
    assert all(r["output"].startswith("Meet Lamp") and not r["grade"] for r in rows)


def test_the_sheet_shows_fields_labelled_only_when_there_are_several(tmp_path: Path) -> None:
    outputs = {
        "ads": {"headline": "Dry Feet Daily", "description": "Nubuck boots, 149 EUR."},
        "texts": {"text": "Dry feet on every trail, 149 EUR. Shop now!"},
    }
    paths = []
    for name, fields in outputs.items():
        row = {"arm": name, "text": "raw model text", "fields": fields, "request": "boots"}
        paths.append(tmp_path / f"{name}.jsonl")
        paths[-1].write_text(json.dumps(row) + "\n", encoding="utf-8")
    rows = sheet_rows(make_review(paths, 1, 0, tmp_path / "review").parent)
    assert sorted(r["output"] for r in rows) == [
        "Dry feet on every trail, 149 EUR. Shop now!",
        "headline: Dry Feet Daily\ndescription: Nubuck boots, 149 EUR.",
    ]
    assert {r["request"] for r in rows} == {"boots"}


def test_bad_arm_files_are_refused(tmp_path: Path, arms: list[Path]) -> None:
    out = tmp_path / "review"
    with pytest.raises(ValidationError, match="fewer than 75"):
        make_review(arms, 75, 1, out)
    with pytest.raises(ValidationError, match="at least two arms"):
        make_review(arms[:1], 10, 1, out)
    twin = tmp_path / "twin"
    twin.mkdir()
    with pytest.raises(ValidationError, match="both arm 'zebraarm'"):
        make_review([arms[0], arm_file(twin, "zebraarm", 80, tag="x")], 10, 1, out)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "fine"}\n{"text": \n{"id": 3}\n', encoding="utf-8")
    with pytest.raises(ValidationError, match='line 2: not JSON.*line 3: no "text"'):
        make_review([arms[0], broken], 1, 1, out)
    assert not out.exists()
    make_review(arms, 10, 1, out)
    with pytest.raises(ValidationError, match="already holds a review"):
        make_review(arms, 10, 1, out)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda rows: rows[0].__setitem__(1, "great"), r"unknown grade 'great' \(valid: publish"),
        (lambda rows: rows[0].__setitem__(0, "item-999"), "unknown item 'item-999'"),
        (lambda rows: rows.append(list(rows[0])), "graded twice"),
        (lambda rows: rows[3].__setitem__(1, ""), r"1 item\(s\) without a grade"),
        (lambda rows: rows[2].__setitem__(2, "U1, bad"), "criteria BAD are not rubric numbers"),
    ],
)
def test_bad_judgements_are_refused(tmp_path: Path, arms: list[Path], edit, message) -> None:  # type: ignore[no-untyped-def]
    review = tmp_path / "review"
    make_review(arms, 10, 1, review)
    graded = tmp_path / "graded.csv"
    grade_all(review, graded, {"zebraarm": ["publishable"] * 10, "yakarm": ["unusable"] * 10})
    with graded.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    edit(rows)
    with graded.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    with pytest.raises(ValidationError, match=message):
        score_review(review, graded)


def test_a_sheet_without_a_grade_column_or_a_key_is_refused(
    tmp_path: Path, arms: list[Path]
) -> None:
    review = tmp_path / "review"
    make_review(arms, 10, 1, review)
    plain = tmp_path / "plain.csv"
    plain.write_text("item,score\nitem-001,5\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no column 'grade'"):
        score_review(review, plain)
    with pytest.raises(ValidationError, match="holds no key.json"):
        score_review(tmp_path, plain)


def test_the_script_makes_scores_and_reports_errors_without_a_traceback(
    tmp_path: Path, arms: list[Path]
) -> None:
    review = tmp_path / "review"
    made = subprocess.run(
        [sys.executable, str(SCRIPT), "make", "--arms", *map(str, arms), "--n", "10",
         "--seed", "5", "--out", str(review)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0 and "keep key.json private" in made.stdout
    graded = tmp_path / "graded.csv"
    grade_all(review, graded, {"zebraarm": ["publishable"] * 10, "yakarm": ["light edit"] * 10})
    scored = subprocess.run(
        [sys.executable, str(SCRIPT), "score", str(review), "--judgements", str(graded)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert scored.returncode == 0 and "| yakarm | 10 | 0 | 10 | 0 |" in scored.stdout
    failed = subprocess.run(
        [sys.executable, str(SCRIPT), "score", str(tmp_path), "--judgements", str(graded)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode == 2 and failed.stderr.startswith("error: review:")
    assert "Traceback" not in failed.stderr
