"""Blind A/B review of returned copy: a shuffled sheet without arm names, a private key, scores.

`make_review` samples n outputs from each arm's JSONL (one JSON object per line: "text", the
"request" it answers, optional "fields", "channel", "id" and "arm"), shuffles them together and
writes a sheet whose items are numbered in shuffled order, so nothing on it tells the arms apart;
which arm wrote each item goes to a separate key file. `score_review` reads the graded sheet
(docs/copy_rubric.md: publishable / light_edit / unusable) and counts the grades per arm with
Wilson intervals.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentgen.errors import ValidationError
from contentgen.feedback.intervals import Estimate, wilson_interval
from contentgen.feedback.sheetfiles import read_sheet, sheet_format, write_sheet

GRADES: tuple[str, ...] = ("publishable", "light_edit", "unusable")
SHEET_COLUMNS = ("item", "channel", "request", "output", "grade", "criteria", "note")
KEY_FILE = "key.json"
KEY_VERSION = 1
SHEET_STEM = "sheet"
_CRITERION = re.compile(r"[UL][0-9]{1,2}")
_SHOWN_ERRORS = 10
INSTRUCTIONS = (
    "Grade every row against docs/copy_rubric.md: publishable, light_edit or unusable.",
    "For anything below publishable, put the rubric's criterion numbers in 'criteria' (U1, L2).",
    "Judge each row on its own: the rows come from several generators in random order.",
)


@dataclass(frozen=True)
class ArmFile:
    """One arm's returned outputs: its name, the file they came from and the rows."""

    name: str
    path: Path
    rows: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Judgement:
    """A reviewer's grade for one sheet item, with the rubric criteria cited."""

    item: str
    grade: str
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArmScore:
    """One arm's unblinded grades: counts, the two shares the targets name, criteria cited."""

    arm: str
    counts: Mapping[str, int]
    publishable: Estimate
    acceptable: Estimate  # publishable or light edit
    criteria: Mapping[str, int]

    @property
    def graded(self) -> int:
        """How many of the arm's items were graded."""
        return sum(self.counts.values())


def _bad(field: str, problems: Sequence[str]) -> ValidationError:
    shown = "; ".join(problems[:_SHOWN_ERRORS])
    more = len(problems) - _SHOWN_ERRORS
    return ValidationError(field, shown + (f"; and {more} more" if more > 0 else ""))


def read_arm(path: Path) -> ArmFile:
    """An arm's JSONL: every line an object with a non-empty "text"; named by "arm" or the file."""
    if not path.is_file():
        raise ValidationError("arms", f"{path} does not exist")
    rows: list[Mapping[str, Any]] = []
    problems: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path.name} line {number}: not JSON ({exc.msg})")
                continue
            text = row.get("text") if isinstance(row, dict) else None
            if not isinstance(text, str) or not text.strip():
                problems.append(f'{path.name} line {number}: no "text"')
                continue
            rows.append({**row, "_line": number})
    if problems:
        raise _bad("arms", problems)
    if not rows:
        raise ValidationError("arms", f"{path} holds no outputs")
    names = {r.get("arm") for r in rows}
    only = next(iter(names)) if len(names) == 1 else None
    name = only if isinstance(only, str) and only.strip() else path.stem
    return ArmFile(name=name, path=path, rows=tuple(rows))


def _flatten(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_flatten(v) for v in value)
    return str(value)


def _request_text(request: Any) -> str:
    """One line per request field; a nested mapping (the product facts) one line per fact."""
    if not isinstance(request, Mapping):
        return _flatten(request) if request is not None else ""
    lines = []
    for key, value in request.items():
        if key == "channel":  # it has its own column
            continue
        if isinstance(value, Mapping):
            lines += [f"{key}:", *(f"  {k}: {_flatten(v)}" for k, v in value.items())]
        else:
            lines.append(f"{key}: {_flatten(value)}")
    return "\n".join(lines)


def _output_text(row: Mapping[str, Any]) -> str:
    """The output's fields, labelled when there are several; else its text."""
    fields = row.get("fields")
    if isinstance(fields, Mapping) and len(fields) > 1:
        return "\n".join(f"{k}: {v}" for k, v in fields.items())
    if isinstance(fields, Mapping) and fields:
        return str(next(iter(fields.values())))
    return str(row["text"])


def _sheet_row(item: str, row: Mapping[str, Any]) -> dict[str, str]:
    request = row.get("request")
    channel = row.get("channel") or (request.get("channel") if isinstance(request, Mapping) else "")
    return {
        "item": item,
        "channel": str(channel or ""),
        "request": _request_text(request),
        "output": _output_text(row),
    }


def _sample(arms: Sequence[ArmFile], n: int, seed: int) -> list[tuple[ArmFile, Mapping[str, Any]]]:
    """n rows from each arm, then all of them shuffled together."""
    rng = random.Random(seed)
    picked = [(arm, row) for arm in arms for row in rng.sample(list(arm.rows), n)]
    rng.shuffle(picked)
    return picked


def load_arms(paths: Sequence[Path], n: int) -> list[ArmFile]:
    """Read every arm; refuse fewer than two, duplicate names, and arms with fewer than n rows."""
    if len(paths) < 2:
        raise ValidationError("arms", f"a blind review needs at least two arms, got {len(paths)}")
    if n < 1:
        raise ValidationError("n", f"must be at least 1, got {n}")
    arms = [read_arm(Path(p)) for p in paths]
    seen: dict[str, Path] = {}
    for arm in arms:
        if arm.name in seen:
            raise ValidationError(
                "arms", f"{seen[arm.name]} and {arm.path} are both arm {arm.name!r}"
            )
        seen[arm.name] = arm.path
        if len(arm.rows) < n:
            raise ValidationError(
                "n", f"arm {arm.name!r} ({arm.path}) has {len(arm.rows)} outputs, fewer than {n}"
            )
    return arms


def make_review(paths: Sequence[Path], n: int, seed: int, out: Path, fmt: str = "csv") -> Path:
    """Write the shuffled sheet and the private key into `out`; returns the sheet's path."""
    fmt = sheet_format(Path(f"{SHEET_STEM}.{fmt}"))
    arms = load_arms(paths, n)
    if (out / KEY_FILE).exists():
        raise ValidationError(
            "out", f"{out} already holds a review ({KEY_FILE}); pick a new folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    picked = _sample(arms, n, seed)
    width = max(3, len(str(len(picked))))
    items = [f"item-{i:0{width}d}" for i in range(1, len(picked) + 1)]
    sheet = out / f"{SHEET_STEM}.{fmt}"
    rows = [_sheet_row(item, row) for item, (_, row) in zip(items, picked, strict=True)]
    write_sheet(sheet, SHEET_COLUMNS, rows, fmt, choices={"grade": GRADES},
                instructions=INSTRUCTIONS, wide=("request", "output"))  # fmt: skip
    key = {
        "version": KEY_VERSION,
        "seed": seed,
        "n": n,
        "sheet": sheet.name,
        "arms": [{"name": a.name, "file": str(a.path), "rows": len(a.rows)} for a in arms],
        "items": {
            item: {"arm": arm.name, "line": row["_line"], "id": row.get("id")}
            for item, (arm, row) in zip(items, picked, strict=True)
        },
    }
    key_path = out / KEY_FILE
    key_path.write_text(json.dumps(key, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.chmod(key_path, 0o600)  # the reviewer must not read it: owner only
    return sheet


def read_key(folder: Path) -> dict[str, Any]:
    """The review's private key; a clear error when the folder holds none."""
    path = folder / KEY_FILE
    if not path.is_file():
        raise ValidationError("review", f"{folder} holds no {KEY_FILE} (run `make` first)")
    try:
        key = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValidationError("review", f"{path} is not JSON: {exc}") from None
    if not isinstance(key, dict) or key.get("version") != KEY_VERSION:
        raise ValidationError("review", f"{path} is not a blind-review key (version {KEY_VERSION})")
    return key


def normalise_grade(value: str) -> str:
    """'Light edit', 'light-edit' and 'light_edit' are one grade."""
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def _judgement(number: int, row: Mapping[str, str], problems: list[str]) -> Judgement | None:
    where = f"row {number} ({row.get('item') or 'no item'})"
    grade = normalise_grade(row.get("grade", ""))
    if not grade:
        return None
    if grade not in GRADES:
        problems.append(f"{where}: unknown grade {row['grade']!r} (valid: {', '.join(GRADES)})")
        return None
    codes = [c for c in re.split(r"[\s,;/]+", row.get("criteria", "").upper()) if c]
    wrong = [c for c in codes if not _CRITERION.fullmatch(c)]
    if wrong:
        problems.append(
            f"{where}: criteria {', '.join(wrong)} are not rubric numbers like U1 or L2"
        )
    return Judgement(row.get("item", ""), grade, tuple(codes))


def read_judgements(path: Path, items: Collection[str]) -> dict[str, Judgement]:
    """The graded sheet: every item of the review graded once with a known grade, else an error."""
    header, rows = read_sheet(path)
    missing_columns = [c for c in ("item", "grade") if c not in header]
    if missing_columns:
        raise ValidationError(
            "judgements", f"{path.name} has no column {missing_columns[0]!r}", header
        )
    problems: list[str] = []
    found: dict[str, Judgement] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        item = row.get("item", "")
        if item not in items:
            problems.append(f"row {number}: unknown item {item!r}")
            continue
        judgement = _judgement(number, row, problems)
        if judgement is None:
            continue
        if item in found:
            problems.append(f"row {number}: {item} is graded twice")
        found[item] = judgement
    ungraded = sorted(set(items) - set(found))
    if ungraded:
        problems.append(f"{len(ungraded)} item(s) without a grade: {', '.join(ungraded[:5])}")
    if problems:
        raise _bad("judgements", problems)
    return found


def score_review(folder: Path, judgements_path: Path) -> list[ArmScore]:
    """Unblind the graded sheet: grade counts per arm, in the order the arms were given."""
    key = read_key(folder)
    items: Mapping[str, Mapping[str, Any]] = key["items"]
    judgements = read_judgements(judgements_path, items)
    scores = []
    for arm in (a["name"] for a in key["arms"]):
        mine = [j for item, j in judgements.items() if items[item]["arm"] == arm]
        counts = Counter(j.grade for j in mine)
        graded = len(mine)
        good = counts["publishable"]
        scores.append(
            ArmScore(
                arm=arm,
                counts={g: counts.get(g, 0) for g in GRADES},
                publishable=wilson_interval(good, graded),
                acceptable=wilson_interval(good + counts["light_edit"], graded),
                criteria=dict(Counter(c for j in mine for c in j.criteria).most_common()),
            )
        )
    return scores


def format_scores(scores: Sequence[ArmScore]) -> str:
    """The per-arm counts and shares as a Markdown table (95% Wilson intervals)."""
    lines = [
        "| arm | graded | publishable | light edit | unusable | publishable share "
        "| publishable or light edit | criteria cited |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for s in scores:
        cited = ", ".join(f"{c} {k}" for c, k in s.criteria.items()) or "-"
        lines.append(
            f"| {s.arm} | {s.graded} | {s.counts['publishable']} | {s.counts['light_edit']} "
            f"| {s.counts['unusable']} | {s.publishable.format(percent=True)} "
            f"| {s.acceptable.format(percent=True)} | {cited} |"
        )
    return "\n".join(lines)
