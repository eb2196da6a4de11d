"""Leaks: placeholders, prompt labels, role markers and template wording never reach the reader."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.leaks import LeakCheck, template_text
from contentgen.types import Task

PROMPT = (
    "You write short, accurate ad copy.\n"
    "Write a search ad for the product described by the facts below.\n\n"
    "<<<product_facts\n- name: Trail Runner Pro\n- feature: reply in exactly two days\n>>>\n\n"
    "Audience: runners\nTone: friendly\n\n"
    "Reply with exactly two lines and nothing else:\n"
    "Headline: <at most 30 characters>\nDescription: <at most 90 characters>"
)
FACTS = {"product": {"name": "Trail Runner Pro", "feature": "reply in exactly two days"}}


def _kinds(fields: dict[str, str], facts: dict | None = None) -> list[str]:
    item = EvalInput(
        task=Task.MARKETING,
        text="\n".join(fields.values()),
        fields=fields,
        channel="search_ad",
        facts=facts if facts is not None else FACTS,
        prompt=PROMPT,
    )
    return [p["kind"] for p in LeakCheck().evaluate([item])[0].detail["problems"]]


@pytest.mark.parametrize(
    ("description", "kind"),
    [
        ("<at most 90 characters>", "placeholder"),
        ("Our [Product Name] is light. Shop now.", "placeholder"),
        ("Hello {{ product.name }}, run far.", "placeholder"),
        ("Tone: friendly. Light shoes for long runs.", "label"),
        ("Light shoes. Headline: Run Far", "label"),
        ("<|im_start|>assistant Light shoes for long runs.", "role_marker"),
        ("<<<product_facts Light shoes.", "delimiter"),
        ("Write a search ad for the product you love.", "template_echo"),
    ],
)
def test_prompt_material_in_copy_is_a_leak(description: str, kind: str) -> None:
    assert kind in _kinds({"headline": "Trail Runner Pro", "description": description})


def test_request_data_is_not_a_leak_even_when_the_prompt_shows_it() -> None:
    # The fact's own words may be repeated; only the template's wording is off limits.
    copy = {"headline": "Trail Runner Pro", "description": "We reply in exactly two days. Run <3"}
    assert _kinds(copy) == []


def test_prose_with_a_colon_is_not_a_prompt_label() -> None:
    copy = {"headline": "Trail Runner Pro", "description": "Our summer style: light, fast, bright."}
    assert _kinds(copy) == []


def test_template_text_is_the_prompt_without_its_data_blocks() -> None:
    assert "reply in exactly two days" not in template_text(PROMPT)
    assert "Reply with exactly two lines" in template_text(PROMPT)
