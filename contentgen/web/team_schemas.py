"""Pydantic models of the rubric, team and agreement API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from contentgen.review.agreement import AgreementRow
from contentgen.review.rubrics import Rubric
from contentgen.review.scoring import RubricRating
from contentgen.review.team import AssignResult, TeamView
from contentgen.web.schemas import RatingOut


class CriterionOut(BaseModel):
    """One criterion reviewers score from 1 to 5."""

    name: str
    label: str
    question: str


class RubricOut(BaseModel):
    """A rubric: the Markdown guideline and its criteria (the hash is stored with ratings)."""

    id: str
    title: str
    guideline: str = Field(description="Markdown")
    criteria: list[CriterionOut]
    sha256: str
    my_scores: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def of(cls, rubric: Rubric, mine: dict[str, int] | None = None) -> RubricOut:
        """From a Rubric, with this reviewer's latest scores under it."""
        return cls(
            id=rubric.id,
            title=rubric.title,
            guideline=rubric.guideline,
            criteria=[
                CriterionOut(name=c.name, label=c.label, question=c.question)
                for c in rubric.criteria
            ],  # fmt: skip
            sha256=rubric.sha256,
            my_scores=dict(mine or {}),
        )


class RubricRateIn(BaseModel):
    """Criterion scores (1-5 each) and, optionally, an overall score, a thumb and a comment."""

    scores: dict[str, Any] = Field(default_factory=dict)
    score: int | None = Field(None, description="Overall; default: the criteria's mean, rounded.")
    thumb: bool | str | None = None
    comment: str | None = None
    rater: str | None = None


class RubricRatingOut(BaseModel):
    """A stored rubric rating."""

    rubric_id: str
    rubric_sha256: str
    scores: dict[str, int]
    overall: int | None
    ratings: list[RatingOut]

    @classmethod
    def of(cls, r: RubricRating) -> RubricRatingOut:
        """From a RubricRating."""
        return cls(
            rubric_id=r.rubric.id,
            rubric_sha256=r.rubric.sha256,
            scores=dict(r.scores),
            overall=r.overall,
            ratings=[RatingOut.of(x) for x in r.ratings],
        )


class AgreementOut(BaseModel):
    """Krippendorff's alpha (ordinal) for one criterion of one template's outputs."""

    template: str
    criterion: str
    label: str
    alpha: float | None
    verdict: str = Field(description="reliable (>= 0.8), tentative (>= 0.667), low, or empty")
    units: int = Field(description="Outputs scored by two or more reviewers")
    raters: int
    scores: int
    note: str

    @classmethod
    def of(cls, row: AgreementRow) -> AgreementOut:
        """From an AgreementRow."""
        return cls(
            template=row.template,
            criterion=row.criterion,
            label=row.label,
            alpha=row.alpha,
            verdict=row.verdict,
            units=row.units,
            raters=row.raters,
            scores=row.scores,
            note=row.note,
        )


class ReviewerOut(BaseModel):
    """One reviewer's queue."""

    reviewer: str
    assigned: int
    done: int
    open: int


class TeamOut(BaseModel):
    """Every reviewer's queue, and outputs asked of two or more reviewers."""

    reviewers: list[ReviewerOut]
    multi_reviewed: int = Field(description="Outputs assigned to two or more reviewers")
    complete: int = Field(description="... of which every assignee has reviewed")

    @classmethod
    def of(cls, view: TeamView) -> TeamOut:
        """From a TeamView."""
        return cls(
            reviewers=[
                ReviewerOut(reviewer=x.reviewer, assigned=x.assigned, done=x.done, open=x.open)
                for x in view.loads
            ],
            multi_reviewed=view.coverage.multi,
            complete=view.coverage.complete,
        )


class AssignIn(BaseModel):
    """Put outputs in reviewers' queues: a job's, those matching queue filters, or a list."""

    reviewers: list[str]
    k: int = Field(1, description="How many reviewers each output should have in all.")
    job_id: str | None = None
    output_ids: list[str] | None = None
    filters: dict[str, str] | None = Field(
        None, description="Queue filters, as in GET /api/outputs"
    )
    rater: str | None = Field(None, description="Who assigns; required with Bearer auth.")


class AssignOut(BaseModel):
    """What an assignment did."""

    outputs: int
    k: int
    added: dict[str, int]
    short: int = Field(description="Outputs that could not get k reviewers among those named")

    @classmethod
    def of(cls, r: AssignResult) -> AssignOut:
        """From an AssignResult."""
        return cls(outputs=r.outputs, k=r.k, added=dict(r.added), short=r.short)
