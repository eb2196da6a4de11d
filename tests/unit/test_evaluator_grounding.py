"""The grounding evaluator: invented prices, numbers and ids fail; unknown names lower the score."""

from __future__ import annotations

import pytest

from contentgen.evaluation import EvalInput
from contentgen.feedback.evaluators import GroundingEvaluator
from contentgen.types import Evaluation, Task

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
