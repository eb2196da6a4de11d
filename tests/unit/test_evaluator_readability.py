"""Flesch reading ease, with syllables counted by textstat (CMUdict, then Pyphen)."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.readability import ReadabilityEvaluator, measure, syllables
from contentgen.types import Evaluation, Task


@pytest.mark.parametrize(
    "word, count",
    [("the", 1), ("makes", 1), ("simple", 2), ("table", 2), ("wanted", 2), ("boxes", 2),
     ("beautiful", 3), ("radio", 3), ("readability", 5),
     # Words a vowel-group guess gets wrong: vowels heard apart, silent letters, compounds.
     ("science", 2), ("create", 2), ("poem", 2), ("video", 3), ("museum", 3), ("recipe", 3),
     ("premium", 3), ("stadium", 3), ("reaction", 3), ("smile", 1), ("aisle", 1),
     ("somewhere", 2), ("wednesday", 2)],
)  # fmt: skip
def test_syllables_follow_the_pronouncing_dictionary(word: str, count: int) -> None:
    assert syllables(word) == count


def test_a_word_outside_the_dictionary_still_counts_at_least_one_syllable() -> None:
    assert syllables("zxqv") == 1
    assert syllables("Trailrunnerpro") >= 3  # hyphenation rules, not the dictionary


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


def test_without_textstat_the_readability_evaluator_is_off_not_failing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from contentgen.checks import defaults as evaluators

    monkeypatch.setattr(evaluators, "_installed", lambda module: module != "textstat")
    names = [e.name for e in evaluators.default_evaluators(None, embeddings=False)]
    assert "readability" not in names and "diversity" in names
    assert "textstat is not installed" in caplog.text
