"""The offensive-language evaluator: alt-profanity-check's probability, gating above a threshold."""

from __future__ import annotations

import re
from collections.abc import Sequence

from contentgen.checks.base import EvalInput
from contentgen.checks.brandkit import fold_text
from contentgen.checks.problems import Problem, problem_detail
from contentgen.types import TEXT_TASKS, Evaluation, Task

DEFAULT_THRESHOLD = 0.8
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _parts(text: str) -> list[str]:
    """The whole text and each sentence or line of it, folded (look-alike letters mapped)."""
    folded = fold_text(text)
    sentences = [s.strip() for s in _SENTENCE.split(folded) if s.strip()]
    return [folded, *sentences] if len(sentences) > 1 else [folded]


class OffensiveEvaluator:
    """Rejects text the profanity classifier scores at or above `threshold`; score = probability.

    The probability is the highest of the whole text and each of its sentences, because the
    classifier's bag of words dilutes one insult in a long text ("Headline: ...\\nBody: ...").
    """

    name: str = "offensive"
    tasks: frozenset[Task] = TEXT_TASKS
    gate: bool = True
    expensive: bool = True  # a classifier: runs after the cheap checks, on drafts still passing

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """Classify every sentence of the batch in one call; one verdict per item."""
        if not items:
            return []
        from contentgen.checks.profanity_model import predict_prob

        parts = [_parts(item.text) for item in items]
        flat = [p for group in parts for p in group]
        probabilities = [float(p) for p in predict_prob(flat)]
        verdicts = []
        start = 0
        for group in parts:
            scores = probabilities[start : start + len(group)]
            start += len(group)
            worst = max(range(len(group)), key=scores.__getitem__)
            p = scores[worst]
            passed = p < self.threshold
            problems = [] if passed else [self._problem(group[worst])]
            verdicts.append(
                Evaluation(
                    name=self.name,
                    passed=passed,
                    score=round(p, 4),
                    detail=problem_detail(
                        problems,
                        probability=round(p, 4),
                        threshold=self.threshold,
                        worst_sentence=group[worst] if len(group) > 1 else None,
                    ),
                )
            )
        return verdicts

    def _problem(self, sentence: str) -> Problem:
        """The offending sentence (folded, as the classifier read it), with the threshold."""
        return Problem(self.name, "offensive", "text", sentence, limit=self.threshold)
