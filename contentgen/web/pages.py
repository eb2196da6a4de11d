"""HTML pages: review queue, output detail, side-by-side preference, jobs, report, login, name."""

from __future__ import annotations

import random
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from contentgen.errors import ValidationError
from contentgen.web import jobs, queries, report, security
from contentgen.web.api import Filters
from contentgen.web.context import engine_of, render
from contentgen.web.schemas import image_url
from contentgen.web.throttle import LoginThrottled

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
MAX_PAGE = 200

public = APIRouter(include_in_schema=False, dependencies=[Depends(security.require_csrf)])
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


# -- login and identity ----------------------------------------------------------------------------


@public.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The access-token form (only when a token is configured)."""
    if not security.security_of(request).token_required or security.is_authenticated(request):
        return _see_other(security.safe_next(next))
    return render(request, "login.html", title="Sign in", next=security.safe_next(next), error=None)


@public.post("/login")
def login(
    request: Request, token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    """Check the access token; a right one turns the session into a logged-in one."""
    target = security.safe_next(next)
    try:
        if security.log_in(request, token):
            return _see_other(target)
    except LoginThrottled as exc:
        page = render(
            request,
            "login.html",
            status_code=429,
            title="Sign in",
            next=target,
            error=f"Too many wrong access tokens. Try again in {exc.retry_after_s} seconds.",
        )
        page.headers["retry-after"] = str(exc.retry_after_s)
        return page
    return render(
        request,
        "login.html",
        status_code=401,
        title="Sign in",
        next=target,
        error="That access token is not right.",
    )


@public.post("/logout")
def logout(request: Request) -> Response:
    """Forget the session (login and reviewer name)."""
    request.session.clear()
    return _see_other("/login" if security.security_of(request).token_required else "/whoami")


@router.get("/whoami")
def whoami_form(request: Request, next: str = "/") -> Response:
    """Ask the reviewer for a name or pseudonym."""
    return render(
        request, "whoami.html", title="Who are you?", next=security.safe_next(next), error=None
    )


@router.post("/whoami")
def whoami(
    request: Request, rater: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    """Store the reviewer name in the signed session cookie."""
    try:
        security.set_rater(request, rater)
    except ValidationError as exc:
        return render(
            request,
            "whoami.html",
            status_code=422,
            title="Who are you?",
            next=security.safe_next(next),
            error=str(exc),
        )
    return _see_other(security.safe_next(next))


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
    ids, total = queries.queue_page(store, filters, limit=size, offset=offset)
    outputs = store.get_outputs(ids)
    summaries = queries.rating_summaries(store, ids, rater)
    channels = queries.channels_of(store, ids)
    keep = {**filters.params(), **({"per_page": str(per_page)} if per_page else {})}
    return render(
        request,
        "queue.html",
        title="Review queue",
        items=[(o, summaries[o.id], channels.get(o.id)) for o in outputs],
        filters=filters,
        keep=keep,
        facets=queries.facets(store),
        statuses=queries.STATUSES,
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
    """One output: text or image, provenance, evaluator verdicts, ratings, and its siblings."""
    rater = security.rater_of(request)
    if rater is None:
        return _ask_name(request)
    engine = engine_of(request)
    output = engine.get_output(output_id)
    summary = queries.rating_summaries(engine.store, [output_id], rater)[output_id]
    siblings = [
        o for o in engine.list_outputs(request_id=output.request_id, limit=20) if o.id != output.id
    ]
    return render(
        request,
        "output.html",
        title=f"Output {output.id[:8]}",
        output=output,
        summary=summary,
        channel=queries.channels_of(engine.store, [output_id]).get(output_id),
        ratings=engine.ratings(output_id),
        payload=engine.store.request_payload(output.request_id),
        siblings=siblings,
        here=_here(request),
        image_url=image_url,
        flash=_take_flash(request),
    )


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
    engine_of(request).rate(
        output_id,
        rater=_rater_or_422(request),
        score=score,
        thumb=thumb or None,
        comment=comment or None,
        source="web",
    )
    _flash(request, "Rating saved.")
    return _see_other(security.safe_next(next, f"/outputs/{quote(output_id)}"))


@router.post("/outputs/{output_id}/edit")
def edit_form(
    request: Request,
    output_id: str,
    edited_text: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Store an edited final text (the original output is kept)."""
    engine_of(request).rate(
        output_id, rater=_rater_or_422(request), edited_text=edited_text, source="web"
    )
    _flash(request, "Edit saved; the original text is kept.")
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
    pair = (a, b) if a and b else queries.pick_pair(engine.store, filters)
    outputs = engine.store.get_outputs(list(pair)) if pair else []
    random.SystemRandom().shuffle(outputs)
    return render(
        request,
        "compare.html",
        title="Which is better?",
        pair=outputs,
        filters=filters,
        facets=queries.facets(engine.store),
        statuses=queries.STATUSES,
        keep=filters.params(),
        image_url=image_url,
        flash=_take_flash(request),
    )


@router.post("/compare")
def compare(
    request: Request,
    first: Annotated[str, Form()],
    second: Annotated[str, Form()],
    preferred: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/compare",
) -> Response:
    """Record the preference through Engine.compare, then show the next pair."""
    engine_of(request).compare(
        first, second, preferred=preferred, rater=_rater_or_422(request), source="web"
    )
    _flash(request, "Preference saved.")
    return _see_other(security.safe_next(next, "/compare"))


# -- jobs and report -------------------------------------------------------------------------------


@router.get("/jobs")
def jobs_page(request: Request) -> Response:
    """Recent batch jobs with progress bars."""
    return render(request, "jobs.html", title="Jobs", jobs=jobs.list_jobs(engine_of(request).store))


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str) -> Response:
    """One job: progress (live while running), failed rows, review link and export buttons."""
    job = jobs.get_job(engine_of(request).store, job_id)
    return render(request, "job.html", title=f"Job {job.name}", job=job)


@router.get("/report")
def report_page(request: Request) -> Response:
    """Ratings by template, generator and channel, with the full feedback report when available."""
    engine = engine_of(request)
    tables = {by: engine.stats(by) for by in ("template", "generator", "channel")}
    return render(
        request, "report.html", title="Report", tables=tables, full_report=report.available()
    )


@router.get("/report/full")
def full_report(request: Request) -> Response:
    """The HTML report of contentgen.feedback.report, served in a sandbox (no scripts)."""
    return report.full_report(engine_of(request))
