"""Policy: a customer-service reply promises only what the stated policy and order facts allow."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.policy import PolicyCheck, allowed
from contentgen.types import Task

FINAL_SALE = (
    "Sale items are final sale and cannot be refunded. They can be exchanged for store credit."
)
DAMAGED = "Damaged items are refunded in full within 30 days. Return shipping is free."
HALF = "Opened items are refunded at 50% of the price within 14 days."


def _kinds(reply: str, policy: str | None, context: dict | None = None) -> list[str]:
    facts = {
        "message": "Help!",
        "context": context or {},
        "policy": policy or "",
        "tone": "empathetic",
    }
    item = EvalInput(task=Task.CUSTOMER_SERVICE, text=reply, facts=facts)
    return [p["kind"] for p in PolicyCheck().evaluate([item])[0].detail["problems"]]


@pytest.mark.parametrize(
    ("reply", "policy", "kind"),
    [
        ("We will give you a 100% refund right away.", FINAL_SALE, "forbidden"),
        ("Here is a discount on your next order.", DAMAGED, "not_in_policy"),
        ("We will send a replacement.", None, "not_in_policy"),
        ("We offer free returns on every order.", FINAL_SALE, "not_in_policy"),
        ("We will refund you and it will be back within 2 days.", DAMAGED, "timeline"),
        ("We will give you a full refund.", HALF, "exceeds_policy"),
        ("You get 100% of your money back.", DAMAGED, "percentage"),
    ],
)
def test_promises_the_policy_does_not_allow_are_rejected(
    reply: str, policy: str | None, kind: str
) -> None:
    assert kind in _kinds(reply, policy)


@pytest.mark.parametrize(
    ("reply", "policy"),
    [
        (
            "As a sale item it cannot be refunded, but we can exchange it for store credit.",
            FINAL_SALE,
        ),
        ("We will refund it in full within 30 days, and return shipping is free.", DAMAGED),
        ("Unfortunately we are unable to offer a refund.", None),
        ("We refund 50% of the price within 14 days.", HALF),
        ("I have passed your message to our team, who will be in touch.", None),
    ],
)
def test_replies_within_the_policy_pass(reply: str, policy: str | None) -> None:
    assert _kinds(reply, policy) == []


def test_order_facts_can_allow_a_promise_too() -> None:
    context = {"refund_status": "refund approved", "refund_amount": "24.90 EUR"}
    assert _kinds("Your refund of 24.90 EUR is on its way.", None, context) == []


def test_the_policy_reading_per_category() -> None:
    assert allowed(FINAL_SALE)["refund"] is False
    assert allowed(FINAL_SALE)["discount"] is True  # store credit
    assert allowed(DAMAGED)["refund"] is True
    assert allowed(DAMAGED)["replacement"] is None
