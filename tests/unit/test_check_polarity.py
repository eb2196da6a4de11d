"""Polarity: "-free", "without", "no", "not" and "non-" facts are never turned around."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.polarity import PolarityCheck, negated_terms
from contentgen.types import Task

PAN = {"name": "Ferro Pan", "coating": "PFAS-free ceramic", "sole": "non-slip base"}


def _kinds(product: dict, text: str) -> list[str]:
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product})
    return [p["kind"] for p in PolarityCheck().evaluate([item])[0].detail["problems"]]


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (PAN, "The Ferro Pan is made with PFAS for a slick finish."),
        (PAN, "A slippery base that glides over the hob."),
        ({"name": "Granola", "sugar": "no added sugar"}, "Crunchy oats with added sugar."),
        ({"name": "Kit", "power": "sold without batteries"}, "Batteries included!"),
        ({"name": "Jacket", "water": "water-resistant, not waterproof"}, "Fully waterproof."),
        ({"name": "Cream", "formula": "paraben-free"}, "Rich cream with parabens."),
        ({"name": "Bottle", "bpa_free": True}, "Contains BPA for strength."),
        ({"name": "Bag", "comfort": "-25 °C"}, "Warm up to 25 °C."),
    ],
)
def test_a_contradicted_negation_or_a_dropped_minus_is_rejected(product: dict, text: str) -> None:
    assert _kinds(product, text) != []


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (PAN, "The Ferro Pan has a PFAS-free ceramic coating and a non-slip base."),
        (PAN, "Cook without PFAS: free of PFAS, no PFAS at all."),
        ({"name": "Kit", "power": "sold without batteries"}, "Needs 4 AA batteries."),
        (
            {"name": "Jacket", "water": "water-resistant, not waterproof"},
            "Resistant, not waterproof.",
        ),
        ({"name": "Jacket", "water": "not waterproof"}, "Water-resistant rather than waterproof."),
        ({"name": "Mat", "surface": "non-slip"}, "Slip into your practice on a non-slip mat."),
        ({"name": "Forget-Me-Not Vase"}, "A vase for your favourite stems."),
        ({"name": "Bag", "comfort": "-25 °C"}, "Warm down to -25 °C."),
    ],
)
def test_copy_that_keeps_the_negation_passes(product: dict, text: str) -> None:
    assert _kinds(product, text) == []


def test_negated_terms_are_read_from_values_keys_and_booleans_but_not_names() -> None:
    facts = {
        "name": "Cooking Without Gas",
        "coating": "PFAS-free",
        "waterproof": "no",
        "lactose_free": True,
        "extras": "no batteries needed",
    }
    assert sorted(negated_terms(facts)) == [
        ("batteries needed", "positive"),
        ("lactose", "strict"),
        ("pfas", "strict"),
        ("waterproof", "strict"),
    ]


def test_a_negated_phrase_is_matched_whole_not_by_its_first_word() -> None:
    dishes = {"name": "Oak Board", "care": "not suitable for dishwashers"}
    assert _kinds(dishes, "An oak board suitable for everyday cooking.") == []
    assert _kinds(dishes, "Suitable for dishwashers, so cleaning is easy.") == ["contradicted"]
