"""A request's journey through the engine: its work record, its prompt, and its finished outputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contentgen import requests_io
from contentgen.drafts import Draft, DraftContext
from contentgen.generator import GeneratorSpec
from contentgen.ids import new_id
from contentgen.routing import SAMPLING_KEYS, RoutePlan
from contentgen.templates import RenderedPrompt
from contentgen.types import (
    BaseRequest,
    Evaluation,
    ModelInfo,
    Output,
    Prompt,
    Provenance,
    Result,
    Task,
)


@dataclass
class Work:
    """One request on its way through the engine."""

    request: BaseRequest
    request_id: str
    plan: RoutePlan
    variables: dict[str, Any]
    rendered: RenderedPrompt | None
    ctx: DraftContext
    generator_id: str
    fallback_from: str | None = None
    accepted: list[Draft] = field(default_factory=list)
    rejected: list[Draft] = field(default_factory=list)
    error: str | None = None
    load_s: float = 0.0

    @property
    def needed(self) -> int:
        """How many more good outputs this request needs."""
        return 0 if self.error else max(0, self.request.n - len(self.accepted))


@dataclass(frozen=True)
class Produced:
    """A request's finished outputs (and image bytes), ready to be stored in one transaction."""

    request_id: str
    task: Task
    payload: Mapping[str, Any]
    outputs: tuple[Output, ...]
    images: Mapping[str, bytes]
    error: str | None = None


def build_prompt(work: Work, attempt: int) -> Prompt:
    """The generator's view of a work: rendered text, few-shot turns, sampling, seed per attempt."""
    params = work.plan.params
    sampling = {k: params[k] for k in SAMPLING_KEYS if k in params}
    stop = sampling.pop("stop", ())
    rendered = work.rendered
    return Prompt(
        task=work.request.task,
        text=rendered.text if rendered else str(work.variables.get("prompt", "")),
        n=work.needed,
        system=rendered.system if rendered else None,
        examples=rendered.examples if rendered else (),
        stop=tuple(stop) if isinstance(stop, list | tuple) else (str(stop),),
        seed=work.plan.seed + attempt * 7919,
        data=work.variables,
        params={k: v for k, v in params.items() if k not in SAMPLING_KEYS},
        **{k: v for k, v in sampling.items()},
    )


def finish_work(work: Work, generator: GeneratorSpec, info: ModelInfo | None) -> Produced:
    """Turn a finished work into outputs with ids and provenance (rejected drafts included)."""
    rendered = work.rendered
    outputs: list[Output] = []
    images: dict[str, bytes] = {}
    drafts = [(d, "ok") for d in work.accepted] + [(d, "rejected") for d in work.rejected]
    for index, (draft, status) in enumerate(drafts):
        output_id = new_id()
        if draft.image_png is not None:
            images[output_id] = draft.image_png
        timings = {
            "generate_s": round(draft.generate_s, 4),
            "evaluate_s": round(draft.evaluate_s, 4),
        }
        if index == 0:
            timings["load_s"] = round(work.load_s, 4)
        for key in ("new_tokens", "prompt_tokens"):
            if key in draft.meta:
                timings[key] = draft.meta[key]
        evaluations = draft.evaluations
        if draft.meta.get("flagged"):
            evaluations += (
                Evaluation(name="safety_checker", passed=False, detail={"flagged": True}),
            )
        outputs.append(
            Output(
                id=output_id,
                request_id=work.request_id,
                task=work.request.task,
                index=index,
                text=draft.text,
                fields=dict(draft.fields),
                image_path=None,
                image_sha256=None,
                status=status,  # type: ignore[arg-type]
                reason=draft.reason if status != "ok" else None,
                provenance=Provenance(
                    generator_id=generator.id,
                    generator_version=generator.version,
                    model_id=info.model_id if info else None,
                    model_revision=info.revision if info else None,
                    template_id=rendered.template.id if rendered else None,
                    template_hash=rendered.template.sha256 if rendered else None,
                    params={
                        **work.plan.params,
                        **({"repaired": draft.repaired} if draft.repaired else {}),
                    },
                    seed=draft.seed,
                    timings=timings,
                    fallback_from=work.fallback_from,
                ),
                evaluations=evaluations,
            )
        )
    payload = requests_io.request_payload(work.request, work.variables)
    return Produced(work.request_id, work.request.task, payload, tuple(outputs), images, work.error)


def to_result(item: Produced) -> Result:
    """Split a request's outputs into accepted and rejected for the caller."""
    ok = tuple(o for o in item.outputs if o.status == "ok")
    rejected = tuple(o for o in item.outputs if o.status != "ok")
    return Result(
        request_id=item.request_id,
        task=item.task,
        outputs=ok,
        rejected=rejected,
        notes=(item.error,) if item.error else (),
    )
