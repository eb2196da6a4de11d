"""Pydantic models of the JSON API (they also make up the generated /openapi.json)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from contentgen.types import Output, Rating, StatRow
from contentgen.web.jobs import JobView


class EvaluationOut(BaseModel):
    """One automatic evaluator's verdict."""

    name: str
    passed: bool
    score: float | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class RatingOut(BaseModel):
    """One stored rating."""

    id: str
    output_id: str
    rater: str
    kind: str
    score: int | None = None
    thumb: bool | None = None
    comment: str | None = None
    edited_text: str | None = None
    other_output_id: str | None = None
    preferred_output_id: str | None = None
    created_at: str | None = None

    @classmethod
    def of(cls, rating: Rating) -> RatingOut:
        """From the library's Rating."""
        return cls(**asdict(rating))


class OutputOut(BaseModel):
    """One generated output with provenance, evaluator verdicts and (on detail) its ratings."""

    id: str
    request_id: str
    task: str
    index: int
    status: str
    reason: str | None = None
    text: str | None = None
    final_text: str | None = Field(
        None, description="The latest edited text, else the original text."
    )
    fields: dict[str, Any] = Field(default_factory=dict)
    image_url: str | None = None
    image_sha256: str | None = None
    provenance: dict[str, Any]
    evaluations: list[EvaluationOut] = Field(default_factory=list)
    created_at: str | None = None
    ratings: list[RatingOut] | None = None
    review_status: str | None = Field(
        None, description="draft, approved, rejected, exported or published."
    )

    @classmethod
    def of(
        cls,
        output: Output,
        *,
        final_text: str | None = None,
        ratings: list[Rating] | None = None,
        review_status: str | None = None,
    ) -> OutputOut:
        """From the library's Output."""
        return cls(
            id=output.id,
            request_id=output.request_id,
            task=output.task.value,
            index=output.index,
            status=output.status,
            reason=output.reason,
            text=output.text,
            final_text=final_text or output.text,
            fields=dict(output.fields),
            image_url=image_url(output),
            image_sha256=output.image_sha256,
            provenance={
                **asdict(output.provenance),
                "params": dict(output.provenance.params),
                "timings": dict(output.provenance.timings),
            },
            evaluations=[
                EvaluationOut(name=e.name, passed=e.passed, score=e.score, detail=dict(e.detail))
                for e in output.evaluations
            ],
            created_at=output.created_at,
            ratings=[RatingOut.of(r) for r in ratings] if ratings is not None else None,
            review_status=review_status,
        )


class OutputPage(BaseModel):
    """One page of outputs and the total matching the filters."""

    items: list[OutputOut]
    total: int
    limit: int
    offset: int


class RateIn(BaseModel):
    """Any of a 1-5 score, a thumb ('up'/'down') and a comment."""

    score: int | None = Field(None, description="Whole number from 1 to 5.")
    thumb: bool | str | None = Field(None, description="'up' or 'down' (or true/false).")
    comment: str | None = None
    rater: str | None = Field(
        None, description="Required with Bearer auth; the web session's name wins."
    )


class EditIn(BaseModel):
    """A corrected final text; the original output is kept unchanged."""

    edited_text: str
    override_reason: str | None = Field(
        None, description="Why to save an edit that fails a blocking check anyway (recorded)."
    )
    rater: str | None = None


class CompareIn(BaseModel):
    """A pairwise preference: which of two outputs of one task is better."""

    first: str
    second: str
    preferred: str = Field(
        description="The id of the preferred output (first or second), 'tie', or 'both_bad'."
    )
    rater: str | None = None


class SessionIn(BaseModel):
    """The reviewer's name or pseudonym for this browser session."""

    rater: str


class SessionOut(BaseModel):
    """Who the session reviews as, and the CSRF token to send as X-CSRF-Token."""

    rater: str | None
    csrf_token: str
    authenticated: bool


class StatOut(BaseModel):
    """One line of the stats table."""

    key: str
    outputs: int
    rated: int
    mean_score: float | None
    thumbs_up: int
    thumbs_down: int
    rejected: int

    @classmethod
    def of(cls, row: StatRow) -> StatOut:
        """From the library's StatRow."""
        return cls(**asdict(row))


class JobErrorOut(BaseModel):
    """A failed input row."""

    row_index: int
    row_key: str
    error: str
    attempts: int


class JobOut(BaseModel):
    """A batch job and its progress."""

    id: str
    name: str
    task: str
    status: str
    total: int
    processed: int
    percent: float
    items: dict[str, int]
    outputs: int
    rated_outputs: int
    errors: list[JobErrorOut]
    created_at: str | None
    updated_at: str | None

    @classmethod
    def of(cls, job: JobView) -> JobOut:
        """From the job view."""
        return cls(
            id=job.id,
            name=job.name,
            task=job.task,
            status=job.status,
            total=job.total,
            processed=job.processed,
            percent=job.percent,
            items=dict(job.items),
            outputs=job.outputs,
            rated_outputs=job.rated_outputs,
            errors=[JobErrorOut(**asdict(e)) for e in job.errors],
            created_at=job.created_at,
            updated_at=job.updated_at,
        )


class ErrorOut(BaseModel):
    """An error: the message names the problem and, where there are any, the valid values."""

    detail: str
    field: str | None = None
    choices: list[str] | None = None


def image_url(output: Output) -> str | None:
    """Where the page fetches an output's image from."""
    return f"/artifacts/{quote(output.image_path)}" if output.image_path else None
