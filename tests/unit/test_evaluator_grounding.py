"""The grounding evaluator: invented prices, numbers and ids fail; unknown names lower the score."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contentgen.checks.base import EvalInput
from contentgen.checks.grounding import GroundingEvaluator
from contentgen.types import Evaluation, Task
from tests.fuzzing import examples

PRODUCT = {
    "product": {
        "name": "Trail Runner Pro",
        "brand": "Northwind",
        "price": 89.0,
        "list_price": "€109.00",
        "features": "waterproof Gore-Tex upper, Vibram sole, 3 colours, 20% recycled rubber",
    },
    "spec": {"headline": {"max_chars": 30}},
    "variants": 3,
}
SUPPORT = {
    "message": "My order #A1234 arrived with a torn strap. Can I get my money back?",
    "context": {"customer": "Maria Lopez", "order_id": "A1234", "total": "$54.20"},
    "policy": "Damaged items are refunded in full within 30 days. Phones open 9am to 5pm.",
}


def _judge(text: str, facts: dict, task: Task = Task.MARKETING) -> Evaluation:
    return GroundingEvaluator().evaluate([EvalInput(task=task, text=text, facts=facts)])[0]


@pytest.mark.parametrize(
    "text",
    [
        "Trail Runner Pro, now €89.00.",
        "Trail Runner Pro for just 89 EUR.",
        "Trail Runner Pro at 89,00 € with a Vibram sole.",
        "In three colours, with 20 percent recycled rubber.",
        "Save €20 on the Trail Runner Pro: 18% off the list price.",  # derived from 109 - 89
    ],
)
def test_numbers_and_prices_from_the_facts_pass_in_any_notation(text: str) -> None:
    verdict = _judge(text, PRODUCT)
    assert verdict.passed, verdict.detail
    assert verdict.score == 1.0


def test_an_invented_price_fails_the_gate() -> None:
    verdict = _judge("Trail Runner Pro, today only €79.99!", PRODUCT)
    assert not verdict.passed and verdict.score == 0.0
    assert verdict.detail["invented_prices"] == ["€79.99"]


def test_invented_numbers_and_instruction_values_are_not_facts() -> None:
    verdict = _judge("Rated 5 stars by 30 runners.", PRODUCT)  # 3 and 30 only steer generation
    assert not verdict.passed
    assert set(verdict.detail["invented_numbers"]) == {"5", "30"}


def test_invented_names_lower_the_score_without_failing() -> None:
    verdict = _judge(
        "Meet the Summit Jacket by Patagonia Outdoor. Built on a Vibram sole.", PRODUCT
    )
    assert verdict.passed and verdict.score == 0.5
    assert verdict.detail["unknown_names"] == ["Summit Jacket", "Patagonia Outdoor"]


def test_sentence_initial_and_title_case_words_are_not_names() -> None:
    text = (
        "Headline: Stay Dry On Every Trail\n"
        "Description: Introducing the Trail Runner Pro. Choose Trail Runner Pro. Shop Now!"
    )
    verdict = _judge(text, PRODUCT)
    assert verdict.detail["unknown_names"] == [] and verdict.score == 1.0
    opening = _judge("Patagonia Outdoor makes the grippiest soles.", PRODUCT)
    assert opening.detail["unknown_names"] == ["Patagonia Outdoor"]


def test_a_reply_with_the_request_order_id_and_amounts_passes() -> None:
    text = (
        "Hi Maria, I'm sorry order #A1234 arrived damaged. We will refund $54.20 within 30 days. "
        "Call us between 9:00 and 17:00."
    )
    verdict = _judge(text, SUPPORT, Task.CUSTOMER_SERVICE)
    assert verdict.passed and verdict.score == 1.0


def test_a_reply_with_an_invented_order_id_fails() -> None:
    verdict = _judge(
        "Hi Maria, your order #A1243 will be refunded.", SUPPORT, Task.CUSTOMER_SERVICE
    )
    assert not verdict.passed and verdict.detail["invented_ids"] == ["#A1243"]


def test_a_news_summary_number_must_come_from_the_article() -> None:
    facts = {
        "article": "The council approved 2,500 new homes and a $1.2 million park.",
        "title": "Homes",
    }
    assert _judge("Council backs 2500 homes and a $1.2m park.", facts, Task.NEWS_SUMMARY).passed
    wrong = _judge("Council backs 3,500 homes.", facts, Task.NEWS_SUMMARY)
    assert not wrong.passed and wrong.detail["invented_numbers"] == ["3,500"]


HUGE = "1" + "0" * 29  # 30 digits: past the default decimal context's 28


@pytest.mark.parametrize(
    ("facts", "text", "grounded"),
    [
        ({"name": "Mug", "a": HUGE, "b": "5"}, "Mug, 5 colours.", True),
        ({"name": "Mug", "a": "9" * 40, "b": "5"}, f"Mug: {'9' * 40} sold.", True),
        ({"name": "Mug", "units": f"{'1' * 32} million"}, f"{'1' * 32}000000 made.", True),
        ({"name": "Mug", "a": "9" * 40, "b": "5"}, f"Mug: {'9' * 39}8 sold.", False),
        ({"name": "Mug", "units": 10**5000, "price": 3}, "Mug for 3.", True),
        (
            {"name": "Mug", "nan": float("nan"), "inf": float("inf"), "d": Decimal("sNaN")},
            "Mug.",
            True,
        ),
        ({"name": "Mug", "d": Decimal("1E+999999999"), "price": 2}, "Mug for 2.", True),
    ],
)
def test_numbers_of_any_size_next_to_others_are_checked_exactly(
    facts: dict, text: str, grounded: bool
) -> None:
    # A 29+ digit fact beside another number raised decimal.InvalidOperation (savings rounding),
    # and "N million" with N past 28 digits rounded, so its exact value was "not in the facts".
    assert _judge(text, facts).passed is grounded


def _separated(digits: str, seps: list[str]) -> str:
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)] or ["0"]
    return groups[0] + "".join(s + g for s, g in zip(seps, groups[1:], strict=False))


digits = st.one_of(
    st.text("0123456789", min_size=1, max_size=60),
    st.integers(28, 400).map(lambda n: "7" * n),
)
number_text = st.builds(
    lambda cur, body, mult, pct, after: f"{cur}{body}{mult}{pct}{after}",
    st.sampled_from(["", "€", "$", "USD ", "£"]),
    st.builds(_separated, digits, st.lists(st.sampled_from([",", ".", ""]), max_size=140)),
    st.sampled_from(["", " million", "m", " bn", "k", " thousand"]),
    st.sampled_from(["", "%", " percent"]),
    st.sampled_from(["", " EUR", " €", " dollars"]),
)
fact_value = st.one_of(
    number_text,
    st.integers(min_value=-(10**600), max_value=10**600),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.lists(number_text, max_size=3).map(" and ".join),
)


@settings(max_examples=examples(300))  # repeatable in `make test` (tests/fuzzing.py)
@given(
    st.lists(fact_value, min_size=1, max_size=6),
    st.lists(number_text, min_size=1, max_size=4),
    st.sampled_from([Task.MARKETING, Task.NEWS_SUMMARY, Task.CUSTOMER_SERVICE]),
)
@example([HUGE, "5"], ["5"], Task.MARKETING)
@example(["€" + "9" * 5000, 3], ["€" + "9" * 5000 + " million"], Task.MARKETING)
def test_number_strings_of_any_size_and_format_never_break_the_check(
    facts: list, said: list[str], task: Task
) -> None:
    product = {"name": "Mug", **{f"fact{i}": v for i, v in enumerate(facts)}}
    text = "Mug: " + ", ".join(said) + "."
    verdict = _judge(text, {"product": product, "article": "x", "message": "x"}, task)
    assert isinstance(verdict.passed, bool)
    # What the facts say verbatim is grounded, however long the number is.
    assert _judge(text, {"product": {"name": "Mug", "copy": text}, "article": text}, task).passed
