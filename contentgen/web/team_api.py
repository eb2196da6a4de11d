"""The JSON API of rubrics, reviewer assignment and agreement between reviewers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from contentgen.review import agreement, scoring, team
from contentgen.storage import reads
from contentgen.storage import team as team_store
from contentgen.web import security
from contentgen.web.api import ERRORS
from contentgen.web.context import engine_of, rater_for, rubrics, source_of
from contentgen.web.team_schemas import (
    AgreementOut,
    AssignIn,
    AssignOut,
    RubricOut,
    RubricRateIn,
    RubricRatingOut,
    TeamOut,
)

router = APIRouter(
    prefix="/api",
    tags=["review team"],
    responses=ERRORS,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)


@router.get("/rubrics", response_model=list[RubricOut])
def list_rubrics(request: Request) -> list[RubricOut]:
    """Every rubric: per template, per channel ('channel:sms'), per task ('task:...'), default."""
    return [RubricOut.of(r) for r in rubrics(request).all()]


@router.get("/outputs/{output_id}/rubric", response_model=RubricOut)
def output_rubric(output_id: str, request: Request) -> RubricOut:
    """The rubric that applies to an output, with the session reviewer's latest scores."""
    engine = engine_of(request)
    rubric = scoring.rubric_for(engine, rubrics(request), engine.get_output(output_id))
    rater = security.rater_of(request)
    mine = (
        team_store.latest_scores(engine.store, [output_id], rater).get(output_id) if rater else {}
    )
    return RubricOut.of(rubric, mine)


@router.post("/outputs/{output_id}/rubric", response_model=RubricRatingOut, status_code=201)
def rate_by_rubric(output_id: str, body: RubricRateIn, request: Request) -> RubricRatingOut:
    """Score an output on its rubric's criteria; stored with the rubric's id and hash (undoable)."""
    engine = engine_of(request)
    rated = scoring.rate_by_rubric(
        engine,
        rubrics(request),
        output_id,
        rater=rater_for(request, body.rater),
        scores=body.scores,
        score=body.score,
        thumb=body.thumb,
        comment=body.comment,
        source=source_of(request),
    )
    return RubricRatingOut.of(rated)


@router.get("/agreement", response_model=list[AgreementOut])
def get_agreement(request: Request) -> list[AgreementOut]:
    """Krippendorff's alpha between reviewers per template and criterion (overall score too)."""
    labels = agreement.criterion_labels(rubrics(request).all())
    return [AgreementOut.of(r) for r in agreement.agreement(engine_of(request).store, labels)]


@router.get("/team", response_model=TeamOut)
def get_team(request: Request) -> TeamOut:
    """Every reviewer's queue: assigned, done and open."""
    names = list(security.security_of(request).reviewers)
    return TeamOut.of(team.team_view(engine_of(request), names))


@router.post("/assignments", response_model=AssignOut, status_code=201)
def assign(body: AssignIn, request: Request) -> AssignOut:
    """Put outputs in the queues of k reviewers each, least-loaded reviewers first."""
    engine = engine_of(request)
    filters = (
        reads.QueueFilters.parse(body.filters, tasks=engine.tasks.names())
        if body.filters is not None
        else None
    )
    ids = team.scope(engine, job_id=body.job_id, filters=filters, output_ids=body.output_ids)
    result = team.assign(
        engine, ids, body.reviewers, k=body.k, assigned_by=rater_for(request, body.rater)
    )
    return AssignOut.of(result)
