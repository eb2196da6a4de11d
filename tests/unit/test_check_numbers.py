"""Number grounding: a number counts only with its unit and sign, or as a documented derivation."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.fact_numbers import FactIndex
from contentgen.checks.grounding import GroundingEvaluator
from contentgen.checks.number_claims import number_claims
from contentgen.checks.numbers import NumbersCheck
from contentgen.types import Task

BIKE = {"product": {"name": "Trek Junior Bike 20", "seat_height": "30-40 cm", "price": "89 EUR"}}


def _kinds(text: str, facts: dict[str, Any], task: Task = Task.MARKETING) -> list[str]:
    (verdict,) = NumbersCheck().evaluate([EvalInput(task=task, text=text, facts=facts)])
    return [p["kind"] for p in verdict.detail["problems"]]


@pytest.mark.parametrize(
    ("text", "values", "unit"),
    [
        ("seat 30-40 cm", [["30"], ["40"]], ["cm", "cm"]),
        ("from 30 to 40 cm", [["30"], ["40"]], ["cm", "cm"]),
        ("rated to -25 °C", [["-25"]], ["°c"]),
        ("minus 25 degrees", [["-25"]], ["°"]),
        ("only €30-40", [["30"], ["40"]], ["EUR", "EUR"]),
        ("a 2-year warranty", [["2"]], ["year"]),
        ("a 2 m cable", [["2"]], ["m"]),
        ("a $1.2m park", [["1.2", "1200000.0"]], ["USD"]),
    ],
)
def test_claims_carry_their_sign_and_unit_and_ranges_share_theirs(
    text: str, values: list[list[str]], unit: list[str]
) -> None:
    claims = number_claims(text)
    assert [sorted(str(v) for v in c.values) for c in claims] == values
    assert [c.unit for c in claims] == unit


def test_a_difference_of_two_sizes_is_not_a_price() -> None:
    # Issue 16: "10 EUR" for an 89 EUR bike passed because 40 - 30 = 10.
    assert _kinds("Trek Junior Bike 20 for only 10 EUR.", BIKE) == ["invented_price"]
    legacy = GroundingEvaluator().evaluate(
        [EvalInput(task=Task.MARKETING, text="Only 10 EUR.", facts=BIKE)]
    )[0]
    assert not legacy.passed and legacy.detail["invented_prices"] == ["10 EUR"]


def test_both_ends_of_a_range_are_grounded_with_their_unit() -> None:
    assert _kinds("The seat goes from 30 to 40 cm. 89 EUR.", BIKE) == []
    assert _kinds("The seat goes up to 40 kg.", BIKE) == ["wrong_unit"]


def test_a_dropped_minus_sign_is_not_the_fact() -> None:
    bag = {"product": {"name": "Polar Bag", "comfort": "-25 °C"}}
    assert _kinds("Cosy down to -25 °C.", bag) == []
    assert _kinds("Cosy up to 25 °C.", bag) == ["sign_dropped"]


def test_numbers_in_the_product_name_are_never_prices() -> None:
    grill = {"product": {"name": "Flamo Grill 7", "burners": "3", "price": "399 EUR"}}
    assert _kinds("The Flamo Grill 7 has 3 burners for 399 EUR.", grill) == []
    assert _kinds("The Flamo Grill 7 for just 7 EUR.", grill) == ["wrong_unit"]
    assert _kinds("The Flamo Grill 7, now 7*7 EUR.", grill) == ["arithmetic"]


def test_arithmetic_is_never_grounded_even_when_the_facts_write_it() -> None:
    assert _kinds("Grid of 7*7 tiles.", {"product": {"name": "Tiles", "grid": "7*7"}}) == [
        "arithmetic"
    ]


def test_ids_are_not_numbers() -> None:
    lamp = {"product": {"name": "Desk Lamp", "sku": "H-012", "price": "39 EUR"}}
    assert _kinds("Desk Lamp H-012 for 39 EUR.", lamp) == []
    assert _kinds("Desk Lamp H-012 for 12 EUR.", lamp) == ["invented_price"]


@pytest.mark.parametrize(
    ("product", "text"),
    [
        ({"price": 89, "list_price": "109 EUR"}, "Save 20 EUR: 18% off, now 89 EUR."),
        ({"price": 89, "list_price": "109 EUR"}, "Now 18.3% off."),
        ({"price": "79 EUR", "was": "99 EUR"}, "Save 20 EUR, 20% off."),
        ({"price": "45 EUR", "discount": "15%"}, "15% off: 38.25 EUR, you save 6.75 EUR."),
        ({"price": 129, "discount_percent": 20}, "Now 103.20 EUR instead of 129 EUR."),
    ],
)
def test_documented_derivations_from_a_regular_and_a_sale_price_are_grounded(
    product: dict[str, Any], text: str
) -> None:
    assert _kinds(text, {"product": {"name": "Mug", **product}}) == []


def test_savings_need_a_regular_price_and_only_marketing_derives_them() -> None:
    two_sizes = {"product": {"name": "Mug", "price_small": "10 EUR", "price_large": "15 EUR"}}
    assert _kinds("Save 5 EUR.", two_sizes) == ["invented_price"]
    sale = {"product": {"name": "Mug", "price": 89, "list_price": "109 EUR"}}
    assert _kinds("A refund of 20 EUR.", sale, Task.CUSTOMER_SERVICE) == ["invented_price"]


def test_a_price_needs_a_price_fact_but_a_plain_number_may_match_any() -> None:
    facts = {"product": {"name": "Bike", "gears": "10", "price": "89 EUR"}}
    assert _kinds("10 gears, 89 EUR, 89 in total.", facts) == []
    assert _kinds("Only 10 EUR.", facts) == ["wrong_unit"]


def test_the_index_reports_the_kind_of_each_fact_number() -> None:
    index = FactIndex.build({"product": {"name": "Bike 7", "price": "89", "seat": "30-40 cm"}})
    kinds = {str(v): sorted(f.kind for f in facts) for v, facts in index.numbers.items()}
    assert kinds == {"89": ["price"], "30": ["number"], "40": ["number"], "7": ["number"]}
