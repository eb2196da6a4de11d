"""Diversity across the variants of one request (lexical path; no torch)."""

from __future__ import annotations

from contentgen.checks.base import EvalInput
from contentgen.checks.diversity import DiversityEvaluator, distinct_n
from contentgen.types import Evaluation, Task

A = "Light trail shoes with sticky grip for wet rock."
B = "Stay dry on muddy paths with a waterproof upper."
C = "Built for long days: cushioned, breathable and tough."


def _judge_group(texts: list[str]) -> list[Evaluation]:
    items = [
        EvalInput(task=Task.MARKETING, text=t, siblings=tuple(texts[:i] + texts[i + 1 :]))
        for i, t in enumerate(texts)
    ]
    return DiversityEvaluator(embeddings=False).evaluate(items)


def test_identical_variants_score_low_and_fail() -> None:
    verdicts = _judge_group([A, A, A])
    for verdict in verdicts:
        assert not verdict.passed and verdict.score == 0.0
        assert verdict.detail["max_similarity"] == 1.0 and verdict.detail["similarity"] == "lexical"
        assert verdict.detail["distinct_1"] < 0.4


def test_different_variants_score_high_and_pass() -> None:
    verdicts = _judge_group([A, B, C])
    for verdict in verdicts:
        assert verdict.passed and verdict.score is not None and verdict.score > 0.8
        assert verdict.detail["distinct_2"] == 1.0


def test_a_single_output_has_nothing_to_compare() -> None:
    (verdict,) = _judge_group([A])
    assert verdict.passed and verdict.score == 1.0 and "max_similarity" not in verdict.detail


def test_distinct_n_counts_repeated_ngrams() -> None:
    assert distinct_n(["buy buy buy buy"], 1) == 0.25
    assert distinct_n(["a b", "a b"], 2) == 0.5
