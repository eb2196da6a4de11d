"""Articles: "a"/"an" follow the next word's sound, and never stand before a plural fact."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.articles import ArticlesCheck, fix_articles, vowel_sound
from contentgen.checks.base import EvalInput
from contentgen.types import Task

CARRIER = {"name": "Torand Honey Baby Carrier",
           "features": ["padded shoulder straps", "breathable mesh", "adjustable seat"]}  # fmt: skip


def _problems(text: str, product: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product or CARRIER})
    verdict = ArticlesCheck().evaluate([item])[0]
    return [(p["kind"], p["evidence"]) for p in (verdict.detail or {}).get("problems", [])]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("It has a SD card reader.", [("a_an", "a SD")]),
        ("An USB-C hub for travellers.", [("a_an", "An USB-C")]),
        ("A 8 mm heel-to-toe drop.", [("a_an", "A 8")]),
        ("It comes in a 18k gold vermeil.", [("a_an", "a 18k")]),
        ("Made from a FSC-certified oak.", [("a_an", "a FSC-certified")]),
        ("It has an padded seat.", [("a_an", "an padded")]),
        ("It has a padded shoulder straps.", [("article_plural", "a padded shoulder straps")]),
    ],
)
def test_an_article_slip_is_named(text: str, found: list[tuple[str, str]]) -> None:
    assert _problems(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "An SD card reader, an LED, a USB-C port, an HDMI output and a 4K screen.",
        "An 8-hour battery, an 11-inch tablet, a 100 W charger and an 18 cm shaft.",
        "A one-year warranty, a unisex fit, a user guide, an hour of play and an honest price.",
        "1500 A of peak current, vitamin A and a grade A finish.",
        "The carrier has padded shoulder straps and a breathable mesh.",
    ],
)
def test_right_articles_pass(text: str) -> None:
    assert _problems(text) == []


def test_the_corpus_writer_fixes_an_article_a_template_got_wrong() -> None:
    assert fix_articles("A 8 mm drop and a RFID-blocking pocket.") == (
        "An 8 mm drop and an RFID-blocking pocket."
    )
    assert fix_articles("1500 A of current, an USB hub.") == "1500 A of current, a USB hub."
    assert vowel_sound("LED") and not vowel_sound("led")  # an initialism, and a verb
