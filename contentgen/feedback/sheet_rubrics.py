"""Rubric criteria in review sheets: a `rubric` column and one `rubric.<criterion>` column each.

On export each row names the rubric that applies to its output (the one the review page shows)
and the sheet gets an empty 1-5 cell per criterion of the rubrics in it; a row's cells for
criteria outside its rubric stay empty. On import the filled cells are checked against the
output's rubric (whole numbers 1-5; a criterion the rubric lacks is refused with its valid
names) and stored with the row's ratings like a rating made on the review page: the rubric id
and hash with each rating, the criterion scores with the score (the criteria's mean, rounded
half up, when the row gives no overall score).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contentgen.errors import ValidationError
from contentgen.feedback.sheet_rows import known, parse_score

if TYPE_CHECKING:
    from contentgen.review.rubrics import Rubric, RubricLibrary
    from contentgen.storage.store import Store
    from contentgen.types import Output, Rating

RUBRIC_COLUMN = "rubric"
PREFIX = "rubric."
SCALE_CHOICES = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class RowCriteria:
    """The rubric a sheet row was scored under and its checked criterion scores (maybe none)."""

    rubric: Rubric
    scores: Mapping[str, int]


def criterion_column(name: str) -> str:
    """The sheet column of one criterion ('accurate' -> 'rubric.accurate')."""
    return f"{PREFIX}{name}"


def is_criterion_column(column: str) -> bool:
    """True for a criterion column (part of a row's import key; `rubric` is for reference)."""
    return column.startswith(PREFIX)


def applied_rubrics(
    store: Store, rubrics: RubricLibrary, outputs: Iterable[Output]
) -> dict[str, Rubric]:
    """The rubric of each output (template's, channel's, task's, else the default), by id."""
    from contentgen.storage.reads import channels_of

    wanted = list(outputs)
    channels = channels_of(store, [o.id for o in wanted])
    return {
        o.id: rubrics.for_output(o.task.value, o.provenance.template_id, channels.get(o.id))
        for o in wanted
    }


def export_columns(applied: Mapping[str, Rubric]) -> list[str]:
    """`rubric`, then a column per criterion of the rubrics in the sheet, in rubric order."""
    names: dict[str, None] = {}
    for rubric in applied.values():
        names.update(dict.fromkeys(rubric.criterion_names()))
    return [RUBRIC_COLUMN, *(criterion_column(n) for n in names)]


def with_columns(columns: Sequence[str], extra: Sequence[str], after: str) -> tuple[str, ...]:
    """`columns` with `extra` inserted after the column `after`."""
    at = list(columns).index(after) + 1
    return (*columns[:at], *extra, *columns[at:])


def export_cells(applied: Mapping[str, Rubric]) -> dict[str, dict[str, str]]:
    """Per output id: its rubric's id in the `rubric` column (criterion cells are left empty)."""
    return {oid: {RUBRIC_COLUMN: rubric.id} for oid, rubric in applied.items()}


def row_criteria(
    row: Mapping[str, str], outputs: Mapping[str, Output], applied: Mapping[str, Rubric] | None
) -> RowCriteria | None:
    """The row's rubric and criterion scores (None for a sheet without rubric columns).

    Raises ValidationError for a score outside 1-5, a criterion the output's rubric lacks
    (naming the valid ones), or filled criterion cells when no rubrics were given to check them.
    """
    if RUBRIC_COLUMN not in row and not any(c.startswith(PREFIX) for c in row):
        return None
    filled = {c.removeprefix(PREFIX): v for c, v in row.items() if c.startswith(PREFIX) and v}
    if applied is None:
        if filled:
            raise ValidationError(
                "rubric", "criterion scores need the rubrics: import the sheet with the engine"
            )
        return None
    oid = row.get("output_id", "")
    if not filled and oid not in outputs:
        return None  # nothing scored; plan_rate reports an unknown id if the row asks anything
    rubric = applied[known(outputs, oid).id]
    names = rubric.criterion_names()
    scores: dict[str, int] = {}
    for name, cell in filled.items():
        column = criterion_column(name)
        if name not in names:
            raise ValidationError(
                column,
                f"{name!r} is not a criterion of rubric {rubric.id!r}; leave the cell empty",
                [criterion_column(n) for n in names],
            )
        value = parse_score(cell, column)
        if value is not None:
            scores[name] = value
    return RowCriteria(rubric, rubric.check_scores(scores))


def with_overall(row: Mapping[str, str], criteria: RowCriteria | None) -> Mapping[str, str]:
    """The row, its empty `score` filled with the criteria's mean when criteria were scored."""
    if criteria is None or not criteria.scores or (row.get("score") or "").strip():
        return row
    from contentgen.review.scoring import overall_of

    return {**row, "score": str(overall_of(criteria.scores))}


def store_marks(store: Store, marked: Sequence[tuple[Rating, RowCriteria]]) -> None:
    """Store each rating's rubric (id and hash); the criterion scores go with the score rating.

    A rating listed twice (a sheet row copied: its import key finds the rating just stored)
    gets one mark.
    """
    from contentgen.storage.team import RubricMark, add_marks

    once = {rating.id: (rating, criteria) for rating, criteria in marked}
    add_marks(
        store,
        [
            RubricMark(
                rating_id=rating.id,
                output_id=rating.output_id,
                rater=rating.rater,
                rubric_id=criteria.rubric.id,
                rubric_sha256=criteria.rubric.sha256,
                scores=dict(criteria.scores) if rating.kind == "score" else {},
            )
            for rating, criteria in once.values()
        ],
    )
