"""Number sense: prices stay prices, savings are savings, regular prices are labelled, weights keep their meaning."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.number_sense import NumberSenseCheck, key_quantity
from contentgen.types import Task

DESK = {
    "name": "Altavik Mira Desk", "product_type": "desk", "price_eur": "701.90",
    "list_price_eur": "779.90", "specs": {"maximum load": "80 kg"}, "weight": "32 kg",
}  # fmt: skip
NECKLACE = {"name": "Leonard Nova Pendant Necklace", "price_eur": "239.20",
            "list_price_eur": "299.00"}  # fmt: skip
SHIRT = {"name": "Marvik Ember Linen Shirt", "price_eur": "119.00",
         "specs": {"fabric weight": "220 g"}}  # fmt: skip
CARRIER = {"name": "Torand Honey Baby Carrier", "price_eur": "109.65",
           "specs": {"baby weight": "3.5-15 kg"}}  # fmt: skip
LAMP = {"name": "Smith Nordlys Pendant Light", "price_eur": "79.00",
        "specs": {"brightness": "400 lumens"}}  # fmt: skip
HUB = {"name": "Gordon Vector USB-C Hub", "price_eur": "19.90"}
BED = {"name": "Torford Orchard Raised Garden Bed", "price_eur": "65.90",
       "list_price_eur": "109.90"}  # fmt: skip


def _kinds(product: dict[str, Any], text: str) -> list[str]:
    item = EvalInput(task=Task.MARKETING, text=text, facts={"product": product})
    verdict = NumberSenseCheck().evaluate([item])[0]
    return [p["kind"] for p in (verdict.detail or {}).get("problems", [])]


@pytest.mark.parametrize(
    ("product", "text", "kind"),
    [  # the blind review's defects, verbatim where they were single sentences
        (DESK, "It weighs 779.90. This is 701.90 euros.", "price_as_measure"),
        (SHIRT, "Order now and save €119.", "not_a_saving"),
        (NECKLACE, "It is priced €239.20 for a gift box, and €299.00 for a necklace.",
         "unlabelled_regular_price"),
        (NECKLACE, "Lindon Nova Pendant Necklace, €239.20, €299.00.", "unlabelled_regular_price"),
        (BED, "€65.90, €109.90.", "unlabelled_regular_price"),
        (BED, "An open base. €65.90. Available for €109.90.", "unlabelled_regular_price"),
        (LAMP, "Thanks to the lamp glass and the 400 lumens brightness, €79.", "price_as_effect"),
        (HUB, "A USB-C hub that runs on the 19.90€ price point.", "price_as_measure"),
        (CARRIER, "It weighs 3.5 kg.", "wrong_quantity"),
        (DESK, "This means it can move up to 80 kg.", "wrong_quantity"),
        (SHIRT, "The shirt weighs 220 g.", "wrong_quantity"),
        (NECKLACE, "Now €299.00 instead of €239.20.", "swapped_prices"),
        (NECKLACE, "Get 30% off the necklace today.", "not_a_saving"),
        (HUB, "Six ports and a 19.90 hub.", "price_without_currency"),
        (LAMP, "It is now €79. Get yours now.", "implied_discount"),
        (HUB, "Now only €19.90!", "implied_discount"),
        (LAMP, "It is reduced from €79 to €79. Order today.", "implied_discount"),
        (LAMP, "It was €79. Get yours now.", "implied_discount"),
    ],
)  # fmt: skip
def test_a_number_read_in_the_wrong_sense_is_rejected(
    product: dict[str, Any], text: str, kind: str
) -> None:
    assert kind in _kinds(product, text)


@pytest.mark.parametrize(
    ("product", "text"),
    [
        (DESK, "Now €701.90 instead of €779.90: save €78."),
        (DESK, "It supports up to 80 kg and weighs 32 kg. Was €779.90, now €701.90."),
        (DESK, "Reduced from €779.90 to €701.90, a saving of €78.00. That is 10% off."),
        (DESK, "From €779.90 to €701.90: the Altavik Mira Desk."),
        (DESK, "Altavik Mira Desk: €779.90 → €701.90."),
        (NECKLACE, "The necklace is €239.20. The list price is €299."),
        (NECKLACE, "Now 20% off: €239.20, previously €299.00."),
        (CARRIER, "Carries babies from 3.5 to 15 kg. €109.65."),
        (LAMP, "Thanks to its dimmable LED, evenings feel calm. All for €79."),
        (HUB, "Six ports, one cable. Yours for 19.90 EUR."),
        (SHIRT, "A 220 g linen-cotton blend that breathes. 119 EUR."),
        (LAMP, "The Smith Nordlys Pendant Light is available now for €79."),
        (LAMP, "Order now. €79."),
    ],
)
def test_numbers_in_their_stated_sense_pass(product: dict[str, Any], text: str) -> None:
    assert _kinds(product, text) == []


def test_a_clause_break_ends_the_verb_window() -> None:
    jar = {"name": "Vital Gummies", "price": "13.99 EUR", "count": "60 gummies"}
    assert _kinds(jar, "Each jar holds 60 gummies and costs 13.99 EUR.") == []


@pytest.mark.parametrize(
    ("key", "quantity"),
    [
        ("weight", "weight"), ("net weight", "weight"), ("baby weight", "load"),
        ("child_weight", "load"), ("max_load", "load"), ("maximum load", "load"),
        ("fabric weight", "other_weight"), ("capacity", "capacity"), ("seat_height", "size"),
        ("battery", "time"), ("features", None), ("price", None),
    ],
)  # fmt: skip
def test_fact_keys_name_their_quantity(key: str, quantity: str | None) -> None:
    assert key_quantity(key) == quantity


def test_only_marketing_copy_is_judged() -> None:
    assert NumberSenseCheck.tasks == frozenset({Task.MARKETING})
