"""The engine's prepare step, many requests at a time: route, clean the variables, render.

Every prompt of a window slice renders in one job of the render worker (one pipe round trip for
16 batch rows instead of 16), each with its own render budget; a request whose routing or render
fails gets its error in its place, and the others are prepared as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contentgen import requests_io
from contentgen.checks.rerank import best_of_for
from contentgen.drafts import DraftContext, example_facts
from contentgen.errors import ContentgenError
from contentgen.generation import widen
from contentgen.ids import new_id
from contentgen.routing import RoutePlan, plan_route
from contentgen.templates import RenderedPrompt
from contentgen.types import BaseRequest, JobItem
from contentgen.work import Work

if TYPE_CHECKING:
    from contentgen.engine import Engine
    from contentgen.tasks.spec import TaskSpec

Entry = tuple[BaseRequest, JobItem | None]  # a request and the batch row it is for, if any


@dataclass(frozen=True)
class _Planned:
    """A request routed, with the variables its template sees."""

    request: BaseRequest
    task: TaskSpec
    plan: RoutePlan
    variables: dict[str, Any]


def prepare_works(engine: Engine, entries: Sequence[Entry]) -> list[Work | ContentgenError]:
    """Works for the requests, in order; a request that cannot be prepared is its error."""
    planned: list[_Planned | ContentgenError] = []
    for request, _ in entries:
        try:
            planned.append(_plan(engine, request))
        except ContentgenError as exc:
            planned.append(exc)
    templated = [
        (index, p)
        for index, p in enumerate(planned)
        if isinstance(p, _Planned) and p.plan.template_id
    ]
    renders = engine.templates.render_many(
        [(str(p.plan.template_id), p.variables) for _, p in templated]
    )
    rendered = {index: r for (index, _), r in zip(templated, renders, strict=True)}
    works: list[Work | ContentgenError] = []
    for index, ((_, item), p) in enumerate(zip(entries, planned, strict=True)):
        prompt = rendered.get(index)
        if isinstance(p, ContentgenError) or isinstance(prompt, ContentgenError):
            works.append(p if isinstance(p, ContentgenError) else _error(prompt))
            continue
        try:
            works.append(_work(engine, p, prompt, item))
        except ContentgenError as exc:
            works.append(exc)
    return works


def _plan(engine: Engine, request: BaseRequest) -> _Planned:
    """Route a request (the bandit's arm when it is on) and clean its template variables."""
    task = engine.tasks.spec_for(request)
    if engine.settings.bandit:  # the feedback loop's Thompson-sampled arm (feedback/bandit.py)
        request = engine.bandit.route(request)
    plan = plan_route(request, engine.settings, engine.registry, engine.templates, task)
    return _Planned(request, task, plan, requests_io.prompt_variables(request, task))


def _work(
    engine: Engine, planned: _Planned, rendered: RenderedPrompt | None, item: JobItem | None
) -> Work:
    """The engine's record of a routed, rendered request (widened for the reranker if on)."""
    request, task, variables = planned.request, planned.task, planned.variables
    output = task.output_spec(request)
    prompt_text = rendered.text if rendered else str(variables.get("prompt", ""))
    ctx = DraftContext(
        task=request.task,
        channel=output.name if output is not None else None,
        facts=variables,
        fact_fields=frozenset(task.fact_fields),
        prompt="\n".join(filter(None, [rendered.system if rendered else None, prompt_text])),
        evaluators=engine.evaluators,
        example_facts=_example_facts(rendered, variables),
        output=output,
        examples=rendered.examples if rendered else (),
    )
    plan = planned.plan
    work = Work(request, new_id(), plan, variables, rendered, ctx, plan.generator_id, task, item)
    if engine.settings.rerank and task.variant_field is not None:  # best-of-n for the reranker
        best_of = best_of_for(request, engine.settings)
        if best_of > request.n:
            widen(work, best_of)
    return work


def _example_facts(rendered: RenderedPrompt | None, variables: Mapping[str, Any]) -> Any:
    return example_facts(rendered.template.meta.get("examples", []), variables) if rendered else ()


def _error(found: RenderedPrompt | ContentgenError | None) -> ContentgenError:
    assert isinstance(found, ContentgenError)
    return found
