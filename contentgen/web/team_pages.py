"""HTML pages and forms of the review team: rubric scores, the team page, assignments, guides."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from contentgen.errors import ValidationError
from contentgen.review import scoring, team
from contentgen.storage import reads
from contentgen.web import security
from contentgen.web.context import engine_of, render, rubrics

router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)
CRITERION = "criterion_"  # form field prefix of a criterion's score


def _rater(request: Request) -> str:
    rater = security.rater_of(request)
    if rater is None:
        raise ValidationError("rater", "tell the review page who you are first (/whoami)")
    return rater


def _back(request: Request, message: str, next: str, default: str) -> RedirectResponse:
    request.session["flash"] = message
    return RedirectResponse(security.safe_next(next, default), status_code=303)


def _whole(field: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValidationError(field, f"must be a whole number, got {value!r}") from None


@router.post("/outputs/{output_id}/rubric")
async def rubric_form(request: Request, output_id: str) -> Response:
    """The no-JavaScript rubric form: a 1-5 score per criterion (and an optional overall)."""
    form = await request.form()
    scores = {
        str(k)[len(CRITERION) :]: _whole(str(k), str(v))
        for k, v in form.multi_items()
        if str(k).startswith(CRITERION) and str(v)
    }
    overall = str(form.get("score") or "")
    comment = str(form.get("comment") or "").strip()
    # The form's names are the rubric's criteria, so it is read here (async); the database work
    # runs in the thread pool like every other handler's.
    rated = await run_in_threadpool(
        scoring.rate_by_rubric,
        engine_of(request),
        rubrics(request),
        output_id,
        rater=_rater(request),
        scores=scores,
        score=_whole("score", overall) if overall else None,
        comment=comment or None,
        source="web",
    )
    shown = ", ".join(f"{k} {v}" for k, v in rated.scores.items())
    return _back(
        request,
        f"Rubric scores saved ({shown}); overall {rated.overall}.",
        str(form.get("next") or ""),
        f"/outputs/{quote(output_id)}",
    )


@router.get("/team")
def team_page(request: Request) -> Response:
    """Every reviewer's queue (assigned, done, open), and the form that assigns outputs."""
    engine = engine_of(request)
    configured = list(security.security_of(request).reviewers)
    view = team.team_view(engine, configured)
    return render(
        request,
        "team.html",
        title="Team",
        view=view,
        configured=configured,
        facets=reads.facets(engine.store),
        review_statuses=reads.REVIEW_STATUSES,
        flash=request.session.pop("flash", None),
    )


@router.post("/team/assign")
def assign_form(
    request: Request,
    reviewers: Annotated[list[str] | None, Form()] = None,
    others: Annotated[str, Form()] = "",
    k: Annotated[int, Form()] = 1,
    job_id: Annotated[str, Form()] = "",
    task: Annotated[str, Form()] = "",
    template_id: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    review: Annotated[str, Form()] = "",
) -> Response:
    """Assign the outputs the form narrows to (a job, a template, a channel, ...) to reviewers."""
    engine = engine_of(request)
    names = [*(reviewers or []), *(n for n in others.split(",") if n.strip())]
    configured = security.security_of(request).reviewers
    if configured:
        unknown = [n for n in names if n.strip() not in configured]
        if unknown:
            raise ValidationError("reviewers", f"unknown reviewer {unknown[0]!r}", configured)
    raw = {"job_id": job_id, "task": task, "template_id": template_id, "channel": channel,
           "review": review, "status": "ok"}  # fmt: skip
    filters = reads.QueueFilters.parse(raw, tasks=engine.tasks.names())
    ids = team.scope(engine, filters=filters)
    result = team.assign(engine, ids, names, k=k, assigned_by=_rater(request))
    added = ", ".join(f"{n} +{c}" for n, c in result.added.items())
    short = f"; {result.short} output(s) could not get {k} reviewers" if result.short else ""
    return _back(
        request,
        f"Assigned {result.outputs} output(s), {k} reviewer(s) each: {added}{short}.",
        "/team",
        "/team",
    )


@router.get("/rubrics")
def rubrics_page(request: Request) -> Response:
    """Every rubric's guideline and criteria, and rubric files that could not be used."""
    library = rubrics(request)
    return render(
        request,
        "rubrics.html",
        title="Rubrics",
        rubrics=library.all(),
        problems=[str(p) for p in library.problems],
    )
