"""Meta commentary: notes, assistant chatter and self-description never reach a reader."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.meta import MetaCommentaryCheck
from contentgen.types import Task


def _kinds(text: str, task: Task = Task.MARKETING, facts: dict | None = None) -> set[str]:
    item = EvalInput(task=task, text=text, facts=facts or {"product": {"name": "Fjellvik Dish"}})
    return {p["kind"] for p in MetaCommentaryCheck().evaluate([item])[0].detail["problems"]}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "See you in the kitchen! [Note: in this email, I'm going to include the details of "
            "the food in a way that can be delivered to your doorstep.]",
            "bracketed_note",
        ),
        ("Bake it tonight. [Add a photo of the dish here", "bracketed_note"),
        ("Bake it tonight.\nNote: the price is taken from the facts.", "note"),
        ("Sure! Here's your email: Bake it tonight.", "assistant_chatter"),
        ("Here is a short social media post for the Fjellvik Dish: bake it.", "assistant_chatter"),
        ("As an AI, I cannot taste food, but this dish is great.", "assistant_chatter"),
        ("Bake it tonight. Let me know if you'd like a shorter version!", "assistant_chatter"),
        ("Bake it tonight. Feel free to adjust the tone.", "assistant_chatter"),
        ("Bake it tonight. I hope this helps!", "assistant_chatter"),
        ("I'm going to highlight the product name and the price.", "announced_work"),
        ("I have included the key features and a call to action.", "announced_work"),
        ("This email highlights the oven-safe design.", "self_reference"),
        ("In this post, I focus on family dinners.", "self_reference"),
        ("Bake it tonight. (18 words)", "self_reference"),
        ("Option 2: Bake it tonight.", "variant_label"),
        ("Thanks for your message, home cooks. The Fjellvik Dish is here.", "message"),
        ("A cast iron lid and a message for home cooks. Get yours now.", "message"),
    ],
)
def test_meta_commentary_is_rejected(text: str, kind: str) -> None:
    assert kind in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Here's your chance to bake like a pro: the Fjellvik Dish, 71.20 EUR.",
        "Absolutely! This is the dish your Sunday roast deserves.",
        "Please note: the lid is not dishwasher-safe.",
        "P.S. The Fjellvik Dish also makes a great gift.",
        "I'm going to make this every Sunday, says one happy cook.",
        "Version 2.0 of our best-loved dish is here.",
    ],
)
def test_ordinary_copy_passes(text: str) -> None:
    assert _kinds(text) == set()


def test_a_customer_service_reply_may_hope_it_helps_and_include_details() -> None:
    reply = (
        "I have included the details of your return below. Thank you for this message, we "
        "are glad to help. I hope this helps, and let me know if you have any other questions."
    )
    assert _kinds(reply, Task.CUSTOMER_SERVICE, {"message": "Where is my order?"}) == set()
    assert _kinds("Sure! Here is a reply to the customer: sorry.", Task.CUSTOMER_SERVICE) == {
        "assistant_chatter"
    }


def test_a_message_the_request_speaks_of_is_the_products_not_the_copys() -> None:
    facts = {"product": {"name": "Marberg Pad", "benefits": {"non-slip surface": "the phone will "
             "not slide off when a message buzzes"}}}  # fmt: skip
    assert _kinds("It stays put when a message buzzes.", facts=facts) == set()


def test_a_bracket_the_facts_contain_is_data_not_a_note() -> None:
    facts = {"product": {"name": "Bookshelf [Oak Edition]"}}
    assert _kinds("The Bookshelf [Oak Edition] holds 80 books.", facts=facts) == set()
