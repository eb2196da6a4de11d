"""The channel evaluator: channel-spec compliance as a gate."""

from __future__ import annotations

from contentgen.checks.base import EvalInput
from contentgen.checks.channel import ChannelEvaluator
from contentgen.checks.problems import problems_from_detail
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
    (problem,) = problems_from_detail(verdict.detail)
    assert (problem.kind, problem.field, problem.limit, problem.end) == (
        "too_long",
        "headline",
        30,
        41,
    )
    assert verdict.detail["reason"] == "headline is 41 characters; the limit is 30"


def test_missing_field_and_leftover_placeholder_fail() -> None:
    verdict = _judge("email", {"subject": "Hello [Your Name]", "body": "x" * 50})
    problems = {(p.kind, p.field, p.evidence) for p in problems_from_detail(verdict.detail)}
    assert not verdict.passed
    assert problems == {("missing", "preheader", ""), ("placeholder", "subject", "[Your Name]")}
    assert "preheader is missing" in verdict.detail["reason"]


def test_unparsed_text_is_parsed_with_the_channel_spec() -> None:
    text = "Headline: Trail Runner Pro\nDescription: Sticky rubber for wet rock and mud."
    assert _judge("search_ad", text=text).passed


def test_unknown_channel_fails_listing_the_valid_ones() -> None:
    verdict = _judge("fax", {"text": "hi"})
    (problem,) = problems_from_detail(verdict.detail)
    assert not verdict.passed and problem.kind == "unknown_channel" and problem.evidence == "fax"
    assert "search_ad" in verdict.detail["reason"]


def test_channel_is_a_marketing_gate() -> None:
    evaluator = ChannelEvaluator()
    assert evaluator.name == "channel" and evaluator.gate and evaluator.tasks == {Task.MARKETING}
