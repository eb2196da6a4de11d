"""Turning raw candidates into checked drafts: channel parsing, evaluator verdicts, mechanical
edits and shortening."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from contentgen.checks.articles import is_plural, singular
from contentgen.checks.base import EvalInput, Evaluator, run_evaluators, run_staged
from contentgen.checks.channels import CHANNELS, ChannelSpec
from contentgen.checks.detectors import quality_detectors
from contentgen.checks.problems import DUPLICATE_VARIANT, Problem, render_reason, verdict_problems
from contentgen.types import Candidate, Evaluation, Task


@dataclass(frozen=True)
class Draft:
    """A candidate after parsing and checking; it may be published when it has no problems."""

    text: str | None
    fields: Mapping[str, str]
    image_png: bytes | None
    meta: Mapping[str, Any]
    seed: int
    evaluations: tuple[Evaluation, ...] = ()
    problems: tuple[Problem, ...] = ()
    repaired: str | None = None
    generate_s: float = 0.0
    evaluate_s: float = 0.0

    @property
    def reason(self) -> str | None:
        """Why the draft is rejected, for people (None when it passed every check)."""
        return render_reason(self.problems)

    @property
    def editable(self) -> bool:
        """True when every problem carries a mechanical fix at a known place (an article, a
        capital), so editing the draft corrects it."""
        return bool(self.problems) and all(
            p.fix is not None and p.start is not None and p.end is not None for p in self.problems
        )

    @property
    def length_only(self) -> bool:
        """True when every problem is a field over its channel limit, which shortening fixes."""
        return bool(self.problems) and all(
            p.check == "channel" and p.kind == "too_long" for p in self.problems
        )


@dataclass
class DraftContext:
    """What checking a request's drafts needs: task, channel, facts and the rendered prompt."""

    task: Task
    channel: str | None
    facts: Mapping[str, Any]
    prompt: str
    evaluators: Sequence[Evaluator] = field(default_factory=list)
    example_facts: tuple[str, ...] = ()
    output: ChannelSpec | None = None  # the task's output fields for this request, if any
    fact_fields: frozenset[str] | None = None  # the facts' keys that state facts (TaskSpec)
    examples: tuple[tuple[str, str], ...] = ()  # the template's few-shot turns, as rendered

    @property
    def spec(self) -> ChannelSpec | None:
        """The structured output fields (the task's output spec, else the named channel's)."""
        if self.output is not None:
            return self.output
        return CHANNELS.get(self.channel) if self.channel else None


# Image metadata kept with each stored image: the class and how it was chosen, the real size,
# and the tint a colour word asked for (contentgen.image_finish), so no change is silent.
IMAGE_FIELDS = (
    "class_name",
    "mapped_by",
    "similarity",
    "width",
    "height",
    "resized_from",
    "resample",
    "tint",
    "tint_rgb",
    "tint_drawn",
    "tint_ignored",
    "tint_skipped",
    "flagged",
)


def parse_candidate(candidate: Candidate, ctx: DraftContext, seed: int, generate_s: float) -> Draft:
    """Parse a raw candidate into fields and check them against the channel spec."""
    if candidate.image_png is not None:
        meta = dict(candidate.meta)
        fields = {k: str(v) for k, v in meta.items() if k in IMAGE_FIELDS}
        # A generator that checks its own images (builtin:composer) passes on what it stores
        # with them (meta["fields"]) and its verdicts (meta["evaluations"]); failed ones reject.
        fields |= {str(k): str(v) for k, v in dict(meta.get("fields") or {}).items()}
        verdicts = tuple(e for e in meta.get("evaluations") or () if isinstance(e, Evaluation))
        found = tuple(p for e in verdicts if not e.passed for p in verdict_problems(e))
        # An image drawn from its own seed (base + index) stores that seed: it alone redraws it.
        own = meta.get("seed")
        image_seed = own if isinstance(own, int) and not isinstance(own, bool) else seed
        png = candidate.image_png
        return Draft(None, fields, png, meta, image_seed, verdicts, found, generate_s=generate_s)
    raw = (candidate.text or "").strip()
    spec = ctx.spec
    if spec is None:
        problems = () if raw else (Problem("generator", "empty", "text", ""),)
        draft = Draft(
            raw, {}, None, dict(candidate.meta), seed, problems=problems, generate_s=generate_s
        )
        return copied_from_example(draft, ctx)
    fields = spec.parse(raw)
    found = tuple(spec.problems(fields))
    # A rejected answer keeps the model's raw words, so reviewers see what went wrong.
    text = raw if found else spec.render(fields)
    draft = Draft(text, fields, None, dict(candidate.meta), seed, problems=found)
    return copied_from_example(replace(draft, generate_s=generate_s), ctx)


EDITS = "edits"  # a draft's meta: the mechanical fixes made to it ({"field", "from", "to"})
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
            if len(value) >= 4 and any(c.isalpha() for c in value) and not _said(value, own):
                found.append(value)
    return tuple(dict.fromkeys(found))


def _said(value: str, own: str) -> bool:
    """Whether the request's own facts say an example's value, in the singular or the plural
    ("shoes" for a "trail running shoe" is the product's own word, not the example's)."""
    lowered = value.lower()
    return lowered in own or (is_plural(lowered) and singular(lowered) in own)


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
    evidence = ", ".join(repr(c) for c in copied)
    return replace(
        draft, problems=(*draft.problems, Problem("example", "copied", "text", evidence))
    )


def _eval_inputs(drafts: Sequence[Draft], ctx: DraftContext, *, siblings: bool) -> list[EvalInput]:
    texts = [d.text for d in drafts]
    return [
        EvalInput(
            task=ctx.task,
            text=d.text or "",
            fields=d.fields,
            channel=ctx.channel,
            facts=ctx.facts,
            fact_fields=ctx.fact_fields,
            examples=ctx.examples,
            siblings=tuple(t for j, t in enumerate(texts) if j != i and t) if siblings else (),
            prompt=ctx.prompt,
        )
        for i, d in enumerate(drafts)
    ]


def evaluate_drafts(drafts: Sequence[Draft], ctx: DraftContext) -> list[Draft]:
    """Run the evaluators over a request's drafts; failed gates add their problems."""
    return evaluate_many([(drafts, ctx)])[0]


def evaluate_many(groups: Sequence[tuple[Sequence[Draft], DraftContext]]) -> list[list[Draft]]:
    """Check many requests' drafts together: each evaluator runs once over all of them.

    A model batch's requests share their evaluators, so a model-backed check is called once
    per model batch (cheap checks first, expensive ones only on drafts still passing).
    """
    out = [list(drafts) for drafts, _ in groups]
    pending: dict[tuple[int, ...], list[tuple[int, int, EvalInput]]] = {}
    for g, (drafts, ctx) in enumerate(groups):
        if not ctx.evaluators:
            continue
        items = _eval_inputs(drafts, ctx, siblings=True)
        key = tuple(id(e) for e in ctx.evaluators)
        pending.setdefault(key, []).extend(
            (g, i, items[i]) for i, d in enumerate(drafts) if d.text is not None
        )
    for entries in pending.values():
        if not entries:  # images only: the text evaluators have nothing to read
            continue
        evaluators = groups[entries[0][0]][1].evaluators
        started = time.perf_counter()
        verdicts = run_staged(
            evaluators,
            [item for _, _, item in entries],
            rejected=[bool(out[g][i].problems) for g, i, _ in entries],
        )
        share = (time.perf_counter() - started) / len(entries)
        gates = {e.name: e.gate for e in evaluators}
        for (g, i, _), evaluations in zip(entries, verdicts, strict=True):
            draft = out[g][i]
            # A check that already found problems while parsing (the channel) is not counted twice.
            already = {p.check for p in draft.problems}
            failed = [
                p
                for e in evaluations
                if not e.passed and gates.get(e.name) and e.name not in already
                for p in verdict_problems(e)
            ]
            out[g][i] = replace(
                draft,
                evaluations=tuple(evaluations),
                problems=(*draft.problems, *failed),
                evaluate_s=share,
            )
    return out


def screen_drafts(drafts: Sequence[Draft], ctx: DraftContext) -> tuple[list[Draft], list[Draft]]:
    """(kept, rejected), in order: drafts failing a quality detector the context did not run.

    The `--method auto` summary fallback screens with every detector, so that a draft failing one
    is never returned even when the engine runs with a custom evaluator list.
    """
    ran = {e.name for e in ctx.evaluators}
    detectors = [d for d in quality_detectors() if d.name not in ran]
    texts = [d for d in drafts if d.text is not None]
    if not detectors or not texts:
        return list(drafts), []
    verdicts = run_evaluators(detectors, _eval_inputs(texts, ctx, siblings=False))
    failed = {
        id(draft): [v for v in found if not v.passed]
        for draft, found in zip(texts, verdicts, strict=True)
    }
    kept: list[Draft] = []
    rejected: list[Draft] = []
    for draft in drafts:
        failures = failed.get(id(draft), [])
        if not failures:
            kept.append(draft)
            continue
        problems = [p for v in failures for p in verdict_problems(v)]
        rejected.append(
            replace(
                draft,
                problems=(*draft.problems, *problems),
                evaluations=(*draft.evaluations, *failures),
            )
        )
    return kept, rejected


def shorten_draft(draft: Draft, ctx: DraftContext) -> Draft:
    """Bring over-long channel fields under their limits; re-check the spec."""
    spec = ctx.spec
    if spec is None:
        return draft
    fields = spec.shorten(draft.fields)
    return replace(
        draft,
        fields=fields,
        text=spec.render(fields),
        problems=tuple(spec.problems(fields)),
        repaired="shortened",
        evaluations=(),
    )


def edit_drafts(groups: Sequence[tuple[Sequence[Draft], DraftContext]]) -> list[list[Draft]]:
    """Each editable draft with its fixes made and checked again (all groups at once, as in
    `evaluate_many`); a draft whose edit does not pass every check stays as it was."""
    out = [list(drafts) for drafts, _ in groups]
    edited: list[tuple[int, int, Draft]] = []
    for g, (drafts, ctx) in enumerate(groups):
        for i, draft in enumerate(drafts):
            fixed = edit_draft(draft, ctx) if draft.editable else None
            if fixed is not None:
                edited.append((g, i, fixed))
    if not edited:
        return out
    rechecked = evaluate_many([([fixed], groups[g][1]) for g, _, fixed in edited])
    for (g, i, _), (fixed,) in zip(edited, rechecked, strict=True):
        if not fixed.problems:
            out[g][i] = fixed
    return out


def edit_draft(draft: Draft, ctx: DraftContext) -> Draft | None:
    """The draft with every problem's fix made in its field (None when a fix no longer matches
    its place, or two overlap), its channel spec checked again and its verdicts cleared."""
    fields = dict(draft.fields) if draft.fields else {"text": draft.text or ""}
    places = sorted({(p.field, p.start or 0, p.end or 0, p.fix or "", p.evidence) for p in
                     draft.problems}, key=lambda x: (x[0], -x[1]))  # fmt: skip
    edits = []
    ends: dict[str, int] = {}
    for name, start, end, fix, evidence in places:
        value = fields.get(name)
        if value is None or value[start:end] != evidence or end > ends.get(name, len(value)):
            return None
        fields[name] = value[:start] + fix + value[end:]
        ends[name] = start
        edits.append({"field": name, "from": evidence, "to": fix})
    spec = ctx.spec
    problems: tuple[Problem, ...] = ()
    if not draft.fields or spec is None:
        text, fields = fields["text"], {}
    else:
        text, problems = spec.render(fields), tuple(spec.problems(fields))
    meta = {**draft.meta, EDITS: edits}
    return replace(draft, text=text, fields=fields, problems=problems, meta=meta,
                   repaired="edited", evaluations=())  # fmt: skip


def same_copy(draft: Draft, accepted: Sequence[Draft]) -> bool:
    """Whether an accepted draft already says the draft's words (case and spacing aside; an
    image is never a duplicate of one)."""
    if draft.image_png is not None:
        return False
    words = _copy_words(draft)
    return bool(words) and any(_copy_words(other) == words for other in accepted)


def duplicate_problem(draft: Draft) -> Problem:
    """The record of a draft kept out because another variant says the same words."""
    return Problem("variants", DUPLICATE_VARIANT, "text", (draft.text or "")[:80])


def _copy_words(draft: Draft) -> str:
    """The draft's text (or fields) as lower-case words, for comparing variants."""
    text = draft.text if draft.text is not None else " ".join(draft.fields.values())
    return " ".join(text.lower().split())
