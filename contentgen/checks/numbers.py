"""Numbers: every price, percentage, measurement and count in the copy is grounded in the facts.

The rules, derivations included, are those of `contentgen.checks.fact_numbers`:
a number needs a fact with the same value, sign and a compatible unit ("10 EUR" for an 89 EUR
bike fails even when a seat is "30-40 cm"), or a documented saving or share off; numbers inside
the product name are not prices; arithmetic such as "7*7" is never grounded.
"""

from __future__ import annotations

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, fact_values, text_fields
from contentgen.checks.fact_numbers import FactIndex
from contentgen.checks.grounding import product_names
from contentgen.checks.number_claims import NumberClaim, number_claims
from contentgen.checks.problems import Problem
from contentgen.types import Task


class NumbersCheck(Detector):
    """Gate 'numbers': prices, shares, measurements and counts the facts do not state."""

    name = "numbers"

    def problems(self, item: EvalInput) -> list[Problem]:
        """One Problem per ungrounded number, per field."""
        index = FactIndex.build(fact_values(item), derived=item.task == Task.MARKETING)
        names = product_names(item.facts)
        found = []
        for field, value in text_fields(item).items():
            for claim in number_claims(value, names=names):
                if not index.grounded_number(claim):
                    found.append(
                        self.problem(
                            _kind(claim, index),
                            field,
                            claim.text,
                            limit=claim.unit,
                            start=claim.start,
                            end=claim.end,
                        )  # fmt: skip
                    )
        return found


def _kind(claim: NumberClaim, index: FactIndex) -> str:
    """Why a claim is not grounded: arithmetic, a known value with the wrong unit, or invented."""
    if claim.kind == "arithmetic":
        return "arithmetic"
    if any(v in index.numbers for v in claim.values):
        return "wrong_unit"  # the value is a fact, but as a size, a count or part of the name
    if index.sign_dropped(claim):
        return "sign_dropped"
    return f"invented_{claim.kind}"
