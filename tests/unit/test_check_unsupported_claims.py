"""Unsupported claims: superlatives, "new", luxury words and guarantees need a fact."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.unsupported_claims import UnsupportedClaimsCheck
from contentgen.types import Task

DESK = {"name": "Altavik Mira Desk", "brand": "Altavik", "product_type": "desk",
        "category": "furniture", "price_eur": "701.90"}  # fmt: skip
BED = {"name": "Torford Orchard Raised Garden Bed", "product_type": "raised garden bed",
       "category": "garden", "price_eur": "65.90"}  # fmt: skip
EARBUDS = {"name": "Barker Cadence Wireless Earbuds", "category": "audio",
           "product_type": "pair of true wireless earbuds", "warranty": "2 years"}  # fmt: skip
CARRIER = {"name": "Torand Honey Baby Carrier", "product_type": "baby carrier",
           "category": "baby"}  # fmt: skip


def _kinds(product: dict[str, Any], text: str, prompt: str = "") -> list[str]:
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product}, prompt=prompt)
    verdict = UnsupportedClaimsCheck().evaluate([item])[0]
    return [p["kind"] for p in (verdict.detail or {}).get("problems", [])]


@pytest.mark.parametrize(
    ("product", "text", "kind"),
    [
        (DESK, "The Altavik Mira Desk is your best desk.", "superlative"),
        (DESK, "Simply the best on the market.", "superlative"),
        (DESK, "The world's first smart desk.", "superlative"),
        (DESK, "#1 with home workers.", "superlative"),
        (DESK, "Unbeatable comfort, number one in offices.", "superlative"),
        (DESK, "It is the sturdiest desk you can buy.", "superlative"),
        (DESK, "The most comfortable desk on the market.", "superlative"),
        (DESK, "A masterpiece, perfect in every way.", "superlative"),
        (BED, "I have a new raised garden bed for you.", "new"),
        (EARBUDS, "A new pair of true wireless earbuds is available today.", "new"),
        (DESK, "Meet the brand-new Altavik Mira Desk.", "new"),
        (DESK, "The latest design from Altavik.", "new"),
        (DESK, "A luxury desk with an exquisite finish.", "luxury"),
        (DESK, "Premium oak, high-end looks.", "luxury"),
        (DESK, "Satisfaction guaranteed.", "guarantee"),
        (DESK, "Our best-selling desk, limited stock.", "proof"),
        (DESK, "There is no additional cost, after €701.90.", "free"),
        (DESK, "Delivered free of charge.", "free"),
    ],
)
def test_an_unsupported_claim_is_rejected(product: dict[str, Any], text: str, kind: str) -> None:
    assert kind in _kinds(product, text)


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (DESK, "Perfect for home workers who need room to spread out."),
        (DESK, "Your workday at its best. Best of all, the drawer hides the clutter."),
        (DESK, "It works best with a monitor arm, and the one that best fits small rooms."),
        (DESK, "Some desks are best seen in person. Look your best on every call."),
        (DESK, "Say hello to your new favourite desk. Starting a new routine?"),
        (DESK, "Not a luxury desk, just a sturdy one. Order by Friday at the latest."),
        (DESK, "Even the smallest rooms have space for it."),
        (EARBUDS, "Music all day, with a 2-year warranty: guaranteed peace of mind."),
        (CARRIER, "Made for new parents and a new baby."),
        (DESK, "Feels like a premium hotel desk, at home."),
        ({**DESK, "features": ["cable tray included"]}, "The cable tray comes at no extra cost."),
        ({**DESK, "material": "PFAS-free coating"}, "A PFAS-free coating keeps it clean."),
    ],
)
def test_copy_without_unsupported_claims_passes(product: dict[str, Any], text: str) -> None:
    assert _kinds(product, text) == []


def test_a_fact_supports_its_own_word() -> None:
    product = {**DESK, "range": "luxury collection", "status": "new model", "award": "best-selling"}
    text = "The new Altavik Mira Desk from our luxury collection, best-selling since spring."
    assert _kinds(product, text) == []


def test_the_prompts_own_audience_words_pass() -> None:
    text = "A gift for the new desk owners in your team."
    assert "new" in _kinds(DESK, text)
    assert _kinds(DESK, text, prompt="Audience: new desk owners") == []
