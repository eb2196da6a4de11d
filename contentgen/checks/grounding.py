"""The grounding evaluator: numbers, prices, ids and names in a text must come from the request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.fact_numbers import FactIndex
from contentgen.checks.names import unknown_names
from contentgen.checks.number_claims import id_tokens, number_claims
from contentgen.checks.problems import Problem, problem_detail
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
    summaries, the message, context and policy for customer service. A number counts only with
    its unit and sign, and marketing copy may also state the savings documented in
    `fact_numbers` ("save €20" and "18% off" from a list price and a price). With
    `check_numbers=False` numbers are left to the `numbers` detector (the default set does so).
    """

    name: str = "grounding"
    tasks: frozenset[Task] = TEXT_TASKS
    gate: bool = True

    def __init__(self, *, check_names: bool = True, check_numbers: bool = True) -> None:
        self.check_names = check_names
        self.check_numbers = check_numbers

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item; detail lists what the facts do not support."""
        return [self._one(item) for item in items]

    def _one(self, item: EvalInput) -> Evaluation:
        facts = item.fact_values(INSTRUCTION_KEYS)
        index = FactIndex.build(facts, derived=item.task == "marketing")
        claims = number_claims(item.text, names=product_names(item.facts))
        claims = claims if self.check_numbers else []
        invented = [c for c in claims if not index.grounded_number(c)]
        prices = sorted({c.text for c in invented if c.kind == "price"})
        numbers = sorted({c.text for c in invented if c.kind != "price"})
        ids = sorted({t for t in id_tokens(item.text) if not index.grounded_id(t)})
        names = unknown_names(item.text, index.corpus) if self.check_names else []
        problems = [Problem(self.name, "invented_price", "text", p) for p in prices]
        problems += [Problem(self.name, "invented_number", "text", n) for n in numbers]
        problems += [Problem(self.name, "invented_id", "text", i) for i in ids]
        passed = not problems
        score = max(0.0, 1.0 - NAME_PENALTY * len(names)) if passed else 0.0
        return Evaluation(
            name=self.name,
            passed=passed,
            score=round(score, 4),
            detail=problem_detail(
                problems,
                invented_prices=prices,
                invented_numbers=numbers,
                invented_ids=ids,
                unknown_names=[n.text for n in names],
                checked_numbers=len(claims),
            ),
        )


def product_names(facts: Mapping[str, Any]) -> list[str]:
    """The product's name and short forms, longest first: numbers inside them are not claims."""
    product = facts.get("product")
    if not isinstance(product, Mapping):
        return []
    names: list[str] = []
    for key in ("name", "title", "short_name", "short_names"):
        value = product.get(key)
        values = value if isinstance(value, list | tuple) else [value]
        names += [v for v in values if isinstance(v, str) and v.strip()]
    return sorted(set(names), key=len, reverse=True)
