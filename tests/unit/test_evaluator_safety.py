"""Sentiment (VADER) and offensive language (alt-profanity-check): real lexicon and classifier."""

from __future__ import annotations

from contentgen.checks.base import EvalInput
from contentgen.checks.offensive import OffensiveEvaluator
from contentgen.checks.sentiment import SentimentEvaluator
from contentgen.types import Task


def _items(*texts: str, task: Task = Task.MARKETING) -> list[EvalInput]:
    return [EvalInput(task=task, text=t) for t in texts]


def test_offensive_gate_catches_an_insult_and_passes_normal_copy() -> None:
    evaluator = OffensiveEvaluator()
    insult, normal = evaluator.evaluate(
        _items(
            "Only an idiot would buy anything else, you stupid moron.",
            "Light, warm and ready for the trail.",
        )
    )
    assert evaluator.gate and evaluator.name == "offensive"
    assert not insult.passed and insult.score is not None and insult.score >= 0.8
    assert "offensive-language probability" in insult.detail["reason"]
    assert normal.passed and normal.score is not None and normal.score < 0.2


def test_offensive_sees_through_look_alike_letters() -> None:
    (verdict,) = OffensiveEvaluator().evaluate(
        _items("you stup\u0456d \u0456d\u0456ot")
    )  # Cyrillic і
    assert not verdict.passed


def test_offensive_threshold_is_configurable() -> None:
    (verdict,) = OffensiveEvaluator(threshold=1.0).evaluate(_items("you stupid idiot"))
    assert verdict.passed and verdict.detail["threshold"] == 1.0


def test_sentiment_scores_compound_and_fails_negative_marketing_copy() -> None:
    happy, grim = SentimentEvaluator().evaluate(
        _items(
            "We love these shoes: comfy, light and great value!", "Terrible, ugly shoes that hurt."
        )
    )
    assert happy.passed and happy.score is not None and happy.score > 0.5
    assert happy.detail["label"] == "positive"
    assert not grim.passed and grim.score is not None and grim.score < -0.5
    assert SentimentEvaluator().gate is False


def test_sentiment_tolerates_an_apology_in_service_and_never_fails_news() -> None:
    evaluator = SentimentEvaluator()
    (reply,) = evaluator.evaluate(
        _items("Sorry your order was late; we'll fix it today.", task=Task.CUSTOMER_SERVICE)
    )
    (news,) = evaluator.evaluate(
        _items("The flood killed 12 people and destroyed homes.", task=Task.NEWS_SUMMARY)
    )
    assert reply.passed
    assert news.passed and news.score is not None and news.score < 0
