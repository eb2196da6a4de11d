"""Pydantic models of the review workflow API: context, findings, statuses, undo, checked edits."""

from __future__ import annotations

from pydantic import BaseModel, Field

from contentgen.review.edits import SavedEdit
from contentgen.review.facts import FactContext
from contentgen.review.wording import Finding, Findings
from contentgen.review.workflow import ReviewView, StatusResult
from contentgen.storage.review import ActionInfo, Undone
from contentgen.web.schemas import RatingOut


class FindingOut(BaseModel):
    """One check result in plain language, with its evidence."""

    sentence: str
    blocking: bool
    label: str
    check: str
    kind: str
    field: str
    evidence: str

    @classmethod
    def of(cls, f: Finding) -> FindingOut:
        """From a Finding."""
        return cls(**f.as_dict())


class FindingsOut(BaseModel):
    """Findings that block publishing and findings that only advise, apart."""

    passed: bool
    blocking: list[FindingOut]
    advisory: list[FindingOut]

    @classmethod
    def of(cls, f: Findings) -> FindingsOut:
        """From Findings."""
        return cls(
            passed=f.passed,
            blocking=[FindingOut.of(x) for x in f.blocking],
            advisory=[FindingOut.of(x) for x in f.advisory],
        )


class FactOut(BaseModel):
    """One fact beside the copy: used by it, contradicted by it, or neither."""

    key: str
    label: str
    value: str
    used: bool
    contradicted: str | None = None


class ContextOut(BaseModel):
    """The request's facts (product, article, or message and policy) marked against the copy."""

    heading: str
    product_name: str | None
    sku: str | None
    facts: list[FactOut]

    @classmethod
    def of(cls, c: FactContext) -> ContextOut:
        """From a FactContext."""
        return cls(
            heading=c.heading,
            product_name=c.product_name,
            sku=c.sku,
            facts=[
                FactOut(
                    key=x.key,
                    label=x.label,
                    value=x.value,
                    used=x.used,
                    contradicted=x.contradicted,
                )
                for x in c.lines
            ],
        )


class DiffPartOut(BaseModel):
    """A run of text both share ('same'), the edit removed ('del') or added ('ins')."""

    op: str
    text: str


class ReviewOut(BaseModel):
    """An output in review: status, final text, plain-language checks, facts and edit diff."""

    output_id: str
    review_status: str
    passing: bool = Field(description="Nothing blocks publishing the final text (or overridden).")
    final_text: str | None
    findings: FindingsOut
    context: ContextOut
    diff: list[DiffPartOut]
    override_reason: str | None = None

    @classmethod
    def of(cls, v: ReviewView) -> ReviewOut:
        """From a ReviewView."""
        return cls(
            output_id=v.output.id,
            review_status=v.status,
            passing=v.passing,
            final_text=v.final_text,
            findings=FindingsOut.of(v.findings),
            context=ContextOut.of(v.context),
            diff=[DiffPartOut(op=p.op, text=p.text) for p in v.diff()],
            override_reason=v.overridden,
        )


class StatusIn(BaseModel):
    """A review status for one output; `reason` approves blocked copy anyway (recorded)."""

    status: str = Field(description="draft, approved, rejected, exported or published.")
    reason: str | None = None
    rater: str | None = Field(None, description="Required with Bearer auth; the session wins.")


class BulkStatusIn(StatusIn):
    """A review status for several outputs at once (one undoable action)."""

    output_ids: list[str]


class ApprovePassingIn(BaseModel):
    """Approve every draft nothing blocks: all of a job's outputs, or the listed ones."""

    job_id: str | None = None
    output_ids: list[str] | None = None
    rater: str | None = None


class RefusedOut(BaseModel):
    """An output that was not moved, and why."""

    output_id: str
    reason: str


class StatusOut(BaseModel):
    """What a status change did."""

    status: str
    changed: list[str]
    refused: list[RefusedOut]

    @classmethod
    def of(cls, r: StatusResult) -> StatusOut:
        """From a StatusResult."""
        return cls(
            status=r.status,
            changed=[c.output_id for c in r.changed],
            refused=[RefusedOut(output_id=o, reason=why) for o, why in r.refused],
        )


class ActionOut(BaseModel):
    """The reviewer's newest action that can be undone."""

    action: str
    count: int
    output_ids: list[str]
    created_at: str | None

    @classmethod
    def of(cls, a: ActionInfo) -> ActionOut:
        """From an ActionInfo."""
        return cls(
            action=a.action, count=a.count, output_ids=list(a.output_ids), created_at=a.created_at
        )


class UndoOut(BaseModel):
    """What undo reverted (nothing when `undone` is false)."""

    undone: bool
    message: str
    action: str | None = None
    output_ids: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, u: Undone | None) -> UndoOut:
        """From `undo_last`'s answer."""
        if u is None:
            return cls(undone=False, message="nothing to undo")
        return cls(
            undone=True, message=describe_undo(u), action=u.action, output_ids=list(u.output_ids)
        )


class EditCheckIn(BaseModel):
    """A text to check as an edit of an output, without saving it."""

    edited_text: str


def describe_undo(u: Undone) -> str:
    """A line for the flash message: what was undone."""
    if u.ratings:
        return f"Undone: {u.action} ({u.ratings} rating(s) removed)"
    return f"Undone: {u.action} of {len(u.output_ids)} output(s) ({len(u.statuses)} restored)"


class EditOut(RatingOut):
    """A stored edit, with the findings of the checks it went through and any override."""

    findings: FindingsOut
    override_reason: str | None = None

    @classmethod
    def of(cls, saved: SavedEdit) -> EditOut:  # type: ignore[override]
        """From a SavedEdit."""
        base = RatingOut.of(saved.rating).model_dump()
        return cls(
            **base, findings=FindingsOut.of(saved.findings), override_reason=saved.override_reason
        )


class EditBlockedOut(BaseModel):
    """An edit refused for blocking findings: save it with an override_reason, or fix it."""

    detail: str
    field: str = "edited_text"
    findings: FindingsOut
