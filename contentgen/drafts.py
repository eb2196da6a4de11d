"""Turning raw candidates into checked drafts: channel parsing, evaluator verdicts, shortening."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from contentgen.channels import CHANNELS, ChannelSpec
from contentgen.evaluation import EvalInput, Evaluator, run_evaluators
from contentgen.types import Candidate, Evaluation, Task


@dataclass(frozen=True)
class Draft:
    """A candidate after parsing and checking; `reason` is None when it may be published."""

    text: str | None
    fields: Mapping[str, str]
    image_png: bytes | None
    meta: Mapping[str, Any]
    seed: int
    evaluations: tuple[Evaluation, ...] = ()
    problems: tuple[str, ...] = ()
    repaired: str | None = None
    generate_s: float = 0.0
    evaluate_s: float = 0.0

    @property
    def reason(self) -> str | None:
        """Why the draft is rejected (None when it passed every check)."""
        return "; ".join(self.problems) if self.problems else None

    @property
    def length_only(self) -> bool:
        """True when every problem is a length limit that shortening can fix."""
        return bool(self.problems) and all("the limit is" in p for p in self.problems)


@dataclass
class DraftContext:
    """What checking a request's drafts needs: task, channel, facts and the rendered prompt."""

    task: Task
    channel: str | None
    facts: Mapping[str, Any]
    prompt: str
    evaluators: Sequence[Evaluator] = field(default_factory=list)
    example_facts: tuple[str, ...] = ()

    @property
    def spec(self) -> ChannelSpec | None:
        """The channel spec when the request is marketing copy."""
        return CHANNELS.get(self.channel) if self.channel else None


# Image metadata kept with each stored image: the class and how it was chosen, the real size.
IMAGE_FIELDS = (
    "class_name",
    "mapped_by",
    "similarity",
    "width",
    "height",
    "resized_from",
    "resample",
    "flagged",
)


def parse_candidate(candidate: Candidate, ctx: DraftContext, seed: int, generate_s: float) -> Draft:
    """Parse a raw candidate into fields and check them against the channel spec."""
    if candidate.image_png is not None:
        meta = dict(candidate.meta)
        fields = {k: str(v) for k, v in meta.items() if k in IMAGE_FIELDS}
        # An image drawn from its own seed (base + index) stores that seed: it alone redraws it.
        own = meta.get("seed")
        image_seed = own if isinstance(own, int) and not isinstance(own, bool) else seed
        return Draft(None, fields, candidate.image_png, meta, image_seed, generate_s=generate_s)
    raw = (candidate.text or "").strip()
    spec = ctx.spec
    if spec is None:
        problems: tuple[str, ...] = () if raw else ("the generator returned empty text",)
        draft = Draft(
            raw, {}, None, dict(candidate.meta), seed, problems=problems, generate_s=generate_s
        )
        return copied_from_example(draft, ctx)
    fields = spec.parse(raw)
    problems = tuple(f"channel: {p}" for p in spec.problems(fields))
    # A rejected answer keeps the model's raw words, so reviewers see what went wrong.
    text = raw if problems else spec.render(fields)
    draft = Draft(
        text, fields, None, dict(candidate.meta), seed, problems=problems, generate_s=generate_s
    )
    return copied_from_example(draft, ctx)


_NOT_FACTS = frozenset({"answer", "tone", "audience", "style", "channel", "target_words"})


def example_facts(
    examples: Sequence[Mapping[str, Any]], facts: Mapping[str, Any]
) -> tuple[str, ...]:
    """Fact values of a template's few-shot examples that the request itself does not have.

    Small models copy details from the worked example ("nubuck leather", "149 EUR") into copy
    about a different product; an output containing one of these is rejected as copied.
    """
    own = " ".join(_leaves(facts)).lower()
    found = []
    for example in examples:
        data = {k: v for k, v in example.items() if k not in _NOT_FACTS}
        for value in _leaves(data):
            value = value.strip()
            if len(value) >= 4 and any(c.isalpha() for c in value) and value.lower() not in own:
                found.append(value)
    return tuple(dict.fromkeys(found))


def _leaves(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list | tuple):
        return [leaf for v in value for leaf in _leaves(v)]
    return [str(value)] if isinstance(value, str) and len(value) < 200 else []


def copied_from_example(draft: Draft, ctx: DraftContext) -> Draft:
    """Reject a draft that repeats a detail of the template's example instead of the request's."""
    if draft.text is None or not ctx.example_facts:
        return draft
    lowered = draft.text.lower()
    copied = [f for f in ctx.example_facts if re.search(rf"\b{re.escape(f.lower())}\b", lowered)]
    if not copied:
        return draft
    problem = (
        "example: copied " + ", ".join(repr(c) for c in copied) + " from the template's example"
    )
    return replace(draft, problems=(*draft.problems, problem))


def evaluate_drafts(drafts: Sequence[Draft], ctx: DraftContext) -> list[Draft]:
    """Run the evaluators over a request's drafts; failed gates become rejection reasons."""
    import time

    texts = [d.text for d in drafts]
    items = [
        EvalInput(
            task=ctx.task,
            text=d.text or "",
            fields=d.fields,
            channel=ctx.channel,
            facts=ctx.facts,
            siblings=tuple(t for j, t in enumerate(texts) if j != i and t),
            prompt=ctx.prompt,
        )
        for i, d in enumerate(drafts)
    ]
    text_indices = [i for i, d in enumerate(drafts) if d.text is not None]
    if not text_indices or not ctx.evaluators:
        return list(drafts)
    started = time.perf_counter()
    verdicts = run_evaluators(ctx.evaluators, [items[i] for i in text_indices])
    share = (time.perf_counter() - started) / len(text_indices)
    gates = {e.name: e.gate for e in ctx.evaluators}
    out = list(drafts)
    for i, evaluations in zip(text_indices, verdicts, strict=True):
        already = {p.split(":", 1)[0] for p in drafts[i].problems}
        failed = [
            f"{e.name}: {_explain(e)}"
            for e in evaluations
            if not e.passed and gates.get(e.name) and e.name not in already
        ]
        problems = tuple(dict.fromkeys([*drafts[i].problems, *failed]))
        out[i] = replace(
            drafts[i], evaluations=tuple(evaluations), problems=problems, evaluate_s=share
        )
    return out


def _explain(evaluation: Evaluation) -> str:
    for key in ("reason", "problems", "issues", "found", "findings"):
        value = evaluation.detail.get(key)
        if value:
            return value if isinstance(value, str) else ", ".join(map(str, value))
    return "failed"


def shorten_draft(draft: Draft, ctx: DraftContext) -> Draft:
    """Bring over-long channel fields under their limits; re-check the spec."""
    spec = ctx.spec
    if spec is None:
        return draft
    fields = spec.shorten(draft.fields)
    problems = tuple(f"channel: {p}" for p in spec.problems(fields))
    return replace(
        draft,
        fields=fields,
        text=spec.render(fields),
        problems=problems,
        repaired="shortened",
        evaluations=(),
    )
