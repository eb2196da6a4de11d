"""Form: an email body in paragraphs that ends by asking, a tagged post, capitalised headlines."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.form import FormCheck, is_call_to_action
from contentgen.types import Task

OPENING = "Evenings deserve a softer light. The Nordlys Pendant Light is mouth-blown opal glass."


def _kinds(body: str, channel: str = "email") -> list[str]:
    fields = {"subject": "Softer evenings", "preheader": "Meet the Nordlys.", "body": body}
    item = EvalInput(task=Task.MARKETING, text=body, fields=fields, channel=channel)
    verdict = FormCheck().evaluate([item])[0]
    return [p["kind"] for p in (verdict.detail or {}).get("problems", [])]


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        (f"{OPENING} Its LED dims. It costs 79.90 EUR. Order yours today.", ["one_block"]),
        (f"{OPENING}\n\nIts LED dims. It costs 79.90 EUR.", ["no_call_to_action"]),
        (f"{OPENING}\n\nA 2-year warranty comes as standard.", ["no_call_to_action"]),
        (f"{OPENING} Its LED dims. It is €79. Sweet dreams!", ["one_block", "no_call_to_action"]),
    ],
)
def test_a_wall_of_text_or_a_body_that_asks_nothing_is_named(body: str, kinds: list[str]) -> None:
    assert _kinds(body) == kinds


@pytest.mark.parametrize(
    "body",
    [
        f"{OPENING}\n\nIts LED dims. It costs 79.90 EUR. Order yours today.",
        f"{OPENING}\n\nIt is €79. Go on, treat yourself.",
        f"{OPENING}\n\nIt is €79. Don't miss it.",
        f"{OPENING}\n\nIt is €79. Find it in our online shop. Sweet dreams!",
        f"{OPENING}\n\nYour basket is waiting.",
        f"{OPENING}\n\nIt's time to upgrade your evenings.",
        "Short and sweet. Order today.",  # three sentences or fewer need no break
    ],
)
def test_paragraphs_ending_with_a_call_to_action_pass(body: str) -> None:
    assert _kinds(body) == []


def test_only_an_email_body_is_judged() -> None:
    assert _kinds(f"{OPENING} Its LED dims. It is €79.", channel="product_description") == []
    assert not is_call_to_action("The lamp costs 79 EUR.")
    assert is_call_to_action("Add it to your basket.")


def _channel_kinds(channel: str, fields: dict[str, str]) -> list[str]:
    item = EvalInput(task=Task.MARKETING, text="\n".join(fields.values()), fields=fields,
                     channel=channel)  # fmt: skip
    return [p["kind"] for p in (FormCheck().evaluate([item])[0].detail or {}).get("problems", [])]


def test_a_post_without_a_hashtag_and_a_lower_case_headline_are_named() -> None:
    post = "The Gordon Vector USB-C Hub has a 4K HDMI output. Order today."
    assert _channel_kinds("social_post", {"post": post}) == ["no_hashtag"]
    assert _channel_kinds("social_post", {"post": post + " #desksetup"}) == []
    ad = {"headline": "linen shirts in burgundy", "description": "Marvik linen shirts. Shop now."}
    assert _channel_kinds("search_ad", ad) == ["lowercase_headline"]
    for headline in ("25% off the Brae Case", "iPhone Cases by Brae", "Linen Shirts at €119"):
        assert _channel_kinds("search_ad", {**ad, "headline": headline}) == []


EARBUDS = {"name": "Barker Cadence Wireless Earbuds", "brand": "Barker",
           "features": ["wireless charging case", "active noise cancelling"],
           "certifications": ["CE marked"]}  # fmt: skip


def _capitals(fields: dict[str, str], channel: str = "product_description") -> list[str]:
    item = EvalInput(task=Task.MARKETING, text=" ".join(fields.values()), fields=fields,
                     channel=channel, facts={"product": EARBUDS})  # fmt: skip
    return [p.evidence for p in FormCheck().problems(item) if p.kind == "stray_capital"]


def test_a_fact_word_capitalised_inside_a_sentence_is_a_stray_capital() -> None:
    text = "With a wireless charging case, the Case tops up on a wireless charging pad."
    assert _capitals({"description": text}) == ["Case"]


@pytest.mark.parametrize(
    "text",
    [
        "The Barker Cadence Wireless Earbuds have a wireless charging case.",  # the name
        "Discover Barker. Case closed: it charges anywhere.",  # brand; a sentence start
        "It is CE marked, so it meets European safety requirements.",  # capitalised in the brief
        "Meet the Cadence, with active noise cancelling.",  # a name word, not a fact word
    ],
)
def test_names_sentence_starts_and_facts_the_brief_capitalises_are_left_alone(text: str) -> None:
    assert _capitals({"description": text}) == []


def test_a_headline_in_title_case_is_no_stray_capital() -> None:
    fields = {"headline": "Wireless Charging Case Earbuds", "description": "Tops up anywhere."}
    assert _capitals(fields, "search_ad") == []


def test_a_stray_capital_carries_its_lower_case_as_the_fix() -> None:
    text = "With a wireless charging case, the Case tops up on a wireless charging pad."
    item = EvalInput(task=Task.MARKETING, text=text, fields={"description": text},
                     channel="product_description", facts={"product": EARBUDS})  # fmt: skip
    (problem,) = [p for p in FormCheck().problems(item) if p.kind == "stray_capital"]
    assert (problem.start, problem.end, problem.fix) == (35, 39, "case")
    assert text[problem.start : problem.end] == "Case"
