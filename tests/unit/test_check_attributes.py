"""Attributes: a material or colour in copy that the product's facts contradict is rejected."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.attributes import AttributeCheck, fact_colours
from contentgen.checks.base import EvalInput
from contentgen.checks.colours import compatible, resolve
from contentgen.checks.materials import conflicts, mentions
from contentgen.types import Task

DUVET = {
    "name": "Gibbons Hygge Duvet Cover Set",
    "material": "organic cotton percale",
    "certifications": ["GOTS-certified organic cotton"],
    "colours": ["dove grey", "oat"],
}
LIGHT = {
    "name": "Smith Nordlys Pendant Light",
    "material": "mouth-blown opal glass",
    "features": ["dimmable LED"],
    "colours": ["terracotta", "white", "smoked grey"],
}
DESK = {
    "name": "Altavik Mira Desk",
    "material": "oak veneer",
    "certifications": ["FSC-certified wood"],
    "colours": ["charcoal"],
}
SUITCASE = {"name": "Elmmark Layover Suitcase", "material": "aluminium shell", "colours": ["sage"]}


def _problems(product: dict[str, Any], text: str) -> list[dict[str, Any]]:
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product})
    return AttributeCheck().evaluate([item])[0].detail["problems"]


@pytest.mark.parametrize(
    ("product", "text", "kind"),
    [
        (
            DUVET,
            "The Gibbons Hygge Duvet Cover Set is made of the finest wool.",
            "material_conflict",
        ),
        (DUVET, "Soft silk against the skin every night.", "material_conflict"),
        (SUITCASE, "Its breathable leather upper offers comfort.", "material_conflict"),
        (DESK, "A desk in solid walnut for your home office.", "material_conflict"),
        (DESK, "A steel desk that lasts.", "material_conflict"),
        (LIGHT, "A master of candlelit lights, this lilac glow brings joy.", "colour_conflict"),
        (DESK, "The Altavik Mira Desk in crisp white.", "colour_conflict"),
        (SUITCASE, "A bright pink suitcase for your trips.", "colour_conflict"),
    ],
)
def test_a_material_or_colour_the_facts_contradict_is_rejected(
    product: dict[str, Any], text: str, kind: str
) -> None:
    assert kind in {p["kind"] for p in _problems(product, text)}


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (DUVET, "Organic cotton percale that feels crisp and cool, in dove grey or oat."),
        (DUVET, "A fabric that breathes on warm nights; the cotton is GOTS-certified."),
        (DESK, "Solid wood looks: an oak veneer top in charcoal, finished by hand."),
        (DESK, "Made from the finest woods, in a dark grey that suits any room."),
        (LIGHT, "Mouth-blown glass in terracotta, white or smoked grey, with a soft red glow."),
        (SUITCASE, "Lighter than steel, with a leather-look handle: an aluminium shell."),
        (SUITCASE, "Feels soft like cotton? No: it is a hard aluminum shell in sage green."),
        (SUITCASE, "Black Friday deal: the Elmmark Layover Suitcase, no leather, all aluminium."),
        ({"name": "Sage Tote", "material": "canvas", "colours": ["navy"]}, "The Sage Tote, navy."),
        ({"name": "Cap", "colours": ["oat"]}, "A cap in bright green."),  # "oat" is unknown
        ({"name": "Cap"}, "A wool cap in bright green."),  # no material or colour facts at all
        ({"name": "Bed", "material": "FSC-certified larch"}, "The wood weathers to a soft silver."),
    ],
)
def test_copy_consistent_with_the_facts_passes(product: dict[str, Any], text: str) -> None:
    assert _problems(product, text) == []


def test_the_evidence_names_the_span_and_the_facts_it_contradicts() -> None:
    (problem,) = _problems(DUVET, "Made of the finest wool.")
    assert problem["evidence"].endswith("wool")
    assert "organic cotton percale" in problem["limit"]
    assert problem["field"] == "text"


def test_mentions_skip_negations_comparisons_imitations_and_set_phrases() -> None:
    text = "PVC-free, lighter than steel, wood-effect, a glass of water, bed linen, heart of gold"
    assert list(mentions(text)) == []
    assert [m.name for m in mentions("goose down, stainless steel and merino wool")] == [
        "goose_down",
        "steel",
        "merino",
    ]


def test_class_words_match_members_and_members_pass_when_the_facts_name_only_the_class() -> None:
    facts = list(mentions("merino"))
    assert conflicts(mentions("soft wool fabric"), facts) == []
    assert conflicts(mentions("cashmere"), list(mentions("wool"))) == []
    assert [m.name for m in conflicts(mentions("cashmere"), facts)] == ["cashmere"]


def test_colours_resolve_by_name_or_head_word_and_compare_by_hue_and_lightness() -> None:
    assert resolve("Midnight Blue") is not None
    assert resolve("smoked grey") == resolve("grey")
    assert resolve("champagne") is None
    burgundy, red, lilac, white, charcoal = map(
        resolve, ["burgundy", "red", "lilac", "white", "charcoal"]
    )
    assert burgundy and red and lilac and white and charcoal
    assert compatible(red, burgundy)
    assert compatible(resolve("grey") or white, charcoal)
    assert not compatible(lilac, white)
    assert not compatible(white, charcoal)


def test_fact_colours_are_read_from_any_key_that_names_a_colour() -> None:
    facts = {"colours": ["navy", "sand"], "specs": {"frame colour": "black"}, "material": "oak"}
    assert sorted(fact_colours(facts)) == ["black", "navy", "sand"]
