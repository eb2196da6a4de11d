"""The JSON API behind the review pages: outputs, ratings, edits, preferences, jobs, export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from contentgen.web import exporting, jobs, queries, security
from contentgen.web.context import engine_of, rater_for, source_of
from contentgen.web.schemas import (
    CompareIn,
    EditIn,
    ErrorOut,
    JobOut,
    OutputOut,
    OutputPage,
    RateIn,
    RatingOut,
    SessionIn,
    SessionOut,
    StatOut,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Token required"},
    403: {"model": ErrorOut, "description": "CSRF token missing or wrong"},
    404: {"model": ErrorOut, "description": "Unknown output or job"},
    422: {"model": ErrorOut, "description": "Invalid value; the message names the valid ones"},
}
MAX_LIMIT = 500

router = APIRouter(
    prefix="/api",
    tags=["review"],
    responses=ERRORS,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)


def filters_dep(
    job_id: str | None = None,
    task: str | None = None,
    template_id: str | None = None,
    generator_id: str | None = None,
    channel: str | None = None,
    status: str | None = None,
    flag: Annotated[str | None, Query(description="'any' or an evaluator name that failed")] = None,
) -> queries.QueueFilters:
    """Output filters from the query string."""
    return queries.QueueFilters.parse(locals())


Filters = Annotated[queries.QueueFilters, Depends(filters_dep)]


@router.get("/session", response_model=SessionOut)
def get_session(request: Request) -> SessionOut:
    """Who this session rates as, and the CSRF token for state-changing calls."""
    return SessionOut(
        rater=security.rater_of(request),
        csrf_token=security.csrf_token(request),
        authenticated=security.is_authenticated(request),
    )


@router.post("/session", response_model=SessionOut)
def set_session(body: SessionIn, request: Request) -> SessionOut:
    """Set the reviewer name (pseudonym) stored in the signed session cookie."""
    security.set_rater(request, body.rater)
    return get_session(request)


@router.get("/outputs", response_model=OutputPage)
def list_outputs(
    request: Request,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    unrated_first: bool = True,
) -> OutputPage:
    """Outputs matching the filters, unrated first (then newest first), one page at a time."""
    engine = engine_of(request)
    ids, total = queries.queue_page(
        engine.store, filters, limit=limit, offset=offset, unrated_first=unrated_first
    )
    outputs = engine.store.get_outputs(ids)
    summaries = queries.rating_summaries(engine.store, ids, security.rater_of(request))
    items = [OutputOut.of(o, final_text=summaries[o.id].final_text) for o in outputs]
    return OutputPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/outputs/{output_id}", response_model=OutputOut)
def get_output(output_id: str, request: Request) -> OutputOut:
    """One output with provenance, evaluator verdicts and every rating."""
    engine = engine_of(request)
    output = engine.get_output(output_id)
    ratings = engine.ratings(output_id)
    edits = [r.edited_text for r in ratings if r.output_id == output_id and r.edited_text]
    return OutputOut.of(output, final_text=edits[-1] if edits else None, ratings=ratings)


@router.post("/outputs/{output_id}/ratings", response_model=list[RatingOut], status_code=201)
def rate(output_id: str, body: RateIn, request: Request) -> list[RatingOut]:
    """Rate an output with any of a 1-5 score, a thumb and a comment."""
    ratings = engine_of(request).rate(
        output_id,
        rater=rater_for(request, body.rater),
        score=body.score,
        thumb=body.thumb,
        comment=body.comment,
        source=source_of(request),
    )
    return [RatingOut.of(r) for r in ratings]


@router.post("/outputs/{output_id}/edit", response_model=RatingOut, status_code=201)
def edit(output_id: str, body: EditIn, request: Request) -> RatingOut:
    """Store a corrected final text as an 'edit' rating; the original output stays as generated."""
    (rating,) = engine_of(request).rate(
        output_id,
        rater=rater_for(request, body.rater),
        edited_text=body.edited_text,
        source=source_of(request),
    )
    return RatingOut.of(rating)


@router.post("/compare", response_model=RatingOut, status_code=201)
def compare(body: CompareIn, request: Request) -> RatingOut:
    """Record which of two outputs of the same task the rater prefers."""
    rating = engine_of(request).compare(
        body.first,
        body.second,
        preferred=body.preferred,
        rater=rater_for(request, body.rater),
        source=source_of(request),
    )
    return RatingOut.of(rating)


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(request: Request) -> list[JobOut]:
    """Recent batch jobs with their progress."""
    return [JobOut.of(j) for j in jobs.list_jobs(engine_of(request).store)]


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: str, request: Request) -> JobOut:
    """One batch job: progress, item counts, failed rows, outputs and how many are rated."""
    return JobOut.of(jobs.get_job(engine_of(request).store, job_id))


@router.get("/stats", response_model=list[StatOut])
def stats(request: Request, by: str = "template") -> list[StatOut]:
    """Outputs, ratings and rejections grouped by template, generator, task, channel or model."""
    return [StatOut.of(r) for r in engine_of(request).stats(by)]


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "content": {t: {} for t in exporting.MEDIA_TYPES.values()},
            "description": "The export file",
        }
    },
)
def export(
    request: Request,
    filters: Filters,
    format: Annotated[str, Query(description="csv, jsonl or xlsx")] = "csv",
) -> Response:
    """Download outputs with their rating summary and final (edited) text as CSV, JSONL or XLSX."""
    fmt = exporting.check_format(format)
    store = engine_of(request).store
    wanted = filters.store_filters()
    disposition = {
        "content-disposition": f'attachment; filename="{exporting.filename(fmt, wanted)}"'
    }
    if fmt == "xlsx":
        data = exporting.xlsx_export(store, wanted)
        return Response(data, media_type=exporting.MEDIA_TYPES[fmt], headers=disposition)
    chunks = exporting.text_export(store, fmt, wanted)
    return StreamingResponse(chunks, media_type=exporting.MEDIA_TYPES[fmt], headers=disposition)
