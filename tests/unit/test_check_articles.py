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


WORDED = {
    **CARRIER,
    "features": [*CARRIER["features"], "SD card reader"],
    "product_type": "USB-C hub",
}


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("It has a SD card reader.", "It has an SD card reader."),
        ("An USB-C hub for travellers.", "A USB-C hub for travellers."),
        ("It has a padded shoulder straps.", "It has padded shoulder straps."),
        ("A padded shoulder straps spread the load.", "Padded shoulder straps spread the load."),
        ("It has adjustable seat.", "It has an adjustable seat."),
        ("Comes with adjustable seat, a padded shoulder straps.",
         "Comes with an adjustable seat, padded shoulder straps."),
    ],
)  # fmt: skip
def test_every_slip_carries_the_edit_that_corrects_it(text: str, fixed: str) -> None:
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": WORDED})
    problems = sorted(ArticlesCheck().problems(item), key=lambda p: -(p.start or 0))
    for p in problems:
        assert p.fix is not None and p.start is not None and p.end is not None
        assert text[p.start : p.end] == p.evidence
        text = text[: p.start] + p.fix + text[p.end :]
    assert text == fixed
    assert ArticlesCheck().problems(EvalInput(task=Task.MARKETING, text=text,
                                              facts={"product": WORDED})) == []  # fmt: skip


def test_a_wrong_article_before_words_the_brief_never_wrote_is_not_edited_but_redrawn() -> None:
    text = "An oven-safe design, a oven-safe to 220 °C."
    product = {"name": "Tava Casserole Dish", "features": ["oven-safe design"]}
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product})
    ((kind, fix),) = [(p.kind, p.fix) for p in ArticlesCheck().problems(item)]
    assert (kind, fix) == ("a_an", None)


@pytest.mark.parametrize(
    ("material", "text", "fixed"),
    [
        ("linen-cotton blend", "It is made from linen-cotton blend.",
         "It is made from a linen-cotton blend."),
        ("aluminium shell", "It is made from aluminium shell, so it is tough.",
         "It is made from an aluminium shell, so it is tough."),
    ],
)  # fmt: skip
def test_a_material_that_names_a_part_needs_its_article(
    material: str, text: str, fixed: str
) -> None:
    product = {"name": "Elmmark Layover", "material": material}
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product})
    (problem,) = ArticlesCheck().problems(item)
    assert problem.kind == "missing_article" and problem.fix is not None
    assert text[: problem.start] + problem.fix + text[problem.end :] == fixed


@pytest.mark.parametrize("material", ["welded tarpaulin", "oak veneer", "recycled softshell"])
def test_a_material_that_is_a_substance_needs_no_article(material: str) -> None:
    item = EvalInput(task=Task.MARKETING, text=f"It is made from {material}.",
                     facts={"product": {"name": "Elmmark Layover", "material": material}})  # fmt: skip
    assert ArticlesCheck().problems(item) == []


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        (
            "It has an acid-free paper, so pages stay white.",
            "It has acid-free paper, so pages stay white.",
        ),
        ("They have an active noise cancelling.", "They have active noise cancelling."),
    ],
)
def test_an_article_before_a_substance_or_an_activity_is_dropped(text: str, fixed: str) -> None:
    # Features: a material the product "has" is corrected with its verb (test_check_proofreading)
    product = {"name": "Cobalen Folio", "features": ["acid-free paper", "active noise cancelling"]}
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product})
    (problem,) = ArticlesCheck().problems(item)
    assert problem.kind == "article_mass" and problem.fix is not None
    assert text[: problem.start] + problem.fix + text[problem.end :] == fixed


def test_a_substance_before_a_noun_is_a_modifier_and_keeps_its_article() -> None:
    product = {"name": "Nordlys", "material": "mouth-blown opal glass"}
    text = "It has a mouth-blown opal glass shade."
    assert ArticlesCheck().problems(EvalInput(task=Task.MARKETING, text=text,
                                              facts={"product": product})) == []  # fmt: skip
