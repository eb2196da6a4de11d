"""The gate 'report_numbers': every number a data report states is in the data or derived from it.

Only the derivations the task documents count (contentgen_reports: a winning margin, week-over-
week changes and totals); they reach the check as the `derived` template variable. Numbers are
read and compared by contentgen's own number grounding (`number_claims`, `FactIndex`), so "98",
"ninety-eight" and "12.5%" are read as contentgen reads them everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

from contentgen.checks.base import EvalInput
from contentgen.checks.fact_numbers import FactIndex
from contentgen.checks.number_claims import number_claims
from contentgen.types import Evaluation


class ReportNumbers:
    """Gate: fails a report stating a number that neither the data nor a derivation gives."""

    name = "report_numbers"
    tasks = frozenset({"data_report"})
    gate = True

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per report; detail lists the invented numbers."""
        return [self._one(item) for item in items]

    def _one(self, item: EvalInput) -> Evaluation:
        grounds = {k: item.facts.get(k, {}) for k in ("data", "derived")}
        index = FactIndex.build(grounds)
        claims = number_claims(item.text)
        invented = sorted({c.text for c in claims if not index.grounded_number(c)})
        return Evaluation(
            name=self.name,
            passed=not invented,
            score=1.0 if not invented else 0.0,
            detail={
                "problems": [f"number {n!r} is not in the data" for n in invented],
                "invented_numbers": invented,
                "checked_numbers": len(claims),
            },
        )
