"""The JSON API behind the review pages: outputs, ratings, edits, preferences, jobs, export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from contentgen.review import scoring
from contentgen.review.edits import save_edit
from contentgen.storage import reads
from contentgen.storage import review as stored
from contentgen.types import Rating
from contentgen.web import exporting, jobs, security
from contentgen.web.context import engine_of, rater_for, rubrics, source_of
from contentgen.web.review_schemas import EditBlockedOut, EditOut
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
    request: Request,
    job_id: str | None = None,
    task: str | None = None,
    template_id: str | None = None,
    generator_id: str | None = None,
    channel: str | None = None,
    status: str | None = None,
    flag: Annotated[str | None, Query(description="'any' or an evaluator name that failed")] = None,
    q: Annotated[str | None, Query(description="Words in the text or the product facts")] = None,
    review: Annotated[
        str | None, Query(description="draft, approved, rejected, exported or published")
    ] = None,
    assigned: Annotated[
        str | None, Query(description="A reviewer's queue: outputs assigned to this name")
    ] = None,
) -> reads.QueueFilters:
    """Output filters from the query string (a task must be one the engine serves)."""
    return reads.QueueFilters.parse(locals(), tasks=engine_of(request).tasks.names())


Filters = Annotated[reads.QueueFilters, Depends(filters_dep)]


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
    ids, total = reads.queue_page(
        engine.store, filters, limit=limit, offset=offset, unrated_first=unrated_first
    )
    outputs = engine.store.get_outputs(ids)
    summaries = reads.rating_summaries(engine.store, ids, security.rater_of(request))
    statuses = stored.statuses_of(engine.store, ids)
    items = [
        OutputOut.of(o, final_text=summaries[o.id].final_text, review_status=statuses[o.id])
        for o in outputs
    ]
    return OutputPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/outputs/{output_id}", response_model=OutputOut)
def get_output(output_id: str, request: Request) -> OutputOut:
    """One output with provenance, evaluator verdicts and every rating."""
    engine = engine_of(request)
    output = engine.get_output(output_id)
    ratings = engine.ratings(output_id)
    edits = [r.edited_text for r in ratings if r.output_id == output_id and r.edited_text]
    status = stored.statuses_of(engine.store, [output_id])[output_id]
    return OutputOut.of(
        output, final_text=edits[-1] if edits else None, ratings=ratings, review_status=status
    )


@router.post("/outputs/{output_id}/ratings", response_model=list[RatingOut], status_code=201)
def rate(output_id: str, body: RateIn, request: Request) -> list[RatingOut]:
    """Rate an output with any of a 1-5 score, a thumb and a comment (undoable)."""
    engine, rater = engine_of(request), rater_for(request, body.rater)
    ratings = engine.rate(
        output_id,
        rater=rater,
        score=body.score,
        thumb=body.thumb,
        comment=body.comment,
        source=source_of(request),
    )
    _mark(request, output_id, ratings)
    stored.log_ratings(engine.store, ratings, rater=rater, action="rating")
    return [RatingOut.of(r) for r in ratings]


@router.post(
    "/outputs/{output_id}/edit",
    response_model=EditOut,
    status_code=201,
    responses={422: {"model": EditBlockedOut, "description": "The edit fails blocking checks"}},
)
def edit(output_id: str, body: EditIn, request: Request) -> EditOut:
    """Check a corrected final text like generated copy, then store it as an 'edit' rating.

    An edit that fails a blocking check is refused (422, with the findings) unless
    `override_reason` says why it is right; the original output stays as generated.
    """
    engine, rater = engine_of(request), rater_for(request, body.rater)
    saved = save_edit(
        engine,
        output_id,
        body.edited_text,
        rater=rater,
        source=source_of(request),
        override_reason=body.override_reason,
    )
    _mark(request, output_id, [saved.rating])
    stored.log_ratings(engine.store, [saved.rating], rater=rater, action="edit")
    return EditOut.of(saved)


@router.post("/compare", response_model=RatingOut, status_code=201)
def compare(body: CompareIn, request: Request) -> RatingOut:
    """Record which of two outputs the rater prefers, a tie, or "both_bad" (undoable).

    "both_bad" is stored as a tie plus a thumb down on each output.
    """
    done = scoring.compare(
        engine_of(request),
        rubrics(request),
        body.first,
        body.second,
        preferred=body.preferred,
        rater=rater_for(request, body.rater),
        source=source_of(request),
    )
    return RatingOut.of(done.rating)


def _mark(request: Request, output_id: str, ratings: list[Rating]) -> None:
    """Store the rubric in force with ratings made through the API."""
    engine = engine_of(request)
    rubric = scoring.rubric_for(engine, rubrics(request), engine.get_output(output_id))
    scoring.mark(engine, rubric, ratings)


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
    approved: Annotated[bool, Query(description="Only approved copy")] = False,
) -> Response:
    """Download outputs with context, review status, ratings and final text (CSV, JSONL, XLSX)."""
    fmt = exporting.check_format(format)
    store = engine_of(request).store
    wanted: dict[str, Any] = filters.store_filters()
    if approved or filters.review == "approved":
        wanted["approved"] = True
    disposition = {
        "content-disposition": f'attachment; filename="{exporting.filename(fmt, wanted)}"'
    }
    if fmt == "xlsx":
        data = exporting.xlsx_export(store, wanted)
        return Response(data, media_type=exporting.MEDIA_TYPES[fmt], headers=disposition)
    chunks = exporting.text_export(store, fmt, wanted)
    return StreamingResponse(chunks, media_type=exporting.MEDIA_TYPES[fmt], headers=disposition)
