"""Example words: details of a template's worked example never reach copy about another product."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.example_words import Example, ExampleWordsCheck
from contentgen.safety.untrusted import delimit
from contentgen.types import Task

BOOT = {
    "name": "Alpine Hiking Boot",
    "category": "shoes",
    "material": "nubuck leather",
    "feature": "waterproof membrane",
}
ANSWERS = {
    "search_ad": "Headline: Waterproof Hiking Boots\nDescription: Nubuck leather boots with a "
    "waterproof membrane, ready for any trail. 149 EUR.",
    "social_post": "Rain on the forecast? Our Alpine Hiking Boot keeps your feet dry with a "
    "waterproof membrane and tough nubuck leather. Ready for every trail, 149 EUR. #hiking",
}
DISH = {
    "name": "Fjellvik Tava Casserole Dish",
    "category": "kitchen and cookware",
    "material": "enamelled cast iron",
    "features": ["oven-safe design", "induction-ready base"],
}
SHOE = {
    "name": "Soland Tundra Walking Shoe",
    "category": "footwear",
    "material": "engineered knit",
    "features": ["waterproof membrane", "cushioned midsole"],
}


def _turn(product: dict[str, Any], answer: str) -> tuple[str, str]:
    return f"Write an ad for the product below.\n\n{delimit('product_facts', product)}", answer


def _problems(product: dict[str, Any], text: str, channel: str = "social_post") -> list[dict]:
    item = EvalInput(
        task=Task.MARKETING,
        text=text,
        facts={"product": product, "audience": "home cooks", "tone": "friendly"},
        examples=(_turn(BOOT, ANSWERS[channel]),),
    )
    return ExampleWordsCheck().evaluate([item])[0].detail["problems"]


@pytest.mark.parametrize(
    ("text", "channel", "kind"),
    [
        ("Waterproof Fjellvik Casserole, 71.20 EUR.", "search_ad", "example_detail"),
        ("A casserole dish in nubuck leather tones.", "search_ad", "example_detail"),
        ("Enamelled cast iron casserole dish, ready for any trail.", "search_ad", "example_phrase"),
        ("Rain on the forecast? Our Fjellvik Tava Casserole Dish is oven-safe.", "social_post",
         "example_words"),
        ("Our dish keeps your feet dry. #cooking", "social_post", "example_words"),
    ],
)  # fmt: skip
def test_details_words_and_phrases_of_the_example_are_rejected(
    text: str, channel: str, kind: str
) -> None:
    assert kind in {p["kind"] for p in _problems(DISH, text, channel)}


@pytest.mark.parametrize(
    "text",
    [
        "Sunday roast, sorted: the Fjellvik Tava Casserole Dish in enamelled cast iron goes from "
        "hob to oven. Ready for every family dinner. #homecooking",
        "Rainy weekend? Bake a stew in the Fjellvik Tava Casserole Dish, induction-ready too.",
        "Tough enamelled cast iron, an oven-safe design and a price that is ready when you are.",
    ],
)
def test_copy_about_this_product_passes(text: str) -> None:
    assert _problems(DISH, text) == []


def test_a_product_sharing_a_detail_may_use_what_the_example_says_of_it() -> None:
    # The walking shoe has a waterproof membrane too: dry feet follow from its own facts.
    text = "Rain on the forecast? The Soland Tundra Walking Shoe keeps your feet dry with a " \
        "waterproof membrane."  # fmt: skip
    assert _problems(SHOE, text) == []


def test_a_product_of_the_example_kind_still_may_not_take_its_other_facts() -> None:
    boot = {"name": "Marand Granite Hiking Boot", "category": "footwear",
            "material": "full-grain leather", "feature": "cushioned midsole"}  # fmt: skip
    assert _problems(boot, "Long days on wet trails, #hiking #outdoors. Full-grain leather.") == []
    found = _problems(boot, "Tough nubuck leather on a cushioned midsole.")
    assert [(p["kind"], p["limit"]) for p in found] == [("example_detail", "Alpine Hiking Boot")]


def test_without_examples_there_is_nothing_to_copy() -> None:
    item = EvalInput(
        task=Task.MARKETING, text="Waterproof Fjellvik Casserole", facts={"product": DISH}
    )
    assert ExampleWordsCheck().evaluate([item])[0].passed


def test_an_example_turn_is_read_from_its_delimited_facts_and_its_answer() -> None:
    example = Example.parse(*_turn(BOOT, ANSWERS["search_ad"]))
    assert example.facts["material"] == "nubuck leather"
    assert example.sentences[0] == "Waterproof Hiking Boots"
    assert example.sentences[-1] == "149 EUR."
