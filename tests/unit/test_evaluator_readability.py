"""Flesch reading ease with the project's own syllable heuristic."""

from __future__ import annotations

import pytest

from contentgen.evaluation import EvalInput
from contentgen.feedback.evaluators import ReadabilityEvaluator
from contentgen.feedback.evaluators.readability import measure, syllables
from contentgen.types import Evaluation, Task


@pytest.mark.parametrize(
    "word, count",
    [("the", 1), ("makes", 1), ("simple", 2), ("table", 2), ("wanted", 2), ("boxes", 2),
     ("beautiful", 3), ("radio", 3), ("readability", 5)],
)  # fmt: skip
def test_syllable_heuristic_on_common_words(word: str, count: int) -> None:
    assert syllables(word) == count


def _judge(text: str, fields: dict[str, str] | None = None) -> Evaluation:
    item = EvalInput(task=Task.MARKETING, text=text, fields=fields or {})
    return ReadabilityEvaluator().evaluate([item])[0]


def test_plain_copy_reads_easily_and_jargon_does_not() -> None:
    plain = _judge("Our new trail shoes keep your feet dry. They grip well and feel light.")
    dense = _judge(
        "Notwithstanding considerable institutional heterogeneity, comprehensive macroeconomic "
        "stabilisation necessitates coordinated international intervention."
    )
    assert plain.passed and plain.detail["flesch_reading_ease"] > 80
    assert not dense.passed and dense.detail["flesch_reading_ease"] < 0
    assert plain.score is not None and dense.score == 0.0 and 0.8 < plain.score <= 1.0
    assert dense.detail["grade"] > plain.detail["grade"]


def test_fields_count_as_separate_sentences() -> None:
    fields = {"headline": "Trail Runner Pro", "description": "Grip and comfort on every trail"}
    assert measure("\n".join(fields.values())).sentences == 2  # type: ignore[union-attr]
    assert _judge("ignored", fields=fields).detail["sentences"] == 2


def test_text_without_words_is_skipped_not_failed() -> None:
    verdict = _judge("€49 !!!")
    assert verdict.passed and verdict.score is None
