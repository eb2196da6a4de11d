"""A marketing brief gets the benefits and the use it leaves out from the project's lexicons."""

from __future__ import annotations

import pytest

from contentgen import MarketingRequest
from contentgen.checks.benefit_lexicon import by_category, for_category
from contentgen.errors import ValidationError
from contentgen.tasks.brief_suggestions import (
    suggested_use,
    with_suggested_benefits,
    with_suggestions,
)

BED = {"name": "Torford Orchard Raised Garden Bed", "category": "garden",
       "features": ["open base", "tool-free assembly"], "material": "FSC-certified larch"}  # fmt: skip


def test_every_known_fact_of_a_facts_only_brief_gets_a_benefit_of_its_category() -> None:
    suggested = with_suggested_benefits(BED)["benefits"]
    assert set(suggested) == {"open base", "tool-free assembly", "FSC-certified larch"}
    for fact, says in suggested.items():
        assert says in by_category()[fact.lower()]["garden"]


def test_a_benefit_the_brief_states_is_kept_and_only_the_others_are_filled_in() -> None:
    stated = {**BED, "benefits": {"open base": "roots reach the ground below"}}
    suggested = with_suggested_benefits(stated)["benefits"]
    assert suggested["open base"] == "roots reach the ground below"
    assert set(suggested) == {"open base", "tool-free assembly", "FSC-certified larch"}


def test_a_fact_whose_benefit_depends_on_a_category_the_lexicon_does_not_know_gets_none() -> None:
    # an aluminium shell keeps a hub cool and makes a suitcase tough: a guess could be nonsense
    assert for_category("aluminium shell", "gadgets") == ()
    assert for_category("aluminium shell", "travel")
    product = {"name": "Kite Hub", "category": "gadgets", "features": ["aluminium shell"]}
    assert "benefits" not in with_suggested_benefits(product)


def test_a_fact_with_the_same_benefits_in_every_category_needs_no_category() -> None:
    product = {"name": "Kite Bench", "features": ["tool-free assembly", "self-cleaning glitter"]}
    assert for_category("taped seams", None) == ()  # worded differently per category
    assert "tool-free assembly" not in with_suggested_benefits(product).get("benefits", {})
    assert for_category("open base", None) == for_category("open base", "garden")


def test_unknown_facts_and_free_text_benefits_leave_the_brief_as_given() -> None:
    unknown = {"name": "Kite Lamp", "features": ["self-cleaning glitter"]}
    assert with_suggested_benefits(unknown) == unknown
    prose = {**BED, "benefits": "It is easy to build."}
    assert with_suggested_benefits(prose) == prose


def test_the_choice_is_stable_for_a_product_and_varies_between_products() -> None:
    first = with_suggested_benefits(BED)["benefits"]
    assert with_suggested_benefits(BED)["benefits"] == first
    chosen = {
        with_suggested_benefits({**BED, "name": f"Torford Bed {i}"})["benefits"]["open base"]
        for i in range(20)
    }
    assert len(chosen) == len(by_category()["open base"]["garden"])


def test_a_known_audience_gets_what_it_uses_products_of_the_category_for() -> None:
    assert with_suggestions(BED, "beginner gardeners")["made_for"] == suggested_use(
        "beginner gardeners", "garden"
    )
    assert suggested_use("students", "apparel") == "lectures, libraries and late nights"
    stated = {**BED, "made_for": "a balcony herb garden"}
    assert with_suggestions(stated, "beginner gardeners")["made_for"] == "a balcony herb garden"


def test_an_audience_the_lexicon_does_not_know_or_cannot_place_gets_no_use() -> None:
    assert "made_for" not in with_suggestions(BED, "yoga teachers")
    assert "made_for" not in with_suggestions(BED, None)
    # students use products of several categories for different things: no guess
    assert suggested_use("students", "campus wear") is None


def test_a_marketing_request_fills_in_the_brief_unless_suggestions_are_off() -> None:
    request = MarketingRequest(product=BED, channel="sms", audience="beginner gardeners")
    assert set(request.product["benefits"]) == {"open base", "tool-free assembly",
                                                "FSC-certified larch"}  # fmt: skip
    assert "made_for" in request.product
    off = MarketingRequest(product=BED, audience="beginner gardeners", suggestions="off")
    assert "benefits" not in off.product and "made_for" not in off.product


def test_an_unknown_suggestion_source_names_the_valid_ones() -> None:
    with pytest.raises(ValidationError, match="'lexicon', 'off'"):
        MarketingRequest(product=BED, suggestions="always")
