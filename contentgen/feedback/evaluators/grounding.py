"""The grounding evaluator: numbers, prices, ids and names in a text must come from the request."""

from __future__ import annotations

from collections.abc import Sequence

from contentgen.evaluation import EvalInput
from contentgen.feedback.evaluators.names import unknown_names
from contentgen.feedback.evaluators.numbers import FactIndex, id_tokens, number_claims
from contentgen.types import TEXT_TASKS, Evaluation, Task

NAME_PENALTY = 0.25  # score lost per unknown name; names never fail the gate on their own
# Template variables that steer generation rather than state facts: a "3" in the copy is not
# grounded by `variants = 3`, nor a "30" by the headline limit in `spec`.
INSTRUCTION_KEYS = frozenset(
    {"spec", "variants", "target_words", "tone", "style", "channel", "method"}
)


class GroundingEvaluator:
    """Fails invented prices, numbers and ids; lowers the score for names absent from the facts.

    Facts are the request's: the product for marketing, the article and title for news
    summaries, the message, context and policy for customer service. Marketing copy may also
    state savings derived from two fact prices ("save €10", "20% off").
    """

    name: str = "grounding"
    tasks: frozenset[Task] = TEXT_TASKS
    gate: bool = True

    def __init__(self, *, check_names: bool = True) -> None:
        self.check_names = check_names

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item; detail lists what the facts do not support."""
        return [self._one(item) for item in items]

    def _one(self, item: EvalInput) -> Evaluation:
        facts = {k: v for k, v in item.facts.items() if k not in INSTRUCTION_KEYS}
        index = FactIndex.build(facts, derived=item.task is Task.MARKETING)
        claims = number_claims(item.text)
        invented = [c for c in claims if not index.grounded_number(c)]
        prices = sorted({c.text for c in invented if c.kind == "price"})
        numbers = sorted({c.text for c in invented if c.kind != "price"})
        ids = sorted({t for t in id_tokens(item.text) if not index.grounded_id(t)})
        names = unknown_names(item.text, index.corpus) if self.check_names else []
        problems = [f"price {p!r} is not in the facts" for p in prices]
        problems += [f"number {n!r} is not in the facts" for n in numbers]
        problems += [f"id {i!r} is not in the request" for i in ids]
        passed = not problems
        score = max(0.0, 1.0 - NAME_PENALTY * len(names)) if passed else 0.0
        return Evaluation(
            name=self.name,
            passed=passed,
            score=round(score, 4),
            detail={
                "problems": problems,
                "invented_prices": prices,
                "invented_numbers": numbers,
                "invented_ids": ids,
                "unknown_names": [n.text for n in names],
                "checked_numbers": len(claims),
            },
        )
