"""Problem records: structured evidence that round-trips through a stored Evaluation detail."""

from __future__ import annotations

import json

from contentgen.checks.problems import (
    EVIDENCE_CHARS,
    Problem,
    problem_detail,
    problems_from_detail,
    verdict,
)


def test_a_verdict_stores_its_problems_as_json_records_and_reads_them_back() -> None:
    problems = [
        Problem("numbers", "invented_price", "description", "10 EUR", limit="EUR", start=4, end=10),
        Problem("truncation", "dangling_word", "body", "so your child can"),
    ]
    stored = json.loads(json.dumps(dict(verdict("numbers", problems).detail)))
    assert problems_from_detail(stored) == problems
    assert stored["kinds"] == ["dangling_word", "invented_price"]
    assert "10 EUR" in stored["reason"]  # for people; code reads the records


def test_a_passing_verdict_has_no_problems_and_no_reason() -> None:
    passed = verdict("leaks", [])
    assert passed.passed and passed.score == 1.0
    assert passed.detail == {"problems": [], "kinds": []}


def test_evidence_is_a_span_not_a_copy_of_the_whole_output() -> None:
    long = Problem("repetition", "loop", "body", "non-slip " * 500)
    assert len(long.evidence) == EVIDENCE_CHARS


def test_details_that_hold_no_records_read_as_no_problems() -> None:
    assert problems_from_detail({"reason": "evaluator failed: boom"}) == []
    assert problems_from_detail({"problems": ["price '€5' is not in the facts"]}) == []
    assert problem_detail([], extra=1)["extra"] == 1
