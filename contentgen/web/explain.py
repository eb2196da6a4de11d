"""The "why this output" panel: `GET /outputs/{id}/explain` (HTML) and `/api/outputs/{id}/explain`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from contentgen.explain.records import Explanation
from contentgen.web import security
from contentgen.web.context import engine_of, render

router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)


@dataclass(frozen=True)
class Segment:
    """A piece of the output's text; `fact` names the fact it uses, if any."""

    text: str
    fact: str | None = None
    sentence: int | None = None


def segments(explanation: Explanation) -> list[Segment]:
    """The output's text cut at the grounded spans, so the page can highlight them."""
    text = explanation.text or ""
    spans: list[tuple[int, int, str, int]] = []
    for number, sentence in enumerate(explanation.grounding.sentences, 1):
        for link in sentence.links:
            spans.append((link.output_start, link.output_end, link.fact, number))
    found: list[Segment] = []
    at = 0
    for start, end, fact, number in sorted(spans):
        if start < at:  # overlaps the previous highlight: the table still lists it
            continue
        if start > at:
            found.append(Segment(text[at:start]))
        found.append(Segment(text[start:end], fact, number))
        at = end
    if at < len(text):
        found.append(Segment(text[at:]))
    return found


def panel_context(explanation: Explanation) -> dict[str, Any]:
    """What `_explain_panel.html` needs: the explanation, its highlighted text and fact texts."""
    return {
        "why": explanation,
        "segments": segments(explanation),
        "fact_texts": {f.path: f.text for f in explanation.grounding.facts},
    }


@router.get("/outputs/{output_id}/explain")
def explain_page(request: Request, output_id: str) -> Response:
    """The explanation of one output as a page (linked from the output page)."""
    explanation = engine_of(request).explain(output_id)
    return render(
        request,
        "explain.html",
        title=f"Why output {output_id[:8]}",
        **panel_context(explanation),
    )


@router.get("/api/outputs/{output_id}/explain")
def explain_json(request: Request, output_id: str) -> JSONResponse:
    """The explanation of one output as JSON (the same record as `contentgen explain --json`)."""
    return JSONResponse(engine_of(request).explain(output_id).as_dict())
