"""A request's journey through the engine: its work record, its prompt, and its finished result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contentgen import requests_io
from contentgen.confidence import TOKEN_LOGPROBS
from contentgen.drafts import EDITS, Draft, DraftContext
from contentgen.fields import FIELDS_PARAM, WHOLE
from contentgen.generator import GeneratorSpec
from contentgen.ids import new_id
from contentgen.routing import SAMPLING_KEYS, RoutePlan
from contentgen.templates import RenderedPrompt
from contentgen.types import (
    BaseRequest,
    Evaluation,
    JobItem,
    ModelInfo,
    Output,
    Prompt,
    Provenance,
    Result,
)

if TYPE_CHECKING:
    from contentgen.tasks.spec import TaskSpec


@dataclass
class Work:
    """One request on its way through the engine (the engine's own record; nothing else edits it)."""

    request: BaseRequest
    request_id: str
    plan: RoutePlan
    variables: dict[str, Any]
    rendered: RenderedPrompt | None
    ctx: DraftContext
    generator_id: str
    spec: TaskSpec
    item: JobItem | None = None  # the batch row the request is for, if any
    best_of: int | None = None  # candidates to generate for the reranker to choose from
    fallback_from: str | None = None
    accepted: list[Draft] = field(default_factory=list)
    rejected: list[Draft] = field(default_factory=list)
    error: str | None = None
    load_s: float = 0.0

    @property
    def wanted(self) -> int:
        """How many good drafts to generate: the request's count, or best-of-n when reranking."""
        return self.best_of or self.request.n

    @property
    def needed(self) -> int:
        """How many more good drafts this request needs."""
        return 0 if self.error else max(0, self.wanted - len(self.accepted))

    @property
    def prompt_chars(self) -> int:
        """The rendered prompt's length (model batches group similar lengths)."""
        return len(self.rendered.text) if self.rendered else 0


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


def payload_of(work: Work) -> dict[str, Any]:
    """The request as stored: its redacted variables and choices (and its error, if any)."""
    payload = requests_io.request_payload(work.request, work.variables, work.spec)
    return {**payload, "error": work.error} if work.error else payload


def outputs_of(
    work: Work, generator: GeneratorSpec, info: ModelInfo | None
) -> tuple[list[Output], dict[str, bytes]]:
    """A finished work's drafts as outputs with ids and provenance (accepted first), and images."""
    outputs: list[Output] = []
    images: dict[str, bytes] = {}
    drafts = [(d, "ok") for d in work.accepted] + [(d, "rejected") for d in work.rejected]
    for index, (draft, status) in enumerate(drafts):
        output_id = new_id()
        if draft.image_png is not None:
            images[output_id] = draft.image_png
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
                provenance=_provenance(work, draft, generator, info, first=index == 0),
                evaluations=evaluations,
            )
        )
    return outputs, images


def _provenance(
    work: Work, draft: Draft, generator: GeneratorSpec, info: ModelInfo | None, *, first: bool
) -> Provenance:
    timings = {"generate_s": round(draft.generate_s, 4), "evaluate_s": round(draft.evaluate_s, 4)}
    if first:
        timings["load_s"] = round(work.load_s, 4)
    for key in ("new_tokens", "prompt_tokens"):
        if key in draft.meta:
            timings[key] = draft.meta[key]
    rendered = work.rendered
    return Provenance(
        generator_id=generator.id,
        generator_version=generator.version,
        model_id=info.model_id if info else None,
        model_revision=info.revision if info else None,
        template_id=rendered.template.id if rendered else None,
        template_hash=rendered.template.sha256 if rendered else None,
        params={**work.plan.params, **_how_written(work, draft)},
        seed=draft.seed,
        timings=timings,
        fallback_from=work.fallback_from,
    )


def _how_written(work: Work, draft: Draft) -> dict[str, Any]:
    """Provenance params that say how the draft was made, when it differs from the params."""
    made: dict[str, Any] = {"repaired": draft.repaired} if draft.repaired else {}
    written = draft.meta.get(FIELDS_PARAM)
    if written is not None or FIELDS_PARAM in work.plan.params:
        # "whole" when field by field was asked for but the generator cannot continue an answer.
        made[FIELDS_PARAM] = written or WHOLE
    if draft.meta.get(TOKEN_LOGPROBS):  # asked for with params={"logprobs": True}
        made[TOKEN_LOGPROBS] = draft.meta[TOKEN_LOGPROBS]
    if draft.meta.get(EDITS):  # mechanical fixes the engine made (drafts.edit_draft)
        made[EDITS] = list(draft.meta[EDITS])
    if draft.meta.get("cut"):  # fields cut at a boundary to fit their limits while written
        made["cut"] = list(draft.meta["cut"])
        made.setdefault("repaired", "cut")
    return made


def result_of(work: Work, outputs: list[Output]) -> Result:
    """What the request returns: accepted and rejected outputs, and why it failed if it did.

    A batch row fails when its request failed or when no variant passed the checks; its note
    then names the row.
    """
    ok = tuple(o for o in outputs if o.status == "ok")
    rejected = tuple(o for o in outputs if o.status != "ok")
    problem = work.error
    if work.item is not None and problem is None and not ok:
        reasons = [o.reason for o in rejected if o.reason]
        problem = "no variant passed the checks" + (f": {reasons[0]}" if reasons else "")
    if work.item is not None and problem is not None:
        problem = f"{work.item.where}: {problem}"
    return Result(
        request_id=work.request_id,
        task=work.request.task,
        outputs=ok,
        rejected=rejected,
        notes=(problem,) if problem else (),
        item=work.item,
    )
