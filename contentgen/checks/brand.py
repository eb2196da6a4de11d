"""The brand evaluator: banned terms or a missing disclaimer fail; wording and tone score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.brandkit import BrandKit, load_brand_kit
from contentgen.checks.problems import Problem, problem_detail
from contentgen.types import Evaluation

WORDING_PENALTY = 0.2  # per preferred-term or avoid-word occurrence
NO_TONE_PENALTY = 0.2  # when the kit lists tone words and none is used


def product_category(facts: Mapping[str, Any]) -> str | None:
    """The product category from a marketing request's facts, if it names one."""
    product = facts.get("product")
    if isinstance(product, Mapping):
        category = product.get("category")
        if isinstance(category, str) and category.strip():
            return category
    return None


class BrandEvaluator:
    """Applies a brand kit: banned terms (obfuscation-proof) and disclaimers gate; style scores."""

    name: str = "brand"
    gate: bool = True

    def __init__(
        self,
        kit: BrandKit,
        tasks: frozenset[str] = frozenset({"marketing", "customer_service"}),
    ) -> None:
        self.kit = kit
        self.tasks: frozenset[str] = tasks

    @classmethod
    def from_path(cls, path: str | Path) -> BrandEvaluator:
        """Load the brand kit at `path` (ConfigError when it is missing or malformed)."""
        return cls(load_brand_kit(path))

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item; detail carries the kit version, problems and suggestions."""
        return [self._one(item) for item in items]

    def _one(self, item: EvalInput) -> Evaluation:
        kit, text = self.kit, item.text
        banned = kit.banned_in(text)
        category = product_category(item.facts)
        missing = kit.missing_disclaimers(text, category)
        preferred = kit.preferred_in(text)
        avoid = kit.avoid_in(text)
        tone = kit.tone_in(text)
        suggestions = [f"replace {m.found!r} with {kit.preferred[m.term]!r}" for m in preferred]
        suggestions += [f"avoid {m.found!r} (off-brand tone)" for m in avoid]
        if kit.tone_words and not tone:
            suggestions.append(f"use an on-brand tone word, e.g. {', '.join(kit.tone_words[:3])}")
        problems = [Problem(self.name, "banned_term", "text", m.found, m.term) for m in banned]
        problems += [
            Problem(self.name, "missing_disclaimer", "text", t, c) for c, t in missing.items()
        ]
        style = max(0.0, 1.0 - WORDING_PENALTY * (len(preferred) + len(avoid)))
        if kit.tone_words and not tone:
            style *= 1.0 - NO_TONE_PENALTY
        return Evaluation(
            name=self.name,
            passed=not problems,
            score=0.0 if problems else round(style, 4),
            detail=problem_detail(
                problems,
                version=kit.version,
                banned=[{"term": m.term, "found": m.found} for m in banned],
                missing_disclaimers=sorted(missing),
                category=category,
                tone_words=sorted({m.term for m in tone}),
                suggestions=suggestions,
            ),
        )
