"""HTML pages: review queue, output detail, side-by-side preference, jobs, report, login, name."""

from __future__ import annotations

import random
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from contentgen.errors import ValidationError
from contentgen.ratings import TIE
from contentgen.review import agreement, scoring, workflow
from contentgen.review.edits import EditBlocked, save_edit
from contentgen.review.facts import merged_context
from contentgen.storage import reads
from contentgen.storage import review as stored
from contentgen.storage import team as team_store
from contentgen.types import Rating
from contentgen.web import jobs, report, security
from contentgen.web.api import Filters
from contentgen.web.context import engine_of, render, rubrics
from contentgen.web.schemas import image_url

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
MAX_PAGE = 200

router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _ask_name(request: Request) -> RedirectResponse:
    return _see_other("/whoami?" + urlencode({"next": _here(request)}))


def _flash(request: Request, message: str) -> None:
    request.session["flash"] = message


def _take_flash(request: Request) -> str | None:
    message = request.session.pop("flash", None)
    return message if isinstance(message, str) else None


# -- queue and output ------------------------------------------------------------------------------


@router.get("/")
def queue(
    request: Request,
    filters: Filters,
    offset: Annotated[int, Query(ge=0)] = 0,
    per_page: Annotated[int | None, Query(ge=1, le=MAX_PAGE)] = None,
) -> Response:
    """The review queue: unrated outputs first, filterable, one page at a time."""
    rater = security.rater_of(request)
    if rater is None:
        return _ask_name(request)
    store = engine_of(request).store
    size = per_page or request.app.state.page_size
    ids, total = reads.queue_page(store, filters, limit=size, offset=offset)
    outputs = store.get_outputs(ids)
    summaries = reads.rating_summaries(store, ids, rater)
    channels = reads.channels_of(store, ids)
    views = workflow.review_views(engine_of(request), outputs)
    keep = {**filters.params(), **({"per_page": str(per_page)} if per_page else {})}
    rubric_of = scoring.rubrics_for(rubrics(request), outputs, channels)
    return render(
        request,
        "queue.html",
        title=f"Queue of {filters.assigned}" if filters.assigned else "Review queue",
        items=[(v.output, summaries[v.output.id], channels.get(v.output.id), v) for v in views],
        views=views,
        rubric_of=rubric_of,
        guides=list({r.id: r for r in rubric_of.values()}.values()),
        mine=team_store.latest_scores(store, ids, rater),
        last_action=stored.last_action(store, rater),
        filters=filters,
        keep=keep,
        facets=reads.facets(store),
        statuses=reads.STATUSES,
        review_statuses=reads.REVIEW_STATUSES,
        total=total,
        offset=offset,
        size=size,
        unrated_on_page=sum(1 for o in outputs if not summaries[o.id].count),
        here=_here(request),
        image_url=image_url,
        flash=_take_flash(request),
    )


@router.get("/outputs/{output_id}")
def output_page(request: Request, output_id: str) -> Response:
    """One output: copy and edit diff, facts, checks, status, ratings, provenance, siblings."""
    rater = security.rater_of(request)
    if rater is None:
        return _ask_name(request)
    return _output_page(request, output_id, rater)


def _output_page(
    request: Request,
    output_id: str,
    rater: str,
    *,
    blocked: EditBlocked | None = None,
    blocked_text: str = "",
) -> Response:
    engine = engine_of(request)
    output = engine.get_output(output_id)
    view = workflow.review_view(engine, output_id)
    summary = reads.rating_summaries(engine.store, [output_id], rater)[output_id]
    ratings = engine.ratings(output_id)
    siblings = [
        o for o in engine.list_outputs(request_id=output.request_id, limit=20) if o.id != output.id
    ]
    return render(
        request,
        "output.html",
        status_code=422 if blocked is not None else 200,
        title=f"Output {output.id[:8]}",
        view=view,
        diff=view.diff(),
        blocked=blocked.findings if blocked is not None else None,
        blocked_text=blocked_text,
        output=output,
        summary=summary,
        channel=reads.channels_of(engine.store, [output_id]).get(output_id),
        ratings=ratings,
        marks=team_store.marks_of(engine.store, [r.id for r in ratings]),
        rubric=scoring.rubric_for(engine, rubrics(request), output),
        mine=team_store.latest_scores(engine.store, [output_id], rater).get(output_id, {}),
        payload=engine.store.request_payload(output.request_id),
        siblings=siblings,
        here=_here(request),
        image_url=image_url,
        flash=_take_flash(request),
    )


def _mark(request: Request, output_id: str, ratings: list[Rating]) -> None:
    engine = engine_of(request)
    rubric = scoring.rubric_for(engine, rubrics(request), engine.get_output(output_id))
    scoring.mark(engine, rubric, ratings)


def _rater_or_422(request: Request) -> str:
    rater = security.rater_of(request)
    if rater is None:
        raise ValidationError("rater", "tell the review page who you are first (/whoami)")
    return rater


@router.post("/outputs/{output_id}/rate")
def rate_form(
    request: Request,
    output_id: str,
    score: Annotated[int | None, Form()] = None,
    thumb: Annotated[str | None, Form()] = None,
    comment: Annotated[str | None, Form()] = None,
    next: Annotated[str, Form()] = "",
) -> Response:
    """The no-JavaScript rating form: score, thumb or comment, then back where the reviewer was."""
    engine, rater = engine_of(request), _rater_or_422(request)
    ratings = engine.rate(
        output_id,
        rater=rater,
        score=score,
        thumb=thumb or None,
        comment=comment or None,
        source="web",
    )
    _mark(request, output_id, ratings)
    stored.log_ratings(engine.store, ratings, rater=rater, action="rating")
    _flash(request, "Rating saved.")
    return _see_other(security.safe_next(next, f"/outputs/{quote(output_id)}"))


@router.post("/outputs/{output_id}/edit")
def edit_form(
    request: Request,
    output_id: str,
    edited_text: Annotated[str, Form()] = "",
    override_reason: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check and store an edited final text; blocked edits come back with the findings."""
    engine, rater = engine_of(request), _rater_or_422(request)
    try:
        saved = save_edit(
            engine,
            output_id,
            edited_text,
            rater=rater,
            source="web",
            override_reason=override_reason or None,
        )
    except EditBlocked as exc:
        return _output_page(request, output_id, rater, blocked=exc, blocked_text=edited_text)
    _mark(request, output_id, [saved.rating])
    stored.log_ratings(engine.store, [saved.rating], rater=rater, action="edit")
    overridden = " (checks overridden; the reason is recorded)" if saved.override_reason else ""
    _flash(request, f"Edit saved{overridden}; the original text is kept.")
    return _see_other(security.safe_next(next, f"/outputs/{quote(output_id)}"))


@router.get("/artifacts/{relative:path}")
def artifact(request: Request, relative: str) -> FileResponse:
    """An image from the artifact store; paths that leave the store, or other files, are 404."""
    artifacts = engine_of(request).store.artifacts
    try:
        path = artifacts.path(relative)
    except ValueError:
        raise HTTPException(404, "no such artifact") from None
    media_type = IMAGE_TYPES.get(path.suffix.lower())
    if media_type is None or not path.is_file():
        raise HTTPException(404, "no such artifact")
    return FileResponse(
        path, media_type=media_type, headers={"cache-control": "private, max-age=86400"}
    )


# -- pairwise preference ---------------------------------------------------------------------------


@router.get("/compare")
def compare_page(
    request: Request, filters: Filters, a: str | None = None, b: str | None = None
) -> Response:
    """Two outputs side by side, in random positions; the reviewer picks the better one."""
    rater = security.rater_of(request)
    if rater is None:
        return _ask_name(request)
    engine = engine_of(request)
    pair = (a, b) if a and b else reads.pick_pair(engine.store, filters)
    views = workflow.review_views(engine, engine.store.get_outputs(list(pair))) if pair else []
    random.SystemRandom().shuffle(views)
    return render(
        request,
        "compare.html",
        title="Which is better?",
        pair=views,
        shared=merged_context([v.context for v in views]) if _one_request(views) else None,
        rubric=scoring.rubric_for(engine, rubrics(request), views[0].output) if views else None,
        filters=filters,
        facets=reads.facets(engine.store),
        statuses=reads.STATUSES,
        keep=filters.params(),
        image_url=image_url,
        flash=_take_flash(request),
    )


def _one_request(views: list[workflow.ReviewView]) -> bool:
    return len(views) == 2 and views[0].output.request_id == views[1].output.request_id


@router.post("/compare")
def compare(
    request: Request,
    first: Annotated[str, Form()],
    second: Annotated[str, Form()],
    preferred: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/compare",
) -> Response:
    """Record the preference, a tie or "both bad", then show the next pair."""
    engine, rater = engine_of(request), _rater_or_422(request)
    done = scoring.compare(
        engine, rubrics(request), first, second, preferred=preferred, rater=rater, source="web"
    )
    said = {scoring.BOTH_BAD: "Both bad saved.", TIE: "Tie saved."}.get(done.verdict or "")
    _flash(request, said or "Preference saved.")
    return _see_other(security.safe_next(next, "/compare"))


# -- jobs and report -------------------------------------------------------------------------------


@router.get("/jobs")
def jobs_page(request: Request) -> Response:
    """Recent batch jobs with progress bars."""
    return render(request, "jobs.html", title="Jobs", jobs=jobs.list_jobs(engine_of(request).store))


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str) -> Response:
    """One job: progress (live while running), failed rows, review link and export buttons."""
    store = engine_of(request).store
    job = jobs.get_job(store, job_id)
    counts = workflow.counts_by_status(
        stored.statuses_of(store, reads.job_output_ids(store, job.id))
    )
    return render(request, "job.html", title=f"Job {job.name}", job=job, review_counts=counts)


@router.get("/report")
def report_page(request: Request) -> Response:
    """Ratings by template, generator and channel, with the full feedback report when available."""
    engine = engine_of(request)
    tables = {by: engine.stats(by) for by in ("template", "generator", "channel")}
    labels = agreement.criterion_labels(rubrics(request).all())
    return render(
        request,
        "report.html",
        title="Report",
        tables=tables,
        agreement=agreement.agreement(engine.store, labels),
        full_report=report.available(),
    )


@router.get("/report/full")
def full_report(request: Request) -> Response:
    """The HTML report of contentgen.feedback.report, served in a sandbox (no scripts)."""
    return report.full_report(engine_of(request))
