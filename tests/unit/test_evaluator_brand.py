"""The brand evaluator: banned terms and missing disclaimers fail; wording and tone score."""

from __future__ import annotations

from pathlib import Path

from contentgen.checks.base import EvalInput
from contentgen.checks.brand import BrandEvaluator
from contentgen.checks.brandkit import parse_brand_kit
from contentgen.checks.defaults import brand_evaluator
from contentgen.types import Task

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "brand_kit.toml"
KIT = parse_brand_kit(
    {
        "version": "2026-11",
        "banned": {"terms": ["free", "cheapest"], "allow": ["free returns"]},
        "disclaimers": {"Supplements": "Not evaluated by the FDA."},
        "preferred": {"cheap": "affordable"},
        "tone": {"words": ["adventure", "trail"], "avoid_words": ["epic"]},
    }
)


def _judge(text: str, category: str | None = None) -> dict:
    product = {"name": "Trail Mix Bar", **({"category": category} if category else {})}
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product})
    verdict = BrandEvaluator(KIT).evaluate([item])[0]
    assert verdict.name == "brand" and verdict.detail["version"] == "2026-11"
    return {"passed": verdict.passed, "score": verdict.score, **verdict.detail}


def test_on_brand_copy_passes_with_full_score() -> None:
    result = _judge("Fuel your next trail adventure. Free returns, always.")
    assert result["passed"] and result["score"] == 1.0 and result["suggestions"] == []


def test_an_obfuscated_banned_term_fails_and_is_named() -> None:
    result = _judge("Grab a fr3e bar on your trail adventure!")
    assert not result["passed"] and result["score"] == 0.0
    assert result["banned"] == [{"term": "free", "found": "fr3e"}]


def test_a_missing_disclaimer_fails_for_the_matching_category_only() -> None:
    missing = _judge("Protein for every trail adventure.", category="SUPPLEMENTS")
    assert not missing["passed"] and missing["missing_disclaimers"] == ["Supplements"]
    present = _judge("Protein for every trail adventure. Not evaluated by the FDA", "supplements")
    assert present["passed"]
    assert _judge("Snacks for every trail adventure.", category="snacks")["passed"]


def test_preferred_and_off_brand_words_lower_the_score_with_suggestions() -> None:
    result = _judge("A cheap and epic snack.")
    assert result["passed"] and result["score"] < 0.7
    assert "replace 'cheap' with 'affordable'" in result["suggestions"]
    assert any("epic" in s for s in result["suggestions"])
    assert any("on-brand tone word" in s for s in result["suggestions"])


def test_brand_evaluator_loads_a_kit_file() -> None:
    evaluator = brand_evaluator(EXAMPLE)
    assert evaluator.gate and evaluator.kit.version == "2026-11"
    item = EvalInput(task=Task.CUSTOMER_SERVICE, text="Your refund is guaranteed!")
    assert not evaluator.evaluate([item])[0].passed
