"""Assemble the explanation of one stored output from what the store and the engine know.

Read-only: the output, its siblings and its request's stored payload come through the storage
facade (`Store.get_output`, `Store.list_outputs`, `Store.request_payload`, the feedback store's
arm records); the template library, the task specs and the engine's checks say what the template
holds now, which request fields are facts and which checks gate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from contentgen.checks.channels import CHANNELS
from contentgen.checks.problems import problems_from_detail, verdict_problems
from contentgen.confidence import TOKEN_LOGPROBS, token_scores
from contentgen.drafts import EDITS
from contentgen.errors import ContentgenError
from contentgen.explain.grounding import grounding_map
from contentgen.explain.records import (
    CheckVerdict,
    Confidence,
    Explanation,
    FewShotExample,
    ModelUse,
    TemplateUse,
)
from contentgen.explain.selection import selection
from contentgen.storage.arm_keys import ARM_PARAM, POSTERIOR_PARAM
from contentgen.types import Evaluation, Output

if TYPE_CHECKING:
    from contentgen.checks.base import Evaluator
    from contentgen.config import Settings
    from contentgen.storage.store import Store
    from contentgen.tasks.registry import TaskRegistry
    from contentgen.templates import TemplateLibrary

ROUTING_PARAMS = (ARM_PARAM, POSTERIOR_PARAM, "best_of", "repaired", EDITS)
_NOT_DECODING = (*ROUTING_PARAMS, TOKEN_LOGPROBS)
_ADAPTER = re.compile(r"\+ adapter (\S+)$")
_DETAIL_SHOWN = ("problems", "reason", "kinds")  # shown as records and reason already
MAX_SIBLINGS = 64


class ExplainSource(Protocol):
    """What explaining needs from an engine."""

    store: Store
    tasks: TaskRegistry
    templates: TemplateLibrary
    settings: Settings
    evaluators: list[Evaluator]


def explain_output(source: ExplainSource, output_id: str) -> Explanation:
    """The explanation of stored output `output_id` (UnknownNameError when there is none)."""
    store = source.store
    output = store.get_output(output_id)
    payload = store.request_payload(output.request_id)
    siblings = store.list_outputs(request_id=output.request_id, limit=MAX_SIBLINGS)
    notes: list[str] = []
    facts = _facts(source, output, payload, notes)
    found = payload.get("channel")
    channel = found if isinstance(found, str) else None
    spec = CHANNELS.get(channel) if channel is not None else None
    labels = [f.title for f in spec.fields] if spec is not None else []
    if output.text is None:
        notes.append("an image output: there is no text to ground in the facts")
    return Explanation(
        output_id=output.id,
        request_id=output.request_id,
        task=str(output.task),
        status=output.status,
        reason=output.reason,
        created_at=output.created_at,
        text=output.text,
        grounding=grounding_map(output.text or "", facts, labels=labels),
        template=_template(source.templates, output, notes),
        checks=_checks(output.evaluations, {e.name: e.gate for e in source.evaluators}),
        selection=selection(
            output,
            siblings,
            channel=channel,
            data_dir=source.settings.data_dir,
            arms=_arm_records(store),
        ),
        model=_model(output),
        notes=tuple(notes),
        confidence=_confidence(output),
    )


def _facts(
    source: ExplainSource, output: Output, payload: Mapping[str, Any], notes: list[str]
) -> dict[str, Any]:
    """The request's fact fields as stored (personal data already redacted there)."""
    try:
        fields: Sequence[str] = source.tasks.get(str(output.task)).fact_fields
    except ContentgenError:
        notes.append(f"task {output.task} is not loaded: every stored request field is a fact")
        fields = [k for k in payload if k not in ("task", "params", "seed", "generator")]
    facts = {k: payload[k] for k in fields if payload.get(k) not in (None, "", [], {})}
    if not facts:
        notes.append("the request stored no facts to ground the output in")
    return facts


def _template(templates: TemplateLibrary, output: Output, notes: list[str]) -> TemplateUse:
    p = output.provenance
    if p.template_id is None:
        return TemplateUse(None, None, None)
    if not templates.exists(p.template_id):
        notes.append(f"template {p.template_id} is no longer in the library")
        return TemplateUse(p.template_id, p.template_hash, None)
    info = templates.get(p.template_id)
    examples = tuple(
        FewShotExample({k: v for k, v in e.items() if k != "answer"}, str(e["answer"]))
        for e in info.meta.get("examples", [])
        if isinstance(e, Mapping) and "answer" in e
    )
    use = TemplateUse(p.template_id, p.template_hash, info.sha256, examples)
    if not use.unchanged:
        notes.append(
            f"template {p.template_id} changed since (stored {str(p.template_hash)[:12]}, now "
            f"{info.sha256[:12]}): the examples shown are today's"
        )
    return use


def _checks(
    evaluations: Sequence[Evaluation], gates: Mapping[str, bool]
) -> tuple[CheckVerdict, ...]:
    found = []
    for e in evaluations:
        problems = problems_from_detail(e.detail) or (verdict_problems(e) if not e.passed else [])
        reason = e.detail.get("reason")
        found.append(
            CheckVerdict(
                name=e.name,
                passed=e.passed,
                score=e.score,
                gate=gates.get(e.name),
                problems=tuple(problems),
                reason=str(reason) if reason else None,
                detail={k: v for k, v in e.detail.items() if k not in _DETAIL_SHOWN},
            )
        )
    return tuple(found)


def _model(output: Output) -> ModelUse:
    p = output.provenance
    adapter = _ADAPTER.search(p.model_revision or "")
    return ModelUse(
        generator_id=p.generator_id,
        generator_version=p.generator_version,
        model_id=p.model_id,
        revision=p.model_revision,
        adapter=adapter.group(1) if adapter else None,
        decoding={k: v for k, v in p.params.items() if k not in _NOT_DECODING},
        routing={k: v for k, v in p.params.items() if k in ROUTING_PARAMS},
        seed=p.seed,
        fallback_from=p.fallback_from,
        timings=dict(p.timings),
    )


def _confidence(output: Output) -> Confidence | None:
    tokens = token_scores(output.provenance.params)
    return Confidence(tokens) if tokens else None


def _arm_records(store: Store) -> list[Any]:
    from contentgen.storage.feedback import FeedbackStore

    return FeedbackStore(store).load_arms()
