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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import ContentgenError, ValidationError
from contentgen.feedback import sheet_rubrics as rubric_cells
from contentgen.feedback.sheet_context import (
    StatusWish,
    apply_statuses,
    sheet_contexts,
    status_wish,
)
from contentgen.feedback.sheet_rows import known as _known
from contentgen.feedback.sheet_rows import load_outputs as _outputs
from contentgen.feedback.sheet_rows import pair_rows as _pair_rows
from contentgen.feedback.sheet_rows import parse_score as _score  # noqa: F401  (kept importable)
from contentgen.feedback.sheet_rows import parse_thumb as _thumb  # noqa: F401  (kept importable)
from contentgen.feedback.sheet_rows import plan_pair as _plan_pair
from contentgen.feedback.sheet_rows import plan_rate as _plan_rate
from contentgen.feedback.sheetfiles import read_sheet, sheet_format, write_sheet
from contentgen.ids import new_id

if TYPE_CHECKING:
    from contentgen.engine import Engine
    from contentgen.review.rubrics import Rubric, RubricLibrary
    from contentgen.storage.store import Store
    from contentgen.types import Output, Rating

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
    "rubric.<criterion> (if present): 1-5 on the row's rubric; an empty score is their mean.",
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
    rubrics: RubricLibrary | None = None,
    **filters: Any,
) -> SheetExport:
    """Write a sheet of text outputs to rate (kind 'rate') or pairs to compare ('pairwise').

    With `rubrics` a rate sheet names each row's rubric and has a 1-5 column per criterion.
    """
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
        rows = _write_rate_sheet(store, path, fmt, sheet_id, outputs[:limit], rubrics)
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


def _write_rate_sheet(
    store: Store,
    path: Path,
    fmt: str,
    sheet_id: str,
    outputs: Sequence[Output],
    rubrics: RubricLibrary | None,
) -> list[dict[str, Any]]:
    """Write the rows to rate (with the rubric columns when `rubrics` are given); the rows."""
    contexts = sheet_contexts(store, outputs)
    applied = rubric_cells.applied_rubrics(store, rubrics, outputs) if rubrics else {}
    cells = rubric_cells.export_cells(applied)
    rows = [{**_rate_row(sheet_id, o), **contexts[o.id], **cells.get(o.id, {})} for o in outputs]
    extra = rubric_cells.export_columns(applied) if rubrics else []
    scale = rubric_cells.SCALE_CHOICES
    write_sheet(
        path,
        rubric_cells.with_columns(RATE_COLUMNS, extra, after="score"),
        rows,
        fmt,
        choices={
            "score": scale,
            **{c: scale for c in extra[1:]},
            "thumb": ("up", "down"),
            "status": REVIEW_CHOICES,
        },
        instructions=RATE_HELP,
        wide=("text", "edited_text", "comment", "facts"),
    )
    return rows


def _rate_row(sheet_id: str, output: Output) -> dict[str, Any]:
    return {
        "sheet_id": sheet_id,
        "output_id": output.id,
        "task": output.task.value,
        "template": output.provenance.template_id or "",
        "text": output.text or "",
    }


def import_key(sheet_id: str, row: Mapping[str, str], kind: str) -> str:
    """sha256 of the sheet id, the row's identifying and filled-in content, and the rating kind."""
    content = {
        k: row.get(k, "")
        for k in sorted(row)
        if k in INPUT_COLUMNS or k.endswith("output_id") or rubric_cells.is_criterion_column(k)
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
    criteria: rubric_cells.RowCriteria | None = None


def import_sheet(
    store: Store,
    path: Path,
    *,
    rater: str,
    fmt: str | None = None,
    engine: Engine | None = None,
    rubrics: RubricLibrary | None = None,
) -> ImportReport:
    """Store the ratings and status changes of a filled-in sheet; bad rows are reported.

    With `engine` edited texts are checked first (`contentgen.review.edits`) and approvals
    follow the review workflow's rules; without it they are stored as the sheet says.
    Criterion scores are checked against `rubrics` (default: the engine's).
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
    if rubrics is None and engine is not None:
        from contentgen.review.scoring import rubrics_of

        rubrics = rubrics_of(engine)
    applied = rubric_cells.applied_rubrics(store, rubrics, outputs.values()) if rubrics else None
    planned, wishes, problems, empty = _plan_rows(kind, rows, outputs, rater, applied)
    stored, duplicates = _store_planned(store, planned, problems, engine)
    moved, refused = apply_statuses(store, wishes, rater=rater, engine=engine)
    problems += [RowProblem(row, oid, f"status not changed: {why}") for row, oid, why in refused]
    problems.sort(key=lambda p: p.row)
    sheet_ids = tuple(sorted({r.get("sheet_id", "") for r in rows} - {""}))
    return ImportReport(
        kind, len(rows), stored, duplicates, empty, tuple(problems), sheet_ids, moved
    )


def _plan_rows(
    kind: str,
    rows: list[dict[str, str]],
    outputs: dict[str, Output],
    rater: str,
    applied: dict[str, Rubric] | None,
) -> tuple[list[_Planned], list[StatusWish], list[RowProblem], int]:
    """Each row's ratings and status wish, or its problem; the count of rows that ask nothing."""
    planned: list[_Planned] = []
    problems: list[RowProblem] = []
    wishes: list[StatusWish] = []
    empty = 0
    for number, row in enumerate(rows, start=2):
        oid = row.get("output_id") or row.get("first_output_id", "")
        reason = (row.get("override_reason") or "").strip() or None
        criteria = None
        try:
            if kind == "pairwise":
                plan = _plan_pair(row, outputs, rater)
            else:
                criteria = rubric_cells.row_criteria(row, outputs, applied)
                plan = _plan_rate(rubric_cells.with_overall(row, criteria), outputs, rater)
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
        planned.append(_Planned(number, oid, plan, keys, reason, criteria))
    return planned, wishes, problems, empty


def _store_planned(
    store: Store, planned: list[_Planned], problems: list[RowProblem], engine: Engine | None
) -> tuple[int, int]:
    """Store the planned ratings not imported before (edits checked first); stored, duplicates."""
    from contentgen.storage.feedback import FeedbackStore

    seen = FeedbackStore(store).existing_import_keys(k for p in planned for k in p.keys)
    stored = duplicates = 0
    marked: list[tuple[Rating, rubric_cells.RowCriteria]] = []
    for item in planned:
        for rating, key in zip(item.ratings, item.keys, strict=True):
            if key in seen:
                duplicates += 1
                continue
            if rating["kind"] == "edit" and engine is not None:
                made = _checked_edit(engine, item, rating, key)
                if isinstance(made, RowProblem):
                    problems.append(made)
                    continue
            else:
                made = store.add_rating(source="sheet", import_key=key, **rating)
            if item.criteria is not None:
                marked.append((made, item.criteria))
            stored += 1
    rubric_cells.store_marks(store, marked)
    return stored, duplicates


def _checked_edit(
    engine: Engine, item: _Planned, rating: dict[str, Any], key: str
) -> Rating | RowProblem:
    """Store a sheet's edit through the checks; the row's problem when they block it."""
    from contentgen.review.edits import EditBlocked, save_edit

    try:
        saved = save_edit(
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
    return saved.rating
