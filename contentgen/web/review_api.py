"""The JSON API of the review workflow: context and checks, statuses (one or bulk), undo, checks."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from contentgen.errors import ValidationError
from contentgen.review import workflow
from contentgen.review.edits import check_edit
from contentgen.storage import review as stored
from contentgen.web import security
from contentgen.web.api import ERRORS
from contentgen.web.context import engine_of, rater_for
from contentgen.web.review_schemas import (
    ActionOut,
    ApprovePassingIn,
    BulkStatusIn,
    EditCheckIn,
    FindingsOut,
    ReviewOut,
    StatusIn,
    StatusOut,
    UndoOut,
)

router = APIRouter(
    prefix="/api",
    tags=["review workflow"],
    responses=ERRORS,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)


@router.get("/outputs/{output_id}/review", response_model=ReviewOut)
def get_review(output_id: str, request: Request) -> ReviewOut:
    """The output's review status, final text, plain-language checks, facts and edit diff."""
    return ReviewOut.of(workflow.review_view(engine_of(request), output_id))


@router.post("/outputs/{output_id}/status", response_model=StatusOut)
def set_status(output_id: str, body: StatusIn, request: Request) -> StatusOut:
    """Move one output to a review status; 422 with the reason when it may not move."""
    result = workflow.change_status(
        engine_of(request),
        [output_id],
        body.status,
        rater=rater_for(request, body.rater),
        reason=body.reason,
    )
    if result.refused:
        raise ValidationError("status", f"cannot mark it {body.status}: {result.refused[0][1]}")
    return StatusOut.of(result)


@router.post("/review/status", response_model=StatusOut)
def set_statuses(body: BulkStatusIn, request: Request) -> StatusOut:
    """Move several outputs at once (one undoable action); those that may not move are listed."""
    result = workflow.change_status(
        engine_of(request),
        body.output_ids,
        body.status,
        rater=rater_for(request, body.rater),
        reason=body.reason,
    )
    return StatusOut.of(result)


@router.post("/review/approve-passing", response_model=StatusOut)
def approve_passing(body: ApprovePassingIn, request: Request) -> StatusOut:
    """Approve every draft of a job (or of the listed outputs) that nothing blocks."""
    result = workflow.approve_passing(
        engine_of(request),
        rater=rater_for(request, body.rater),
        job_id=body.job_id,
        output_ids=body.output_ids,
    )
    return StatusOut.of(result)


@router.get("/review/last-action", response_model=ActionOut | None)
def last_action(request: Request, rater: str | None = None) -> ActionOut | None:
    """The reviewer's newest action that undo would revert, or null."""
    found = stored.last_action(engine_of(request).store, rater_for(request, rater))
    return ActionOut.of(found) if found is not None else None


@router.post("/review/undo", response_model=UndoOut)
def undo(request: Request, rater: str | None = None) -> UndoOut:
    """Revert the reviewer's newest action (a status change, a bulk action, a rating or an edit)."""
    return UndoOut.of(stored.undo_last(engine_of(request).store, rater_for(request, rater)))


@router.post("/outputs/{output_id}/edit/check", response_model=FindingsOut)
def check(output_id: str, body: EditCheckIn, request: Request) -> FindingsOut:
    """Run a text through the output's checks without saving it."""
    engine = engine_of(request)
    return FindingsOut.of(check_edit(engine, engine.store.get_output(output_id), body.edited_text))
