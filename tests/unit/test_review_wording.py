"""Plain-language findings, blocking vs advisory, and the word diff of an edit (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contentgen.checks.problems import Problem, problem_detail
from contentgen.review.diff import word_diff
from contentgen.review.facts import fact_context
from contentgen.review.wording import WORDING, findings_of, sentence
from contentgen.types import Evaluation


@pytest.mark.parametrize(("check", "kind"), sorted(WORDING))
def test_every_table_entry_reads_as_a_finished_sentence(check: str, kind: str) -> None:
    problem = Problem(check or "numbers", kind, "headline", "9.99 EUR", limit=30, end=34)
    text = sentence(problem)
    assert text and text[0].isupper() and "{" not in text and "_" not in text.split(":")[0]


def test_the_issue_examples_read_as_a_marketer_would_say_them() -> None:
    assert sentence(Problem("numbers", "invented_price", "text", "10 EUR", limit="EUR")) == (
        "Mentions a price that is not in the product facts: 10 EUR"
    )
    assert sentence(Problem("channel", "too_long", "headline", "xy", limit=30, end=32)) == (
        "The headline is 32 characters long; the channel allows 30"
    )
    unknown = sentence(Problem("acme", "odd_thing", "text", "zap", limit=2))
    assert unknown == "Text: odd thing 'zap' (limit 2)", "unknown kinds fall back to describe()"


def test_gates_block_and_score_only_checks_advise() -> None:
    price = Problem("numbers", "invented_price", "text", "9.99 EUR")
    verdicts = (
        Evaluation(name="numbers", passed=False, score=0.0, detail=problem_detail([price])),
        Evaluation(
            name="readability",
            passed=False,
            score=0.2,
            detail={"flesch_reading_ease": 21.5, "minimum": 50},
        ),
        Evaluation(name="grounding", passed=True, score=0.75, detail={"unknown_names": ["Acme"]}),
        Evaluation(name="acme_check", passed=False, detail={"reason": "too salesy"}),
    )
    found = findings_of(verdicts, {"numbers": True, "readability": False})
    assert [f.sentence for f in found.blocking] == [
        "Mentions a price that is not in the product facts: 9.99 EUR"
    ]
    assert [f.sentence for f in found.advisory] == [
        "Hard to read: reading ease 21.5 (aim for 50 or more)",
        "Mentions names that are not in the facts: Acme",
        "Check “acme_check” did not pass: too salesy",  # unknown here, and the output was kept
    ]
    # A check this engine does not know blocks when the output was rejected at generation.
    assert not findings_of(verdicts[3:], {}, rejected=True).passed
    rejected = findings_of((), {}, rejected=True, reason="reranked out")
    assert [f.sentence for f in rejected.blocking] == ["Rejected when generated: reranked out"]


def test_facts_are_marked_used_and_contradicted_for_customer_replies_too() -> None:
    payload = {
        "message": "Where is my order?",
        "context": {"order": "A-1001", "eta": "Friday"},
        "policy": "No refunds on sale items.",
    }
    context = fact_context(
        "customer_service",
        payload,
        "Your order A-1001 arrives Friday, and we will refund you in full.",
        fact_fields=("message", "context", "policy"),
    )
    lines = {line.key: line for line in context.lines}
    assert lines["context.order"].used and lines["context.eta"].used
    assert lines["policy"].contradicted and "refund" in lines["policy"].contradicted
    assert context.heading == "Customer message and policy"


@given(st.text(max_size=60), st.text(max_size=60))
def test_the_word_diff_rebuilds_both_texts(original: str, edited: str) -> None:
    parts = word_diff(original, edited)
    assert "".join(p.text for p in parts if p.op != "ins") == original
    assert "".join(p.text for p in parts if p.op != "del") == edited
