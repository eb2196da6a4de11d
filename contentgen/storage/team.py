"""Review team storage: the rubric each rating was made under, and reviewer assignments.

A rating made on the review faces gets a `rating_rubrics` row naming the rubric (id and content
hash) that was shown, with the criterion scores when the reviewer gave them; it is deleted with
the rating (so undo removes it too). An assignment puts an output in one reviewer's queue; it is
*done* once that reviewer has scored, thumbed, commented on or edited the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from contentgen.storage.rows import iso
from contentgen.storage.store import Store
from contentgen.storage.tables import OutputRow, RatingRow, RatingRubricRow, ReviewAssignmentRow

_CHUNK = 500


@dataclass(frozen=True)
class RubricMark:
    """What a rating was made under: the rubric, its criterion scores, a comparison's verdict."""

    rating_id: str
    output_id: str
    rater: str
    rubric_id: str
    rubric_sha256: str
    scores: Mapping[str, int] = field(default_factory=dict)
    verdict: str | None = None
    created_at: str | None = None


@dataclass(frozen=True)
class Judgement:
    """One reviewer's value for one output on one criterion ('overall' is the 1-5 score)."""

    output_id: str
    template_id: str | None
    rater: str
    criterion: str
    value: int


@dataclass(frozen=True)
class ReviewerLoad:
    """A reviewer's queue: outputs assigned, and how many of them they have reviewed."""

    reviewer: str
    assigned: int = 0
    done: int = 0

    @property
    def open(self) -> int:
        """Assigned outputs the reviewer has not reviewed yet."""
        return self.assigned - self.done


def add_marks(store: Store, marks: Sequence[RubricMark]) -> None:
    """Store the rubric marks of ratings just made (one transaction)."""
    if not marks:
        return

    def work(s: Session) -> None:
        s.add_all(
            RatingRubricRow(
                rating_id=m.rating_id,
                output_id=m.output_id,
                rater=m.rater,
                rubric_id=m.rubric_id,
                rubric_sha256=m.rubric_sha256,
                scores=dict(m.scores),
                verdict=m.verdict,
            )
            for m in marks
        )

    store.db.write(work)


def marks_of(store: Store, rating_ids: Iterable[str]) -> dict[str, RubricMark]:
    """The rubric mark of each rating id that has one."""
    wanted = list(dict.fromkeys(rating_ids))
    found: dict[str, RubricMark] = {}
    with store.db.read() as s:
        for start in range(0, len(wanted), _CHUNK):
            query = select(RatingRubricRow).where(
                RatingRubricRow.rating_id.in_(wanted[start : start + _CHUNK])
            )
            for row in s.scalars(query):
                found[row.rating_id] = RubricMark(
                    rating_id=row.rating_id,
                    output_id=row.output_id,
                    rater=row.rater,
                    rubric_id=row.rubric_id,
                    rubric_sha256=row.rubric_sha256,
                    scores={str(k): int(v) for k, v in (row.scores or {}).items()},
                    verdict=row.verdict,
                    created_at=iso(row.created_at),
                )
    return found


def judgements(store: Store) -> list[Judgement]:
    """Every reviewer's latest overall score and criterion scores, with the output's template."""
    latest: dict[tuple[str, str, str], Judgement] = {}
    scores = (
        select(RatingRow.output_id, OutputRow.template_id, RatingRow.rater, RatingRow.score)
        .join(OutputRow, OutputRow.id == RatingRow.output_id)
        .where(RatingRow.kind == "score", RatingRow.score.is_not(None))
        .order_by(RatingRow.created_at, RatingRow.id)
    )
    criteria = (
        select(
            RatingRubricRow.output_id,
            OutputRow.template_id,
            RatingRubricRow.rater,
            RatingRubricRow.scores,
        )
        .join(OutputRow, OutputRow.id == RatingRubricRow.output_id)
        .order_by(RatingRubricRow.created_at, RatingRubricRow.rating_id)
    )
    with store.db.read() as s:
        for oid, template, rater, score in s.execute(scores):
            if score is not None:
                latest[(oid, rater, "overall")] = Judgement(oid, template, rater, "overall", score)
        for oid, template, rater, given in s.execute(criteria):
            for name, value in (given or {}).items():
                if isinstance(value, int) and not isinstance(value, bool):
                    latest[(oid, rater, name)] = Judgement(oid, template, rater, name, value)
    return list(latest.values())


def assigned_to(store: Store, output_ids: Sequence[str]) -> dict[str, set[str]]:
    """The reviewers each output is assigned to (outputs without any are left out)."""
    with store.db.read() as s:
        return assigned_to_in(s, output_ids)


def add_assignments(store: Store, pairs: Sequence[tuple[str, str]], *, assigned_by: str) -> int:
    """Store (output id, reviewer) assignments, skipping ones that exist; returns how many new."""
    wanted = list(dict.fromkeys(pairs))

    def work(s: Session) -> int:
        have = assigned_to_in(s, [oid for oid, _ in wanted])
        rows = [
            ReviewAssignmentRow(output_id=oid, reviewer=who, assigned_by=assigned_by)
            for oid, who in wanted
            if who not in have.get(oid, set())
        ]
        s.add_all(rows)
        return len(rows)

    return store.db.write(work)


def assigned_to_in(s: Session, output_ids: Sequence[str]) -> dict[str, set[str]]:
    """`assigned_to` inside an open session (for writes that must see their own transaction)."""
    found: dict[str, set[str]] = {}
    for start in range(0, len(output_ids), _CHUNK):
        rows = s.execute(
            select(ReviewAssignmentRow.output_id, ReviewAssignmentRow.reviewer).where(
                ReviewAssignmentRow.output_id.in_(list(output_ids[start : start + _CHUNK]))
            )
        )
        for oid, reviewer in rows:
            found.setdefault(str(oid), set()).add(str(reviewer))
    return found


def reviewed_by(reviewer: Any) -> Any:
    """SQL: the output (OutputRow) has a score, thumb, comment or edit by `reviewer`."""
    return (
        select(RatingRow.id)
        .where(
            RatingRow.output_id == OutputRow.id,
            RatingRow.rater == reviewer,
            RatingRow.kind != "preference",
        )
        .exists()
    )


def assigned(reviewer: str) -> Any:
    """SQL: the output (OutputRow) is in `reviewer`'s queue."""
    # IN, not a correlated EXISTS: the database reads the reviewer's rows once, by index.
    return OutputRow.id.in_(
        select(ReviewAssignmentRow.output_id).where(ReviewAssignmentRow.reviewer == reviewer)
    )


def loads(store: Store) -> dict[str, ReviewerLoad]:
    """Every reviewer with assignments: how many outputs are assigned, and how many done."""
    done = (
        select(RatingRow.id)
        .where(
            RatingRow.output_id == ReviewAssignmentRow.output_id,
            RatingRow.rater == ReviewAssignmentRow.reviewer,
            RatingRow.kind != "preference",
        )
        .exists()
    )
    query = select(
        ReviewAssignmentRow.reviewer,
        func.count(),
        func.sum(case((done, 1), else_=0)),
    ).group_by(ReviewAssignmentRow.reviewer)
    with store.db.read() as s:
        return {
            str(who): ReviewerLoad(str(who), int(n), int(d or 0)) for who, n, d in s.execute(query)
        }


@dataclass(frozen=True)
class Coverage:
    """Outputs asked of several reviewers, and how many of those every assignee has reviewed."""

    multi: int = 0
    complete: int = 0


def coverage(store: Store) -> Coverage:
    """How many outputs are assigned to two or more reviewers, and how many are fully reviewed."""
    done = and_(
        RatingRow.output_id == ReviewAssignmentRow.output_id,
        RatingRow.rater == ReviewAssignmentRow.reviewer,
        RatingRow.kind != "preference",
    )
    per_output = (
        select(
            ReviewAssignmentRow.output_id.label("oid"),
            func.count(func.distinct(ReviewAssignmentRow.reviewer)).label("asked"),
            func.count(func.distinct(RatingRow.rater)).label("answered"),
        )
        .outerjoin(RatingRow, done)
        .group_by(ReviewAssignmentRow.output_id)
        .subquery()
    )
    query = select(
        func.count(), func.sum(case((per_output.c.answered >= per_output.c.asked, 1), else_=0))
    ).where(per_output.c.asked >= 2)
    with store.db.read() as s:
        multi, complete = s.execute(query).one()
    return Coverage(int(multi or 0), int(complete or 0))


def raters(store: Store) -> list[str]:
    """Everyone who rated or has assignments, by name."""
    with store.db.read() as s:
        names = set(s.scalars(select(RatingRow.rater).distinct()))
        names |= set(s.scalars(select(ReviewAssignmentRow.reviewer).distinct()))
    return sorted(str(n) for n in names)


def latest_scores(store: Store, output_ids: Sequence[str], rater: str) -> dict[str, dict[str, int]]:
    """`rater`'s latest criterion scores of each output (outputs they never scored left out)."""
    found: dict[str, dict[str, int]] = {}
    with store.db.read() as s:
        for start in range(0, len(output_ids), _CHUNK):
            query = (
                select(RatingRubricRow.output_id, RatingRubricRow.scores)
                .where(
                    RatingRubricRow.output_id.in_(list(output_ids[start : start + _CHUNK])),
                    RatingRubricRow.rater == rater,
                )
                .order_by(RatingRubricRow.created_at, RatingRubricRow.rating_id)
            )
            for oid, scores in s.execute(query):
                if scores:
                    found.setdefault(str(oid), {}).update(scores)
    return found
