"""An explanation as plain text for people (`contentgen explain ID`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from contentgen.explain.grounding import GroundingMap
from contentgen.explain.records import Confidence, Explanation, RerankerChoice, Selection

SHOWN_FEATURES = 8  # the reranker features with the largest shares


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pairs(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_short(v, 40)}" for k, v in values.items()) or "-"


def grounding_lines(grounding: GroundingMap) -> list[str]:
    """Each sentence with the facts it uses: path, the words in the output and in the fact."""
    facts = {f.path: f.text for f in grounding.facts}
    used = sum(1 for s in grounding.sentences if s.links)
    lines = [f"grounding: {used} of {len(grounding.sentences)} sentences use a fact"]
    for number, sentence in enumerate(grounding.sentences, 1):
        lines.append(f"  {number}. {_short(sentence.text, 96)!r}")
        if not sentence.links:
            lines.append("       (no fact)")
        text = sentence.text
        for link in sentence.links:
            words = text[link.output_start - sentence.start : link.output_end - sentence.start]
            source = facts.get(link.fact, "")[link.fact_start : link.fact_end]
            lines.append(
                f"       {link.fact} [{link.output_start}:{link.output_end}] {_short(words, 50)!r}"
                f" <- fact [{link.fact_start}:{link.fact_end}] {_short(source, 50)!r}"
                f" ({link.kind}, {link.score:.2f})"
            )
    if grounding.unused:
        lines.append(f"  facts not used: {', '.join(grounding.unused)}")
    return lines


def _reranker_lines(reranker: RerankerChoice) -> list[str]:
    lines = [
        f"  reranker {reranker.model or '?'}: score {reranker.score}, rank {reranker.rank} of "
        f"{reranker.of}, {'chosen' if reranker.chosen else 'not chosen'}"
    ]
    shown = sorted(reranker.features, key=lambda f: -abs(f.contribution or 0))[:SHOWN_FEATURES]
    if shown:
        parts = [
            f"{f.name}={f.value:g}"
            + (f" ({f.contribution:+.3f})" if f.contribution is not None else "")
            for f in shown
        ]
        lines.append(f"    features: {', '.join(parts)}")
    if reranker.embedding_contribution is not None:
        lines.append(
            f"    text embedding {reranker.embedding_contribution:+.3f}, "
            f"intercept {reranker.intercept:+.3f}"
        )
    if reranker.note:
        lines.append(f"    ({reranker.note})")
    return lines


def selection_lines(selection: Selection) -> list[str]:
    """Why the output was chosen: the summary, reranker, bandit and siblings."""
    lines = [f"selection: {selection.summary}"]
    if selection.reranker is not None:
        lines += _reranker_lines(selection.reranker)
    bandit = selection.bandit
    if bandit is not None:
        then = f"Beta({bandit.alpha:g}, {bandit.beta:g})" if bandit.alpha else "not recorded"
        now = (
            f"Beta({bandit.current_alpha:g}, {bandit.current_beta:g})"
            if bandit.current_alpha
            else "-"
        )
        lines.append(
            f"  bandit arm {bandit.arm!r} (context {bandit.context}): posterior {then} when "
            f"chosen, {now} now"
        )
    for s in selection.siblings:
        score = (
            f", reward {s.reward_score} (rank {s.reward_rank})"
            if s.reward_score is not None
            else ""
        )
        reason = f": {_short(s.reason, 60)}" if s.reason else ""
        lines.append(f"  sibling #{s.index + 1} {s.output_id} {s.status}{reason}{score}")
    return lines


def confidence_lines(confidence: Confidence) -> list[str]:
    """The tokens as written, low-confidence ones in [[brackets]], and the counts."""
    low = confidence.low
    marked = "".join(
        f"[[{t.text}]]" if t.probability < confidence.threshold else t.text
        for t in confidence.tokens
    )
    lines = [
        f"confidence: {len(low)} of {len(confidence.tokens)} tokens below p="
        f"{confidence.threshold:g} (marked [[...]])",
        f"  {marked!r}",
    ]
    worst = sorted(low, key=lambda t: t.logprob)[:5]
    if worst:
        lines.append(
            "  least sure: " + ", ".join(f"{t.text!r} p={t.probability:.2f}" for t in worst)
        )
    return lines


def render_text(explanation: Explanation) -> str:
    """The whole explanation as text."""
    e = explanation
    lines = [f"output {e.output_id} ({e.task}, {e.status})"]
    if e.reason:
        lines.append(f"reason: {e.reason}")
    lines += [f"text: {e.text!r}" if e.text is not None else "text: (image)", ""]
    lines += grounding_lines(e.grounding)
    t = e.template
    if t.template_id:
        state = "unchanged" if t.unchanged else "CHANGED since" if t.current_hash else "gone"
        lines += ["", f"template {t.template_id} sha256 {(t.stored_hash or '-')[:12]} ({state})"]
        for example in t.examples:
            lines.append(f"  example: {_pairs(example.inputs)} -> {_short(example.answer)!r}")
    lines += ["", "checks:"]
    for c in e.checks:
        mark = "pass" if c.passed else "FAIL"
        gate = "gate" if c.gate else "score" if c.gate is False else "not run now"
        score = "" if c.score is None else f" {c.score:.3f}"
        lines.append(f"  {mark:4} {c.name} ({gate}){score}")
        for p in c.problems:
            where = f" [{p.start}:{p.end}]" if p.start is not None else ""
            lines.append(f"       {p.describe()}{where}")
    lines += ["", *selection_lines(e.selection), ""]
    if e.confidence is not None:
        lines += [*confidence_lines(e.confidence), ""]
    m = e.model
    lines.append(
        f"model: {m.generator_id} v{m.generator_version}; {m.model_id or '-'} "
        f"@ {m.revision or '-'}; adapter {m.adapter or '-'}; seed {m.seed}"
    )
    lines.append(f"  decoding: {_pairs(m.decoding)}; routing: {_pairs(m.routing)}")
    lines.append(f"  fallback from: {m.fallback_from or '-'}; timings: {_pairs(m.timings)}")
    lines += [f"note: {n}" for n in e.notes]
    return "\n".join(lines)
