"""Purpose: what the copy says the product is made for must be what its audience uses it for."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.problems import Problem
from contentgen.checks.purpose import PurposeCheck, audience_hooks
from contentgen.types import Task

SHIRT = {"name": "Marvik Ember Linen Shirt", "category": "apparel", "product_type": "linen shirt",
         "features": ["relaxed fit", "chest pocket"], "material": "linen-cotton blend"}  # fmt: skip
BED = {"name": "Torford Orchard Raised Garden Bed", "category": "garden",
       "product_type": "raised garden bed", "features": ["tool-free assembly"]}  # fmt: skip


def _problems(text: str, product: dict[str, Any], audience: str) -> list[Problem]:
    item = EvalInput(task=Task.MARKETING, text=text, channel="sms",
                     facts={"product": product, "audience": audience})  # fmt: skip
    return PurposeCheck().problems(item)


def _purposes(text: str, product: dict[str, Any] = SHIRT, audience: str = "students") -> list[str]:
    return [p.evidence for p in _problems(text, product, audience)]


@pytest.mark.parametrize(
    "text",
    [
        "The Marvik Ember Linen Shirt is made for mornings and afternoons.",
        "The Marvik Ember Linen Shirt is made for a well-balanced, productive study.",
        "Built for days between work and the bedroom, it has a relaxed fit.",
        "Meet the Marvik Ember Linen Shirt, your new favourite for long weeks on the property.",
    ],
)
def test_an_invented_purpose_is_rejected(text: str) -> None:
    assert len(_purposes(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Made for lectures and late nights. The Marvik Ember Linen Shirt has a relaxed fit.",
        "The Marvik Ember Linen Shirt, made for students, with a chest pocket.",
        "Designed for everyday wear, week after week.",  # another apparel audience's use
        "It is made for students, and it costs 119 EUR.",
    ],
)
def test_the_audience_its_recorded_uses_and_the_facts_are_fit_purposes(text: str) -> None:
    assert _purposes(text) == []


def test_a_benefit_of_the_products_facts_is_a_fit_purpose() -> None:
    assert _purposes("It is ready for soil in minutes.", BED, "beginner gardeners") == []
    assert _purposes("Built for beginners who want to start a career in law.", BED,
                     "beginner gardeners") == ["Built for beginners who want to start a career in law"]  # fmt: skip


def test_an_audience_the_lexicon_does_not_know_is_not_judged() -> None:
    assert audience_hooks("yoga teachers", "apparel") == []
    assert _purposes("Made for long sessions on the mat.", SHIRT, "yoga teachers") == []


def test_the_use_the_brief_states_is_a_fit_purpose_for_any_audience() -> None:
    product = {**SHIRT, "made_for": "long sessions on the mat"}
    assert _purposes("Made for long sessions on the mat.", product, "yoga teachers") == []
    assert _purposes("Made for mornings and afternoons.", product, "yoga teachers") != []


def test_where_the_brief_says_what_it_is_for_another_audiences_use_is_invented() -> None:
    # the blind review graded "made for long evenings on the go" (a use the corpus records for
    # another audience of the category) unusable for a hub made for working on the road
    hub = {"name": "Gordon Vector USB-C Hub", "category": "electronics accessories",
           "product_type": "USB-C hub", "made_for": "working from hotels and airports"}  # fmt: skip
    assert _purposes("It is made for long evenings on the go.", hub, "frequent travellers") != []
    assert _purposes("Made for working from hotels and airports.", hub, "frequent travellers") == []
    assert _purposes("Designed for everyday wear, week after week.", SHIRT) == []  # no made_for
    worn = {**SHIRT, "made_for": "lectures, libraries and late nights"}
    assert _purposes("Designed for everyday wear, week after week.", worn) != []


def test_a_category_the_lexicon_does_not_know_uses_the_audiences_uses_anywhere() -> None:
    hooks = audience_hooks("students", "campus wear")
    assert "lectures, libraries and late nights" in hooks
    product = {**SHIRT, "category": "campus wear"}
    assert _purposes("Made for lectures and late nights.", product) == []
    assert _purposes("Made for mornings and afternoons.", product) != []


def test_only_marketing_copy_is_judged() -> None:
    assert PurposeCheck().tasks == {Task.MARKETING}


def test_the_checks_copy_of_the_audience_uses_is_the_corpus_lexicon() -> None:
    from contentgen.checks.purpose import _hooks
    from contentgen.datasets.copywriting.resources import categories

    corpus = {c.label: {a.name.lower(): a.hook for a in c.audiences} for c in categories()}
    assert _hooks() == corpus, "run python scripts/build_benefit_lexicon.py"


def _kinds(
    text: str, product: dict[str, Any] = BED, audience: str = "beginner gardeners"
) -> list[str]:
    return [p.kind for p in _problems(text, product, audience)]


@pytest.mark.parametrize(
    "text",
    [
        "The Torford Orchard Raised Garden Bed is built for beginners. It is designed with beginners in mind.",
        "Meet the bed, your new favourite for a first vegetable patch. It is made for a first vegetable patch.",
    ],
)
def test_a_purpose_said_twice_in_one_field_is_rejected(text: str) -> None:
    assert "repeated_purpose" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "The Torford Orchard Raised Garden Bed is made for a first vegetable patch.",
        "Built for beginners: the Torford Orchard Raised Garden Bed. It has tool-free assembly.",
        # Two purposes in other words: stacked, but not the same thing said twice.
        "The bed is made for a first vegetable patch. It is designed with beginners in mind.",
    ],
)
def test_one_purpose_or_two_in_other_words_is_not_a_repeat(text: str) -> None:
    assert "repeated_purpose" not in _kinds(text)


def test_a_repeat_is_judged_for_an_audience_the_lexicon_does_not_know() -> None:
    text = "Made for long sessions on the mat. It is designed with long sessions in mind."
    assert _kinds(text, SHIRT, "yoga teachers") == ["repeated_purpose"]
