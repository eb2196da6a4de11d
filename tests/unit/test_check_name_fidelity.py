"""Name fidelity: copy names the product where it must, and spells it as the facts do."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.name_fidelity import NameFidelityCheck
from contentgen.types import Task

THERMOS = {"name": "Nordis Thermos", "capacity": "750 ml", "note": "Nordic design"}
BOOT = {"name": "Alpine Hiking Boot", "material": "nubuck leather"}


def _kinds(product: dict, channel: str, fields: dict[str, str]) -> list[str]:
    item = EvalInput(
        task=Task.MARKETING,
        text="\n".join(fields.values()),
        fields=fields,
        channel=channel,
        facts={"product": product},
    )
    return [p["kind"] for p in NameFidelityCheck().evaluate([item])[0].detail["problems"]]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Hot coffee all day with the Nordys Thermos.", "misspelt"),
        ("Nordys keeps coffee hot all day.", "misspelt"),
        ("Hot coffee all day with the Coldy Thermos.", "wrong_name"),
        ("Hot coffee all day, wherever you go.", "name_missing"),
    ],
)
def test_a_misspelt_altered_or_missing_name_is_rejected(text: str, kind: str) -> None:
    assert kind in _kinds(THERMOS, "sms", {"text": text})


def test_a_substituted_name_word_in_running_text_is_rejected() -> None:
    text = "Our Beachy Hiking Boots are made of nubuck leather, perfect for sunbathing."
    assert _kinds(BOOT, "product_description", {"description": text}) == ["wrong_name"]


@pytest.mark.parametrize(
    "text",
    [
        "Hot coffee all day with the Nordis Thermos.",
        "NORDIS THERMOS: hot coffee all day.",
        "Nordis keeps coffee hot all day, with Nordic design.",
    ],
)
def test_the_name_spelt_right_or_the_brand_alone_passes(text: str) -> None:
    assert _kinds(THERMOS, "sms", {"text": text}) == []


def test_a_short_form_or_part_of_the_name_names_the_product() -> None:
    sweater = {"name": "Merino Wool Everyday Crew Neck Sweater", "short_name": "Merino Crew"}
    assert _kinds(sweater, "sms", {"text": "The Merino Crew keeps you warm."}) == []
    ad = {"headline": "Waterproof Hiking Boots", "description": "Nubuck leather, ready for trails."}
    assert _kinds(BOOT, "search_ad", ad) == []


def test_only_the_fields_that_carry_the_message_must_name_the_product() -> None:
    email = {
        "subject": "Dry feet on every trail",
        "preheader": "Light, tough, ready.",
        "body": "The Alpine Hiking Boot keeps your feet dry.",
    }
    assert _kinds(BOOT, "email", email) == []
    assert _kinds(BOOT, "email", {**email, "body": "Keeps your feet dry."}) == ["name_missing"]


def test_title_case_headlines_are_no_evidence_of_a_substituted_name() -> None:
    ad = {"headline": "Comfy Hiking Boots", "description": "The Alpine Hiking Boot, 149 EUR."}
    assert _kinds(BOOT, "search_ad", ad) == []


EARBUDS = {"name": "Barker Cadence Wireless Earbuds", "product_type": "pair of wireless earbuds"}


@pytest.mark.parametrize(
    "headline",
    ["The Barker Cadence Wireless", "Barker Cadence Wireless: Order Now"],
)
def test_a_name_broken_off_before_its_last_word_is_a_cut_name(headline: str) -> None:
    ad = {"headline": headline, "description": "Barker earbuds for commuters. Shop now."}
    assert _kinds(EARBUDS, "search_ad", ad) == ["cut_name"]


@pytest.mark.parametrize(
    "headline",
    ["Barker Cadence Wireless Earbuds", "Barker Wireless Earbuds", "The Barker Cadence"],
)
def test_the_whole_name_its_kind_or_brand_and_model_is_no_cut(headline: str) -> None:
    ad = {"headline": headline, "description": "Barker earbuds for commuters. Shop now."}
    assert _kinds(EARBUDS, "search_ad", ad) == []


def test_a_configured_short_form_is_no_cut() -> None:
    ad = {"headline": "Barker Cadence Wireless", "description": "Barker earbuds. Shop now."}
    assert _kinds({**EARBUDS, "short_name": "Barker Cadence Wireless"}, "search_ad", ad) == []


def test_the_full_name_again_in_the_next_sentence_is_named() -> None:
    push = {"title": "Meet the Alpine Hiking Boot", "body": "The Alpine Hiking Boot keeps feet dry."}
    assert _kinds(BOOT, "push", push) == ["name_repeated"]
    assert _kinds(BOOT, "push", {**push, "body": "It keeps your feet dry. Shop now."}) == []
    text = "Meet the Alpine Hiking Boot. The Alpine Hiking Boot has nubuck leather."
    assert _kinds(BOOT, "product_description", {"description": text}) == ["name_repeated"]
    apart = "Meet the Alpine Hiking Boot. It is nubuck. It is light. The Alpine Hiking Boot: 149 EUR."
    assert _kinds(BOOT, "product_description", {"description": apart}) == []


def test_an_ad_headline_is_a_label_the_description_may_name_again() -> None:
    ad = {"headline": "Alpine Hiking Boot", "description": "The Alpine Hiking Boot keeps feet dry."}
    assert _kinds(BOOT, "search_ad", ad) == []


def test_an_email_body_names_the_product_again_after_its_subject() -> None:
    email = {
        "subject": "Meet the Alpine Hiking Boot",
        "preheader": "Dry feet on every trail.",
        "body": "The Alpine Hiking Boot keeps your feet dry.\n\nOrder yours today.",
    }
    assert _kinds(BOOT, "email", email) == []
