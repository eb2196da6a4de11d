"""Review sheets: export outputs to rate (or pairs to compare) as CSV/XLSX, import the filled sheet.

Import is keyed by output id and idempotent: every stored rating carries
import_key = sha256(sheet id + the row's content + rating kind), so importing the same sheet twice
stores nothing new. Bad rows (unknown id, score 7, garbage thumb) are reported one by one with
their spreadsheet row number while the good rows are stored.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import ContentgenError, ValidationError
from contentgen.feedback.sheetfiles import read_sheet, sheet_format, write_sheet
from contentgen.ids import new_id
from contentgen.ratings import THUMBS, check_preference, rating_rows

if TYPE_CHECKING:
    from contentgen.storage.store import Store
    from contentgen.types import Output

RATE_COLUMNS = (
    "sheet_id",
    "output_id",
    "task",
    "template",
    "text",
    "score",
    "thumb",
    "comment",
    "edited_text",
    "rater",
)
PAIR_COLUMNS = (
    "sheet_id",
    "pair_id",
    "task",
    "template",
    "left_text",
    "right_text",
    "preferred",
    "rater",
    "first_output_id",
    "second_output_id",
    "left_is",
)
INPUT_COLUMNS = ("score", "thumb", "comment", "edited_text", "preferred", "rater")
SHEET_KINDS = ("rate", "pairwise")
EXTRA_THUMBS = {
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "\N{THUMBS UP SIGN}": True,
    "\N{THUMBS DOWN SIGN}": False,
}
PREFERRED = {"left": "left", "l": "left", "right": "right", "r": "right"}
TIES = ("tie", "same", "equal", "=")
RATE_HELP = (
    "Rate each row: score 1 (poor) to 5 (publish as is), thumb up/down, an optional comment, and",
    "edited_text: your corrected final version (leave empty when no edit is needed).",
    "Do not change sheet_id, output_id or the order of columns. Save as the same format.",
)
PAIR_HELP = (
    "For each pair, write left or right in 'preferred' (or tie). Sides were shuffled at random.",
    "Do not change sheet_id, pair_id or the *_output_id / left_is columns.",
)


@dataclass(frozen=True)
class SheetExport:
    """An exported review sheet."""

    sheet_id: str
    path: Path
    kind: str
    rows: int


@dataclass(frozen=True)
class RowProblem:
    """Why one sheet row was not stored (row numbers as the spreadsheet shows them)."""

    row: int
    output_id: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    """What importing a review sheet did."""

    kind: str
    rows: int
    stored: int
    duplicates: int
    empty: int
    problems: tuple[RowProblem, ...] = ()
    sheet_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when every non-empty row was stored (now or by an earlier import)."""
        return not self.problems

    def summary(self) -> str:
        """A one-paragraph text summary with one line per bad row."""
        lines = [
            f"{self.rows} rows: {self.stored} ratings stored, {self.duplicates} already imported, "
            f"{self.empty} rows left empty, {len(self.problems)} rows with problems"
        ]
        lines += [f"  row {p.row} ({p.output_id or 'no id'}): {p.message}" for p in self.problems]
        return "\n".join(lines)


def export_sheet(
    store: Store,
    path: Path,
    *,
    kind: str = "rate",
    fmt: str | None = None,
    limit: int = 200,
    seed: int | None = None,
    **filters: Any,
) -> SheetExport:
    """Write a sheet of text outputs to rate (kind 'rate') or pairs to compare ('pairwise')."""
    if kind not in SHEET_KINDS:
        raise ValidationError("kind", f"unknown review sheet kind {kind!r}", SHEET_KINDS)
    fmt = sheet_format(path, fmt)
    filters = {"status": "ok", **filters}
    sheet_id = f"sheet-{new_id()[:12]}"
    outputs = [
        o
        for o in store.list_outputs(
            limit=limit * (2 if kind == "pairwise" else 1), unrated_first=True, **filters
        )
        if o.text
    ]
    if kind == "rate":
        rows = [_rate_row(sheet_id, o) for o in outputs[:limit]]
        write_sheet(
            path,
            RATE_COLUMNS,
            rows,
            fmt,
            choices={"score": ("1", "2", "3", "4", "5"), "thumb": ("up", "down")},
            instructions=RATE_HELP,
            wide=("text", "edited_text", "comment"),
        )
    else:
        rows = _pair_rows(sheet_id, outputs, limit, random.Random(seed))
        write_sheet(
            path,
            PAIR_COLUMNS,
            rows,
            fmt,
            choices={"preferred": ("left", "right", "tie")},
            instructions=PAIR_HELP,
            wide=("left_text", "right_text"),
        )
    return SheetExport(sheet_id, path, kind, len(rows))


def _rate_row(sheet_id: str, output: Output) -> dict[str, Any]:
    return {
        "sheet_id": sheet_id,
        "output_id": output.id,
        "task": output.task.value,
        "template": output.provenance.template_id or "",
        "text": output.text or "",
    }


def _pair_rows(
    sheet_id: str, outputs: Sequence[Output], limit: int, rng: random.Random
) -> list[dict[str, Any]]:
    by_request: dict[str, list[Output]] = defaultdict(list)
    for output in outputs:
        by_request[output.request_id].append(output)
    rows: list[dict[str, Any]] = []
    for siblings in by_request.values():
        siblings.sort(key=lambda o: o.index)
        for first, second in zip(siblings[::2], siblings[1::2], strict=False):
            if len(rows) >= limit:
                return rows
            swapped = rng.random() < 0.5
            left, right = (second, first) if swapped else (first, second)
            rows.append(
                {
                    "sheet_id": sheet_id,
                    "pair_id": f"{first.id[:8]}-{second.id[:8]}",
                    "task": first.task.value,
                    "template": first.provenance.template_id or "",
                    "left_text": left.text or "",
                    "right_text": right.text or "",
                    "first_output_id": first.id,
                    "second_output_id": second.id,
                    "left_is": "second" if swapped else "first",
                }
            )
    return rows


def import_key(sheet_id: str, row: Mapping[str, str], kind: str) -> str:
    """sha256 of the sheet id, the row's identifying and filled-in content, and the rating kind."""
    content = {
        k: row.get(k, "") for k in sorted(row) if k in INPUT_COLUMNS or k.endswith("output_id")
    }
    blob = json.dumps([sheet_id, content, kind], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class _Planned:
    row: int
    output_id: str
    ratings: list[dict[str, Any]]
    keys: list[str]


def import_sheet(store: Store, path: Path, *, rater: str, fmt: str | None = None) -> ImportReport:
    """Store the ratings of a filled-in sheet; each bad row is reported, the good ones stored."""
    header, rows = read_sheet(path, fmt)
    kind = "pairwise" if "left_text" in header else "rate"
    required = (
        ("sheet_id", "first_output_id", "second_output_id", "left_is", "preferred")
        if kind == "pairwise"
        else ("sheet_id", "output_id")
    )
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(
            "sheet", f"{path.name} lacks the column {missing[0]!r}; export a new sheet", required
        )
    ids = [
        row.get(c, "") for row in rows for c in ("output_id", "first_output_id", "second_output_id")
    ]
    outputs = _outputs(store, [i for i in ids if i])
    planned: list[_Planned] = []
    problems: list[RowProblem] = []
    empty = 0
    for number, row in enumerate(rows, start=2):
        oid = row.get("output_id") or row.get("first_output_id", "")
        try:
            plan = (
                _plan_pair(row, outputs, rater)
                if kind == "pairwise"
                else _plan_rate(row, outputs, rater)
            )
        except ContentgenError as exc:
            problems.append(RowProblem(number, oid, str(exc)))
            continue
        if not plan:
            empty += 1
            continue
        sheet_id = row.get("sheet_id", "")
        planned.append(
            _Planned(number, oid, plan, [import_key(sheet_id, row, r["kind"]) for r in plan])
        )
    from contentgen.storage.feedback import FeedbackStore

    seen = FeedbackStore(store).existing_import_keys(k for p in planned for k in p.keys)
    stored = duplicates = 0
    for item in planned:
        for rating, key in zip(item.ratings, item.keys, strict=True):
            if key in seen:
                duplicates += 1
                continue
            store.add_rating(source="sheet", import_key=key, **rating)
            stored += 1
    sheet_ids = tuple(sorted({r.get("sheet_id", "") for r in rows} - {""}))
    return ImportReport(kind, len(rows), stored, duplicates, empty, tuple(problems), sheet_ids)


def _outputs(store: Store, ids: Sequence[str]) -> dict[str, Output]:
    from contentgen.storage.feedback import FeedbackStore

    known = sorted(FeedbackStore(store).known_output_ids(ids))
    found: dict[str, Output] = {}
    for start in range(0, len(known), 500):
        found.update((o.id, o) for o in store.get_outputs(known[start : start + 500]))
    return found


def _known(outputs: Mapping[str, Output], output_id: str) -> Output:
    if not output_id:
        raise ValidationError("output_id", "is empty; do not edit the id columns")
    if output_id not in outputs:
        raise ValidationError("output_id", f"unknown output {output_id!r} (not in this database)")
    return outputs[output_id]


def _score(value: str) -> int | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ValidationError("score", f"{value!r} is not a number", range(1, 6)) from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValidationError(
            "score", f"{value} is outside the scale; use a whole number", range(1, 6)
        )
    return int(number)


def _thumb(value: str) -> bool | None:
    if not value:
        return None
    key = value.strip().lower()
    if key in THUMBS:
        return THUMBS[key]
    if key in EXTRA_THUMBS:
        return EXTRA_THUMBS[key]
    raise ValidationError("thumb", f"unknown value {value!r}", ["up", "down"])


def _rater_of(row: Mapping[str, str], rater: str) -> str:
    return row.get("rater") or rater


def _plan_rate(
    row: Mapping[str, str], outputs: Mapping[str, Output], rater: str
) -> list[dict[str, Any]]:
    if not any(row.get(c) for c in ("score", "thumb", "comment", "edited_text")):
        return []
    output = _known(outputs, row.get("output_id", ""))
    edited = row.get("edited_text") or None
    if edited is not None and edited.strip() == (output.text or "").strip():
        edited = None  # the reviewer copied the text unchanged: not an edit
    comment = row.get("comment") or None
    score, thumb = _score(row.get("score", "")), _thumb(row.get("thumb", ""))
    who = _rater_of(row, rater)
    if score is None and thumb is None and comment is None and edited is None:
        return []
    parts = rating_rows(rater=who, score=score, thumb=thumb, comment=comment, edited_text=edited)
    return [{"output_id": output.id, "rater": who, **part} for part in parts]


def _plan_pair(
    row: Mapping[str, str], outputs: Mapping[str, Output], rater: str
) -> list[dict[str, Any]]:
    choice = row.get("preferred", "").strip().lower()
    if not choice or choice in TIES:
        return []
    if choice not in PREFERRED:
        raise ValidationError(
            "preferred", f"unknown value {row.get('preferred')!r}", ["left", "right", "tie"]
        )
    first = _known(outputs, row.get("first_output_id", ""))
    second = _known(outputs, row.get("second_output_id", ""))
    left_is = row.get("left_is", "").strip().lower()
    if left_is not in ("first", "second"):
        raise ValidationError(
            "left_is", f"was changed to {left_is!r}; it must stay as exported", ["first", "second"]
        )
    left, right = (first, second) if left_is == "first" else (second, first)
    winner = left if PREFERRED[choice] == "left" else right
    who = _rater_of(row, rater)
    check_preference(first, second, winner.id, who)
    return [
        {
            "output_id": first.id,
            "rater": who,
            "kind": "preference",
            "other_output_id": second.id,
            "preferred_output_id": winner.id,
        }
    ]
