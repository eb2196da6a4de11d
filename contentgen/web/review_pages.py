"""The review workflow's HTML forms: status of one output, bulk actions, and undo."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from contentgen.errors import ValidationError
from contentgen.review import workflow
from contentgen.storage import review as stored
from contentgen.web import security
from contentgen.web.context import engine_of
from contentgen.web.review_schemas import describe_undo

BULK_ACTIONS = ("approved", "rejected", "draft", "approve_passing", "approve_passing_page")

router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)


def _rater(request: Request) -> str:
    rater = security.rater_of(request)
    if rater is None:
        raise ValidationError("rater", "tell the review page who you are first (/whoami)")
    return rater


def _back(request: Request, message: str, next: str, default: str = "/") -> RedirectResponse:
    request.session["flash"] = message
    return RedirectResponse(security.safe_next(next, default), status_code=303)


def _summary(result: workflow.StatusResult) -> str:
    moved = f"{len(result.changed)} output(s) now {result.status}."
    if not result.refused:
        return moved
    first = result.refused[0][1]
    return f"{moved} {len(result.refused)} not changed: {first}" + (
        " (and more)" if len(result.refused) > 1 else ""
    )


@router.post("/outputs/{output_id}/status")
def status_form(
    request: Request,
    output_id: str,
    status: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Move one output to a review status, then back where the reviewer was."""
    result = workflow.change_status(
        engine_of(request), [output_id], status, rater=_rater(request), reason=reason or None
    )
    return _back(request, _summary(result), next, f"/outputs/{quote(output_id)}")


@router.post("/review/bulk")
def bulk_form(
    request: Request,
    action: Annotated[str, Form()],
    output_ids: Annotated[list[str] | None, Form()] = None,
    page_ids: Annotated[list[str] | None, Form()] = None,
    job_id: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Approve, reject or reset the selected outputs, or approve every passing one (one undo)."""
    engine, rater = engine_of(request), _rater(request)
    if action == "approve_passing":
        if not job_id:
            raise ValidationError("job_id", "approving all passing variants needs a job")
        result = workflow.approve_passing(engine, rater=rater, job_id=job_id)
    elif action == "approve_passing_page":
        result = workflow.approve_passing(engine, rater=rater, output_ids=page_ids or [])
    elif action in ("approved", "rejected", "draft"):
        if not output_ids:
            return _back(request, "Select outputs first (tick their boxes, or press x).", next)
        result = workflow.change_status(engine, output_ids, action, rater=rater)
    else:
        raise ValidationError("action", f"unknown bulk action {action!r}", BULK_ACTIONS)
    return _back(request, _summary(result), next)


@router.post("/review/undo")
def undo_form(request: Request, next: Annotated[str, Form()] = "") -> Response:
    """Revert the reviewer's last action."""
    undone = stored.undo_last(engine_of(request).store, _rater(request))
    return _back(request, describe_undo(undone) if undone else "Nothing to undo.", next)
