"""Benefits: one fact is not the cause of another, and a stated benefit is the one the copy says."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.benefits import BenefitsCheck
from contentgen.types import Task

DESK = {"name": "Altavik Mira Desk", "product_type": "desk", "material": "oak veneer",
        "features": ["height-adjustable frame", "cable management tray", "hidden drawer"]}  # fmt: skip
SHIRT = {"name": "Marvik Coast Linen Shirt", "product_type": "linen shirt",
         "material": "linen-cotton blend", "features": ["relaxed fit", "chest pocket"],
         "certifications": ["OEKO-TEX certified"],
         "benefits": {"relaxed fit": "it moves with you instead of clinging",
                      "chest pocket": "sunglasses or a pen are always within reach",
                      "linen-cotton blend": "it breathes like linen and feels soft like cotton"}}  # fmt: skip
TOP = {"name": "Brae Fjord Running Top", "features": ["flatlock seams", "thumb loops"],
       "benefits": {"flatlock seams": "nothing rubs, even under a backpack strap"}}  # fmt: skip
NECKLACE = {"name": "Leonard Nova Pendant Necklace", "features": ["adjustable chain", "gift box"],
            "specs": {"chain length": "40-45 cm"},
            "benefits": {"adjustable chain": "it sits right with any neckline"}}  # fmt: skip


def _problems(product: dict[str, Any], text: str, task: Task = Task.MARKETING) -> list[Any]:
    item = EvalInput(task=task, text=text, facts={"product": product})
    verdict = BenefitsCheck().evaluate([item])[0]
    return (verdict.detail or {}).get("problems", [])


def _clauses(product: dict[str, Any], text: str) -> list[Any]:
    """The problems with the copy's linked clauses (one sentence need not say a benefit)."""
    return [p for p in _problems(product, text) if p["kind"] != "no_benefit"]


@pytest.mark.parametrize(
    ("product", "text", "kind"),
    [
        (
            DESK,
            "The Altavik Mira Desk has a height-adjustable frame, thanks to a cable "
            "management tray.",
            "false_causality",
        ),  # fmt: skip
        (DESK, "With a hidden drawer, the desk has a cable management tray.", "false_causality"),
        (DESK, "A cable management tray means the desk has a hidden drawer.", "false_causality"),
        (SHIRT, "Thanks to a chest pocket, your arms stay free from wrinkles.", "unstated_benefit"),
        (
            SHIRT,
            "The shirt has a relaxed fit, so there is room for a second set of shoulders.",
            "unstated_benefit",
        ),  # fmt: skip
        (SHIRT, "Made from a linen-cotton blend, so it never needs ironing.", "unstated_benefit"),
        (TOP, "With flatlock seams, the top dries in minutes.", "unstated_benefit"),
        # no stated benefit: what the benefit lexicon knows the fact does is another thing
        (TOP, "With thumb loops, the top dries in minutes.", "unfit_benefit"),
        (DESK, "With a hidden drawer, the light is bright even in the dark.", "unfit_benefit"),
        (NECKLACE, "It has a gift box, so it stays close to you.", "unfit_benefit"),
    ],
)
def test_a_misstated_benefit_is_named(product: dict[str, Any], text: str, kind: str) -> None:
    (problem,) = _clauses(product, text)
    assert problem["kind"] == kind and problem["check"] == "benefits"
    assert problem["evidence"].rstrip(".") in text


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (SHIRT, "Thanks to a chest pocket, sunglasses or a pen are always within reach."),
        (SHIRT, "The shirt has a relaxed fit, so it moves with you and never clings."),
        (SHIRT, "Made from a linen-cotton blend: it breathes like linen, soft like cotton."),
        (TOP, "With flatlock seams, nothing rubs, even under a backpack strap."),
        # facts listed, not linked as cause and effect
        (DESK, "The Altavik Mira Desk has a height-adjustable frame and a hidden drawer."),
        (DESK, "Altavik Mira Desk: a height-adjustable frame, a hidden drawer. 701.90 EUR."),
        # no stated benefit: one the benefit lexicon records for the fact, in other words
        (TOP, "With thumb loops, your sleeves stay over your hands on cold mornings."),
        (DESK, "With a hidden drawer, clutter has somewhere to go."),
        # a fact the lexicon does not know is not judged
        ({**DESK, "features": ["cable grommet"]}, "With a cable grommet, your desk stays tidy."),
        # a price after the fact is no benefit
        (
            {"name": "Fjellvik Tava Casserole Dish", "material": "enamelled cast iron"},
            "Fjellvik Tava Casserole Dish in enamelled cast iron: 71.20 EUR, down from 89 EUR.",
        ),
        # a measured cause is a spec: it explains itself
        (NECKLACE, "The chain adjusts from 40-45 cm, so it suits a crew neck or a V-neck."),
        # a cause that names no fact is not judged
        (SHIRT, "Made for everyday wear, so it is ready when you are."),
    ],
)
def test_a_benefit_the_brief_supports_passes(product: dict[str, Any], text: str) -> None:
    assert _clauses(product, text) == []


def test_copy_that_says_none_of_the_stated_benefits_is_a_feature_list() -> None:
    text = "The Marvik Coast Linen Shirt has a relaxed fit and a chest pocket. €49. Shop now."
    (problem,) = _problems(SHIRT, text)
    assert problem["kind"] == "no_benefit"


def test_a_feature_list_that_ends_on_one_fact_is_corrected_with_its_benefit_instead() -> None:
    (problem,) = _problems(SHIRT, "The Marvik Coast Linen Shirt has a relaxed fit. €49. Shop now.")
    assert (problem["kind"], problem["fix"]) == (
        "bare_fact", ", so it moves with you instead of clinging.",
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "The Marvik Coast Linen Shirt: sunglasses or a pen are always within reach.",
        "It moves with you and never clings. Shop now.",  # in other words
    ],
)
def test_one_stated_benefit_in_any_wording_is_enough(text: str) -> None:
    assert _problems(SHIRT, text) == []


def test_a_brief_that_states_no_benefit_asks_for_none() -> None:
    assert _problems(DESK, "The Altavik Mira Desk has a hidden drawer. €701.90. Shop now.") == []


def test_only_marketing_copy_is_judged() -> None:
    assert BenefitsCheck().tasks == {Task.MARKETING}
    assert _problems({}, "With a hidden drawer, the desk has a cable management tray.") == []


def test_the_checks_copy_of_the_benefit_lexicon_is_the_corpus_lexicon() -> None:
    from contentgen.checks.benefit_lexicon import by_category
    from contentgen.datasets.copywriting.resources import benefits_by_category

    copied = {fact: {k: set(v) for k, v in per.items()} for fact, per in by_category().items()}
    corpus = {
        fact: {k: set(v) for k, v in per.items()} for fact, per in benefits_by_category().items()
    }
    assert copied == corpus, "run python scripts/build_benefit_lexicon.py"


HUB = {"name": "Gordon Vector USB-C Hub", "features": ["SD card reader", "4K HDMI output"],
       "benefits": {"SD card reader": "moving photos to your laptop takes no extra adapter",
                    "4K HDMI output": "you can plug straight into a large monitor or TV"}}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [  # verbatim outputs the blind review graded unusable
        "With moving photos to your laptop takes no extra adapter, you can plug straight into a "
        "large monitor or TV.",
        "Thanks to moving photos to your laptop takes no extra adapter, it is ready to travel.",
        "It has a moving photos to your laptop takes no extra adapter.",
        "With moving photos to your laptop taking no extra adapter, the damage is inevitable.",
    ],
)
def test_a_stated_benefit_put_where_a_fact_belongs_is_a_broken_sentence(text: str) -> None:
    assert "benefit_as_fact" in [p["kind"] for p in _problems(HUB, text)]


def test_a_fact_then_its_stated_benefit_is_no_benefit_as_fact() -> None:
    text = "With an SD card reader, moving photos to your laptop takes no extra adapter."
    assert "benefit_as_fact" not in [p["kind"] for p in _problems(HUB, text)]
