"""Truncation: fields end as sentences (prose) or complete phrases (headline-like fields)."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.truncation import TruncationCheck
from contentgen.types import Task

FACTS = {"product": {"name": "Harbor Rain Jacket", "water": "water-resistant"}}


def _kinds(fields: dict[str, str], channel: str = "email") -> list[str]:
    item = EvalInput(
        task=Task.MARKETING,
        text="\n".join(fields.values()),
        fields=fields,
        channel=channel,
        facts=FACTS,
    )
    return [p["kind"] for p in TruncationCheck().evaluate([item])[0].detail["problems"]]


EMAIL = {"subject": "Stay dry", "preheader": "Light rain, no problem."}


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("The jacket weighs 420 g, so your bag can", "dangling_word"),
        ("Light, packable and ready for showers and", "dangling_word"),
        ("It packs into any bag for the.", "dangling_word"),
        ("Light, packable and ready for showers", "no_sentence_end"),
        ("Light rain? Ready for it,", "unfinished"),
        ("The hood (adjustable stays put in the wind.", "unbalanced"),
        ('He said "stay dry all day.', "unbalanced"),
        ("The Harbor Rain Jacket is water-resist", "no_sentence_end"),
    ],
)
def test_copy_cut_off_mid_sentence_is_rejected(body: str, kind: str) -> None:
    assert kind in _kinds({**EMAIL, "body": body})


@pytest.mark.parametrize(
    "body",
    [
        "Light rain should not cancel your plans.",
        "It is the one jacket you will reach for.",
        "Ready for showers! #rain #city",
        "Stay dry out there 🌧️",
        "Shop the jacket now: example.com/harbor",
        "Thanks for reading.\n\nKind regards,\nThe Harbor Team",
        'Water-resistant, 420 g, "made for showers" (not storms).',
    ],
)
def test_complete_endings_pass(body: str) -> None:
    assert _kinds({**EMAIL, "body": body}) == []


def test_headline_like_fields_may_end_without_a_full_stop_but_not_mid_phrase() -> None:
    assert (
        _kinds({"headline": "Stay Dry In Style", "description": "Light and ready."}, "search_ad")
        == []
    )
    assert _kinds(
        {"headline": "Stay Dry With The", "description": "Light and ready."}, "search_ad"
    ) == ["dangling_word"]
    # "{kind} in {Colour}" cut before its colour (graded unusable at 60 products): the words
    # before it stay as the headline, a one-word label is drawn again
    assert _kinds(
        {"headline": "Insulated Water Bottles in", "description": "Light and ready."}, "search_ad"
    ) == ["dangling_word"]
    assert _kinds({"headline": "Pads at", "description": "Light and ready."}, "search_ad") == [
        "dangling_word"
    ]


def test_a_word_cut_short_by_the_channel_limit_is_rejected() -> None:
    cut = {"headline": "Harbor Rain Jacket, Water-Resi", "description": "Light and ready."}
    assert _kinds(cut, "search_ad") == ["cut_word"]
    # Far from the limit, a prefix of a fact word is a word of its own ("Water" of "water-...").
    assert _kinds({"headline": "Stay Dry, Water", "description": "Light."}, "search_ad") == []


def test_news_bullets_and_headlines_are_phrases() -> None:
    bullets = EvalInput(
        task=Task.NEWS_SUMMARY,
        text="- Sales rose 22 percent\n- It will hire 500 engineers",
        facts={"style": "bullets"},
    )
    headline = EvalInput(
        task=Task.NEWS_SUMMARY,
        text="Council approves tram line to the",
        facts={"style": "headline"},
    )
    verdicts = TruncationCheck().evaluate([bullets, headline])
    assert verdicts[0].passed
    assert [p["kind"] for p in verdicts[1].detail["problems"]] == ["dangling_word"]


def test_a_fact_that_ends_on_a_short_word_is_a_complete_ending() -> None:
    def kinds(description: str) -> list[str]:
        item = EvalInput(
            task=Task.MARKETING,
            text=description,
            fields={"description": description},
            channel="product_description",
            facts={"product": {"name": "Arc Lamp", "certifications": ["energy class A"]}},
        )
        return [p["kind"] for p in TruncationCheck().evaluate([item])[0].detail["problems"]]

    assert kinds("The Arc Lamp has a dimmer. It is in energy class A.") == []
    assert kinds("The Arc Lamp has a dimmer. It comes with a.") == ["dangling_word"]
