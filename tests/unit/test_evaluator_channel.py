"""The channel evaluator: channel-spec compliance as a gate."""

from __future__ import annotations

from contentgen.evaluation import EvalInput
from contentgen.feedback.evaluators import ChannelEvaluator
from contentgen.types import Evaluation, Task


def _judge(channel: str | None, fields: dict[str, str] | None = None, text: str = "") -> Evaluation:
    item = EvalInput(task=Task.MARKETING, text=text, fields=fields or {}, channel=channel)
    return ChannelEvaluator().evaluate([item])[0]


def test_compliant_search_ad_passes() -> None:
    verdict = _judge(
        "search_ad", {"headline": "Trail Runner Pro", "description": "Sticky grip on wet rock."}
    )
    assert verdict.passed and verdict.score == 1.0 and verdict.detail["problems"] == []


def test_over_long_headline_fails_naming_field_and_limit() -> None:
    verdict = _judge(
        "search_ad", {"headline": "H" * 41, "description": "Grip on wet rock, all day."}
    )
    assert not verdict.passed and verdict.score == 0.5
    assert verdict.detail["problems"] == ["headline is 41 characters; the limit is 30"]


def test_missing_field_and_leftover_placeholder_fail() -> None:
    verdict = _judge("email", {"subject": "Hello [Your Name]", "body": "x" * 50})
    problems = " | ".join(verdict.detail["problems"])
    assert not verdict.passed
    assert "preheader is missing" in problems and "'[Your Name]'" in problems


def test_unparsed_text_is_parsed_with_the_channel_spec() -> None:
    text = "Headline: Trail Runner Pro\nDescription: Sticky rubber for wet rock and mud."
    assert _judge("search_ad", text=text).passed


def test_unknown_channel_fails_listing_the_valid_ones() -> None:
    verdict = _judge("fax", {"text": "hi"})
    assert not verdict.passed and "search_ad" in verdict.detail["problems"][0]


def test_channel_is_a_marketing_gate() -> None:
    evaluator = ChannelEvaluator()
    assert evaluator.name == "channel" and evaluator.gate and evaluator.tasks == {Task.MARKETING}
