"""Review sheets: export outputs to rate (or pairs to compare) as CSV/XLSX, import the filled sheet.

Import is keyed by output id and idempotent: every stored rating carries
import_key = sha256(sheet id + the row's content + rating kind), so importing the same sheet twice
stores nothing new. Bad rows (unknown id, score 7, garbage thumb) are reported one by one with
their spreadsheet row number while the good rows are stored.

Rows carry the copy's context (product, SKU, facts) and review status; a changed `status` cell
moves the output, "tie" in a pair sheet is stored as a tie, and pairs of identical texts are
never exported. With an engine, edited texts go through the output's checks: a failing edit is
reported and not stored unless its row gives an `override_reason`.
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
from contentgen.feedback.sheet_context import (
    StatusWish,
    apply_statuses,
    sheet_contexts,
    status_wish,
)
from contentgen.feedback.sheet_rows import known as _known
from contentgen.feedback.sheet_rows import parse_score as _score  # noqa: F401  (kept importable)
from contentgen.feedback.sheet_rows import parse_thumb as _thumb  # noqa: F401  (kept importable)
from contentgen.feedback.sheet_rows import plan_pair as _plan_pair
from contentgen.feedback.sheet_rows import plan_rate as _plan_rate
from contentgen.feedback.sheetfiles import read_sheet, sheet_format, write_sheet
from contentgen.ids import new_id
from contentgen.ratings import same_text

if TYPE_CHECKING:
    from contentgen.engine import Engine
    from contentgen.storage.store import Store
    from contentgen.types import Output

RATE_COLUMNS = (
    "sheet_id",
    "output_id",
    "task",
    "template",
    "product",
    "sku",
    "facts",
    "text",
    "score",
    "thumb",
    "comment",
    "edited_text",
    "override_reason",
    "status",
    "rater",
)
PAIR_COLUMNS = (
    "sheet_id",
    "pair_id",
    "task",
    "template",
    "product",
    "facts",
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
RATE_HELP = (
    "Rate each row: score 1 (poor) to 5 (publish as is), thumb up/down, an optional comment, and",
    "edited_text: your corrected final version (leave empty when no edit is needed). Edits are",
    "checked like generated copy; to keep one that fails, say why in override_reason.",
    "status: draft, approved or rejected (approving copy that fails a check needs a reason).",
    "product, sku and facts are the request's facts, for reference: changing them changes nothing.",
    "Do not change sheet_id, output_id or the order of columns. Save as the same format.",
)
REVIEW_CHOICES = ("draft", "approved", "rejected", "exported", "published")
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
    statuses: int = 0

    @property
    def ok(self) -> bool:
        """True when every non-empty row was stored (now or by an earlier import)."""
        return not self.problems

    def summary(self) -> str:
        """A one-paragraph text summary with one line per bad row."""
        lines = [
            f"{self.rows} rows: {self.stored} ratings stored, {self.duplicates} already imported, "
            f"{self.statuses} review statuses changed, {self.empty} rows left empty, "
            f"{len(self.problems)} rows with problems"
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
        contexts = sheet_contexts(store, outputs[:limit])
        rows = [{**_rate_row(sheet_id, o), **contexts[o.id]} for o in outputs[:limit]]
        write_sheet(
            path,
            RATE_COLUMNS,
            rows,
            fmt,
            choices={
                "score": ("1", "2", "3", "4", "5"),
                "thumb": ("up", "down"),
                "status": REVIEW_CHOICES,
            },
            instructions=RATE_HELP,
            wide=("text", "edited_text", "comment", "facts"),
        )
    else:
        contexts = sheet_contexts(store, outputs)
        rows = _pair_rows(sheet_id, outputs, limit, random.Random(seed))
        for row in rows:
            context = contexts[row["first_output_id"]]
            row.update(product=context["product"], facts=context["facts"])
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
        distinct: list[Output] = []
        for output in siblings:  # a pair of identical texts has nothing to choose between
            if not any(same_text(output.text, kept.text) for kept in distinct):
                distinct.append(output)
        for first, second in zip(distinct[::2], distinct[1::2], strict=False):
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
    override_reason: str | None = None


def import_sheet(
    store: Store,
    path: Path,
    *,
    rater: str,
    fmt: str | None = None,
    engine: Engine | None = None,
) -> ImportReport:
    """Store the ratings and status changes of a filled-in sheet; bad rows are reported.

    With `engine` edited texts are checked first (`contentgen.review.edits`) and approvals
    follow the review workflow's rules; without it they are stored as the sheet says.
    """
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
    planned, wishes, problems, empty = _plan_rows(kind, rows, outputs, rater)
    stored, duplicates = _store_planned(store, planned, problems, engine)
    moved, refused = apply_statuses(store, wishes, rater=rater, engine=engine)
    problems += [RowProblem(row, oid, f"status not changed: {why}") for row, oid, why in refused]
    problems.sort(key=lambda p: p.row)
    sheet_ids = tuple(sorted({r.get("sheet_id", "") for r in rows} - {""}))
    return ImportReport(
        kind, len(rows), stored, duplicates, empty, tuple(problems), sheet_ids, moved
    )


def _plan_rows(
    kind: str, rows: list[dict[str, str]], outputs: dict[str, Output], rater: str
) -> tuple[list[_Planned], list[StatusWish], list[RowProblem], int]:
    """Each row's ratings and status wish, or its problem; the count of rows that ask nothing."""
    planned: list[_Planned] = []
    problems: list[RowProblem] = []
    wishes: list[StatusWish] = []
    empty = 0
    for number, row in enumerate(rows, start=2):
        oid = row.get("output_id") or row.get("first_output_id", "")
        reason = (row.get("override_reason") or "").strip() or None
        try:
            plan = (
                _plan_pair(row, outputs, rater)
                if kind == "pairwise"
                else _plan_rate(row, outputs, rater)
            )
            wish = (
                status_wish(number, _known(outputs, oid).id, row.get("status", ""), reason)
                if kind == "rate" and row.get("status", "").strip()
                else None
            )
        except ContentgenError as exc:
            problems.append(RowProblem(number, oid, str(exc)))
            continue
        if wish is not None:
            wishes.append(wish)
        if not plan:
            empty += 0 if wish is not None else 1
            continue
        sheet_id = row.get("sheet_id", "")
        keys = [import_key(sheet_id, row, r["kind"]) for r in plan]
        planned.append(_Planned(number, oid, plan, keys, reason))
    return planned, wishes, problems, empty


def _store_planned(
    store: Store, planned: list[_Planned], problems: list[RowProblem], engine: Engine | None
) -> tuple[int, int]:
    """Store the planned ratings not imported before (edits checked first); stored, duplicates."""
    from contentgen.storage.feedback import FeedbackStore

    seen = FeedbackStore(store).existing_import_keys(k for p in planned for k in p.keys)
    stored = duplicates = 0
    for item in planned:
        for rating, key in zip(item.ratings, item.keys, strict=True):
            if key in seen:
                duplicates += 1
                continue
            if rating["kind"] == "edit" and engine is not None:
                problem = _checked_edit(engine, item, rating, key)
                if problem is not None:
                    problems.append(problem)
                    continue
            else:
                store.add_rating(source="sheet", import_key=key, **rating)
            stored += 1
    return stored, duplicates


def _checked_edit(
    engine: Engine, item: _Planned, rating: dict[str, Any], key: str
) -> RowProblem | None:
    """Store a sheet's edit through the checks; the row's problem when they block it."""
    from contentgen.review.edits import EditBlocked, save_edit

    try:
        save_edit(
            engine,
            rating["output_id"],
            rating["edited_text"],
            rater=rating["rater"],
            source="sheet",
            override_reason=item.override_reason,
            import_key=key,
        )
    except EditBlocked as exc:
        found = "; ".join(f.sentence for f in exc.findings.blocking[:3])
        return RowProblem(
            item.row,
            item.output_id,
            f"edit not saved, it fails checks that block publishing: {found}. Fix it, or say "
            "why it is right in override_reason",
        )
    return None


def _outputs(store: Store, ids: Sequence[str]) -> dict[str, Output]:
    from contentgen.storage.feedback import FeedbackStore

    known = sorted(FeedbackStore(store).known_output_ids(ids))
    found: dict[str, Output] = {}
    for start in range(0, len(known), 500):
        found.update((o.id, o) for o in store.get_outputs(known[start : start + 500]))
    return found
