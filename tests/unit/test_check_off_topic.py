"""Off topic: copy whose content words mostly come from nowhere in the facts is rejected."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.off_topic import MIN_SHARE, OffTopicCheck, fact_share
from contentgen.types import Task
from tests.unit.engine_edits import edited_fields

DESK = {
    "name": "Altavik Mira Desk",
    "product_type": "desk",
    "material": "oak veneer",
    "features": ["height-adjustable frame", "cable management tray", "hidden drawer"],
    "specs": {"maximum load": "80 kg"},
    "colours": ["charcoal"],
}


def _item(text: str, product: dict | None = None) -> EvalInput:
    facts = {"product": DESK if product is None else product, "audience": "home workers"}
    return EvalInput(task=Task.MARKETING, text=text, channel="social_post", facts=facts)


def test_copy_about_something_else_is_rejected_with_the_share_as_evidence() -> None:
    text = (
        "You've lost your job, but the mountain is your home, and the Altavik Mira Desk is your "
        "home. #homework #homeworkrelief #fisheries #forest #fisherman #foresters"
    )
    verdict = OffTopicCheck().evaluate([_item(text)])[0]
    (problem,) = verdict.detail["problems"]
    assert problem["kind"] == "low_fact_share"
    assert problem["limit"] == MIN_SHARE
    assert "fisheries" in problem["evidence"]


def test_copy_that_says_what_the_facts_mean_passes() -> None:
    text = (
        "Work your way: the Altavik Mira Desk has a height-adjustable frame, so you can sit or "
        "stand, and a cable management tray keeps the tangle out of sight. Oak veneer in "
        "charcoal, made for home workers. #homeoffice"
    )
    share, count, _ = fact_share(_item(text))
    assert count >= 8 and share > 0.5
    assert OffTopicCheck().evaluate([_item(text)])[0].passed


def test_short_copy_and_sparse_facts_are_not_judged() -> None:
    assert OffTopicCheck().evaluate([_item("Fisheries and forests!")])[0].passed
    sparse = {"name": "Sunny Day Cap", "price": "19 EUR"}
    text = "Midday sun, summer picnics, beach walks, garden parties: shade for every face."
    assert OffTopicCheck().evaluate([_item(text, sparse)])[0].passed


BED = {"name": "Torford Orchard Raised Garden Bed", "brand": "Torford", "category": "garden",
       "product_type": "raised garden bed", "features": ["corner reinforcements"]}  # fmt: skip


def _headline(
    headline: str, audience: str = "beginners", kind: str = "unrelated_headline"
) -> list[str]:
    fields = {"headline": headline, "description": "The sides stay straight when the bed is full."}
    item = EvalInput(task=Task.MARKETING, text="\n".join(fields.values()), fields=fields,
                     channel="search_ad", facts={"product": BED, "audience": audience})  # fmt: skip
    return [p.kind for p in OffTopicCheck().problems(item) if p.kind == kind]


def test_a_search_ad_headline_that_names_nothing_of_the_request_is_unrelated() -> None:
    assert _headline("Rise and Fit") == ["unrelated_headline"]
    assert _headline("Gadgets You Will Love") == ["unrelated_headline"]


def test_a_headline_with_a_word_of_the_facts_or_the_audience_is_related() -> None:
    assert _headline("Raised Garden Beds at €65") == []
    assert _headline("Torford, Sorted") == []
    assert _headline("Ready, Beginners?") == []


@pytest.mark.parametrize(  # search-ad headlines the blind review graded unusable
    "headline", ["Rising Garden Beds at a Price", "Raised Garden Beds in Black", "Garden Bed Bars"]
)
def test_a_headline_word_neither_the_request_nor_the_corpus_headlines_use_is_unfounded(
    headline: str,
) -> None:
    assert _headline(headline, kind="unfounded_headline") == ["unfounded_headline"]


@pytest.mark.parametrize(
    "headline",
    [
        "Raised Garden Beds, Sorted",  # a template's own word
        "Garden Beds You Will Love",
        "Torford Raised Garden Beds",
        "Raised Garden Beds for Beginners",  # the audience
    ],
)
def test_headlines_made_of_the_requests_and_the_templates_words_are_founded(
    headline: str,
) -> None:
    assert _headline(headline, kind="unfounded_headline") == []


def test_a_facts_headline_adjective_is_founded_for_that_product_only() -> None:
    lamp = {"name": "Smith Nordlys Pendant Light", "product_type": "pendant light",
            "features": ["dimmable LED"]}  # fmt: skip
    fields = {"headline": "Dimmable Pendant Lights", "description": "Set the mood with a touch."}
    item = EvalInput(task=Task.MARKETING, text="\n".join(fields.values()), fields=fields,
                     channel="search_ad", facts={"product": lamp})  # fmt: skip
    assert OffTopicCheck().problems(item) == []
    fields["headline"] = "Cordless Pendant Lights"  # another fact's adjective ("rechargeable")
    assert [p.kind for p in OffTopicCheck().problems(item)] == ["unfounded_headline"]


def test_the_checks_copy_of_the_headline_words_is_what_the_corpus_templates_use() -> None:
    import importlib.util
    from pathlib import Path

    from contentgen.checks.off_topic import _headline_lexicon

    path = Path(__file__).resolve().parents[2] / "scripts" / "build_benefit_lexicon.py"
    spec = importlib.util.spec_from_file_location("build_benefit_lexicon", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert _headline_lexicon() == script.headline_words(), (
        "run python scripts/build_benefit_lexicon.py"
    )


BENEFIT_BED = {**BED, "features": ["open base", "corner reinforcements"],
               "benefits": {"open base": "water drains away freely",
                            "corner reinforcements": "the sides stay straight when the bed is full"}}  # fmt: skip


def _email(preheader: str, body: str, product: dict = BENEFIT_BED) -> EvalInput:
    fields = {
        "subject": "The Torford Orchard Raised Garden Bed",
        "preheader": preheader,
        "body": body,
    }
    return EvalInput(task=Task.MARKETING, text="\n".join(fields.values()), fields=fields,
                     channel="email", facts={"product": product, "audience": "beginners"})  # fmt: skip


def test_the_old_corpus_preheader_is_replaced_by_a_benefit_the_body_does_not_say() -> None:
    # of all blind-graded emails, the 29 with it were graded none publishable
    body = "It has corner reinforcements, so the sides stay straight when the bed is full. Order today."
    item = _email("Details, specifications and price for the raised garden bed. Order today.", body)
    (problem,) = OffTopicCheck().problems(item)
    assert problem.kind == "generic_preheader"
    assert edited_fields(item, [problem])["preheader"] == (
        "Water drains away freely. Details inside. Order today."
    )


def test_the_old_corpus_preheader_without_a_benefit_to_say_is_drawn_again() -> None:
    item = _email(
        "Details, specifications and price for the raised garden bed.", "Order today.", BED
    )
    (problem,) = OffTopicCheck().problems(item)
    assert problem.kind == "generic_preheader" and problem.fix is None
