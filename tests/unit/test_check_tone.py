"""The tone the brief asks for: urgent copy says so, luxury and professional copy do not shout.

The wrong texts are outputs the blind review graded (benchmarks/results/blind_review*).
"""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.tone import ToneCheck
from contentgen.datasets.copywriting.briefs import generate_briefs
from contentgen.datasets.copywriting.marketing import write
from contentgen.datasets.copywriting.resources import category
from contentgen.types import Task
from tests.unit.engine_edits import edited_fields

DISH = {"name": "Fjellvik Tava Casserole Dish", "product_type": "casserole dish",
        "price_eur": "71.20"}  # fmt: skip


def _item(tone: str, channel: str, fields: dict[str, str]) -> EvalInput:
    return EvalInput(task=Task.MARKETING, text="\n".join(fields.values()), fields=fields,
                     channel=channel, facts={"product": DISH, "tone": tone})  # fmt: skip


@pytest.mark.parametrize(
    ("channel", "fields", "urgent"),
    [
        ("product_description", {"description": "Built for weeknight dinners: the Fjellvik Tava "
         "Casserole Dish. It holds heat for slow braises."}, {"description": "Built for weeknight "
         "dinners: the Fjellvik Tava Casserole Dish. It holds heat for slow braises. Order today."}),
        ("sms", {"text": "The Fjellvik Tava Casserole Dish holds heat. €71.20. Order online."},
         {"text": "The Fjellvik Tava Casserole Dish holds heat. €71.20. Order online today."}),
        ("social_post", {"post": "It holds heat for slow braises. €71.20. #homecooking"},
         {"post": "It holds heat for slow braises. €71.20. Order today. #homecooking"}),
    ],
)  # fmt: skip
def test_urgent_copy_without_a_word_of_urgency_is_ended_urgently(
    channel: str, fields: dict[str, str], urgent: dict[str, str]
) -> None:
    item = _item("urgent", channel, fields)
    assert [p.kind for p in ToneCheck().problems(item)] == ["not_urgent"]
    assert edited_fields(item, ToneCheck().problems(item)) == urgent
    assert ToneCheck().problems(_item("urgent", channel, urgent)) == []


@pytest.mark.parametrize(
    "text",
    ["Don't wait: it holds heat.", "Order now.", "Save €17.80 today.", "Now 20% off.",
     "It sells out before Friday, so hurry."],
)  # fmt: skip
def test_any_word_of_urgency_is_enough(text: str) -> None:
    assert ToneCheck().problems(_item("urgent", "sms", {"text": text})) == []


def test_a_tone_that_has_no_words_to_show_it_is_not_judged() -> None:
    for tone in ("friendly", "playful", "", "warm"):
        assert ToneCheck().problems(_item(tone, "sms", {"text": "Psst! It holds heat!"})) == []


@pytest.mark.parametrize("tone", ["luxury", "professional"])
def test_restrained_copy_that_shouts_or_jokes_is_sent_back(tone: str) -> None:
    text = "Psst! The Fjellvik Tava Casserole Dish holds heat. The damage? Just €71.20."
    found = ToneCheck().problems(_item(tone, "sms", {"text": text}))
    assert [(p.kind, p.evidence) for p in found] == [
        ("casual_for_tone", "Psst"), ("casual_for_tone", "!"), ("casual_for_tone", "The damage?"),
    ]  # fmt: skip


def test_restrained_copy_may_use_the_words_of_a_playful_phrase_in_their_own_sense() -> None:
    text = "Made for phones that go on every adventure, with a grab handle. Discover it."
    assert ToneCheck().problems(_item("luxury", "sms", {"text": text})) == []


@pytest.mark.parametrize("channel", ["product_description", "search_ad"])
def test_the_corpus_writer_writes_urgent_copy_urgently(channel: str) -> None:
    check = ToneCheck()
    for brief in generate_briefs(48, 3):
        fields = write(brief, category(brief.category), channel, "urgent", 3, 0)
        assert check.problems(_item("urgent", channel, fields)) == [], fields


def _gift_item(fields: dict[str, str], audience: str = "gift shoppers") -> EvalInput:
    return EvalInput(task=Task.MARKETING, text="\n".join(fields.values()), fields=fields,
                     channel="push", facts={"product": DISH, "tone": "playful",
                                            "audience": audience})  # fmt: skip


def test_gift_shoppers_are_not_told_to_treat_themselves() -> None:
    # all 35 blind-graded outputs that did so were sent back ("speaks to the buyer, not to gift
    # shoppers buying for someone else")
    item = _gift_item(
        {"title": "Psst, gift shoppers!", "body": "It holds heat. Go on, treat yourself!"}
    )
    assert [p.kind for p in ToneCheck().problems(item)] == ["self_treat"]
    assert edited_fields(item, ToneCheck().problems(item)) == {
        "title": "Psst, gift shoppers!", "body": "It holds heat. Go on, treat someone special!"
    }  # fmt: skip
    assert ToneCheck().problems(_gift_item(dict(item.fields), "home cooks")) == []


def test_the_corpus_writer_never_tells_gift_shoppers_to_treat_themselves() -> None:
    # before the writer chose lines by audience, 6 of these 60 fields said "treat yourself"
    check = ToneCheck()
    briefs = [b for b in generate_briefs(400, 5) if b.audience == "gift shoppers"]
    assert briefs
    for brief in briefs:
        for channel in ("push", "email", "sms", "social_post", "product_description"):
            for tone in ("friendly", "playful"):
                for variant in range(3):
                    fields = write(brief, category(brief.category), channel, tone, 3, variant)
                    assert check.problems(_gift_item(fields)) == [], fields


def test_an_urgent_search_ad_whose_description_is_full_gets_the_brands_urgent_headline() -> None:
    # 60-product run: " Order today." took 84-character descriptions past 90, and the ads were
    # drawn again 10-12 times; the corpus writes such an ad with an urgent headline instead
    tent = {"name": "Kestrand Lakeside Tent", "brand": "Kestrand", "product_type": "tent"}
    description = (
        "The Kestrand Lakeside Tent: air flows through on warm nights while insects stay out."
    )
    fields = {"headline": "Kestrand Lakeside Tents", "description": description}
    item = EvalInput(task=Task.MARKETING, text="\n".join(fields.values()), fields=fields,
                     channel="search_ad", facts={"product": tent, "tone": "urgent"})  # fmt: skip
    (problem,) = ToneCheck().problems(item)
    assert edited_fields(item, [problem]) == {
        "headline": "Kestrand: Order Now",
        "description": description,
    }
    unbranded = EvalInput(task=Task.MARKETING, text=item.text, fields=fields, channel="search_ad",
                          facts={"product": {**tent, "brand": ""}, "tone": "urgent"})  # fmt: skip
    assert ToneCheck().problems(unbranded)[0].fix is None
