"""The bias audit page: `GET /audits/bias` (HTML) and `/api/audits/bias`, from saved reports."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from contentgen.audit.attributes import ATTRIBUTE_NAMES
from contentgen.audit.measures import MEASURES
from contentgen.audit.report import format_difference, format_p, format_value, json_ready
from contentgen.audit.saved import audits_folder, flagged_names, latest_audits
from contentgen.web import security
from contentgen.web.context import engine_of, render

router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)
SMALL_AUDIT = "contentgen audit bias --attribute {attribute} --pairs 20 --resamples 999"


@router.get("/audits/bias")
def bias_page(request: Request) -> Response:
    """The latest bias audit per generator and attribute: effects with intervals and tests."""
    engine = engine_of(request)
    found = latest_audits(engine.settings.data_dir)
    return render(
        request,
        "bias.html",
        title="Bias audit",
        generators=found.by_generator(),
        skipped=found.skipped,
        folder=str(audits_folder(engine.settings.data_dir)),
        commands=[SMALL_AUDIT.format(attribute=a) for a in ATTRIBUTE_NAMES],
        measures={m.name: m.description for m in MEASURES},
        value=format_value,
        difference=format_difference,
        p=format_p,
    )


@router.get("/api/audits/bias")
def bias_json(request: Request) -> JSONResponse:
    """The same as JSON: per generator and attribute, the newest report's effects."""
    found = latest_audits(engine_of(request).settings.data_dir)
    audits: list[dict[str, Any]] = [json_ready(asdict(a)) for a in found.audits]
    body = {
        "audits": audits,
        "flagged": flagged_names(found.audits),
        "skipped": list(found.skipped),
    }
    return JSONResponse(body)
