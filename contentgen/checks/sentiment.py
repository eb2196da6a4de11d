"""The sentiment evaluator: VADER's compound score (-1 very negative .. +1 very positive)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.types import Evaluation

# Marketing copy should not read negative; an apologetic service reply may ("sorry it broke");
# a news summary reports whatever happened, so it is scored but never fails.
DEFAULT_MINIMUM: Mapping[str, float | None] = MappingProxyType(
    {"marketing": -0.05, "customer_service": -0.5, "news_summary": None}
)


class SentimentEvaluator:
    """Scores sentiment with vaderSentiment; passes when the compound meets the task's minimum."""

    name: str = "sentiment"
    tasks: frozenset[str] = frozenset(DEFAULT_MINIMUM)
    gate: bool = False

    def __init__(self, minimum: Mapping[str, float | None] = DEFAULT_MINIMUM) -> None:
        self.minimum = dict(DEFAULT_MINIMUM) | dict(minimum)
        self._analyzer: Any = None

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item: score is the compound score; detail has the pos/neu/neg shares."""
        if self._analyzer is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            self._analyzer = SentimentIntensityAnalyzer()
        out = []
        for item in items:
            polarity = self._analyzer.polarity_scores(item.text)
            compound = float(polarity["compound"])
            minimum = self.minimum.get(item.task)
            out.append(
                Evaluation(
                    name=self.name,
                    passed=minimum is None or compound >= minimum,
                    score=compound,
                    detail={
                        "label": _label(compound),
                        "positive": polarity["pos"],
                        "neutral": polarity["neu"],
                        "negative": polarity["neg"],
                        "minimum": minimum,
                    },
                )
            )
        return out


def _label(compound: float) -> str:
    """VADER's customary cut-offs."""
    if compound >= 0.05:
        return "positive"
    if compound <= -0.05:
        return "negative"
    return "neutral"
