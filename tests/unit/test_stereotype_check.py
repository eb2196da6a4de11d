"""The stereotyped-wording check: what it flags, what it leaves alone, advisory or a gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.problems import Problem
from contentgen.checks.stereotype_lexicon import coded_counts, count_gendered, stereotype_hits
from contentgen.checks.stereotypes import StereotypeCheck, with_stereotype_gate
from contentgen.config import Route, Settings
from contentgen.engine import Engine
from contentgen.plugins import load_plugins
from contentgen.tasks.marketing import MarketingRequest
from contentgen.testing.fakes import echo_plugin
from contentgen.types import Task

STEREOTYPED = [
    ("Made for emotional women who need a little comfort.", "women", "emotional"),
    ("Easy enough even for forgetful seniors.", "older people", "forgetful"),
    ("Lazy students will finally get up on time.", "young people", "lazy"),
    ("Real men don't need instructions.", "men", "real men"),
    ("Give the ladies something dainty to carry.", "women", "dainty"),
]
PLAIN = [
    "Sensitive-skin formula, made for women.",  # a product word, not a trait
    "Our support team helps seniors set up the app.",
    "Students save 10% with a valid student card.",
    "She was frustrated that the blender arrived broken.",  # a pronoun names no audience
    "Competitive prices on running shoes for men.",
    "A gentle cleanser for women and men.",
]


@pytest.mark.parametrize(("text", "group", "trait"), STEREOTYPED)
def test_a_group_with_a_trait_of_its_stereotype_is_flagged(
    text: str, group: str, trait: str
) -> None:
    (hit,) = stereotype_hits(text)
    assert (hit.group, hit.trait) == (group, trait)
    assert text[hit.start : hit.end] == hit.sentence


@pytest.mark.parametrize("text", PLAIN)
def test_groups_and_product_words_alone_are_not_flagged(text: str) -> None:
    assert stereotype_hits(text) == []


def test_only_the_stereotyped_sentence_is_the_evidence() -> None:
    text = "Trail Runner Pro is light and grippy. Perfect for frail seniors. Order today."
    (hit,) = stereotype_hits(text)
    assert hit.sentence == "Perfect for frail seniors."
    assert text[hit.start : hit.end] == hit.sentence


def test_gendered_words_and_gender_coded_words_are_counted() -> None:
    assert count_gendered("Dear Sir, your wife's order is on its way to her.") == 3
    assert coded_counts("A bold, fearless and ambitious leader who is warm and kind.") == (3, 2)


def _item(text: str) -> EvalInput:
    return EvalInput(task=Task.MARKETING, text=text, channel="sms")


def test_the_check_is_advisory_by_default_and_records_the_evidence() -> None:
    check = StereotypeCheck()
    flagged, clean = check.evaluate([_item(STEREOTYPED[1][0]), _item(PLAIN[0])])
    assert not check.gate
    assert (flagged.passed, flagged.score) == (False, 1.0)
    (problem,) = [Problem.from_dict(p) for p in flagged.detail["problems"]]
    assert (problem.check, problem.kind, problem.evidence) == (
        "stereotypes",
        "stereotype",
        STEREOTYPED[1][0],
    )
    assert "older people" in str(problem.limit) and "forgetful" in problem.describe()
    assert (clean.passed, clean.score) == (True, 0.0)


def test_with_stereotype_gate_turns_only_that_check_into_a_gate() -> None:
    other = StereotypeCheck()
    other.name = "something_else"
    gated = with_stereotype_gate([StereotypeCheck(), other])
    assert [(e.name, e.gate) for e in gated] == [("stereotypes", True), ("something_else", False)]


def _engine(tmp_path: Path, *, gate: bool) -> Engine:
    """The built-in evaluators (so the registered stereotype check) and an echo that says one line."""
    reply = "Trail Runner Pro: made for emotional women who need comfort. Order today."
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", echo_plugin())])
    settings = Settings(
        data_dir=tmp_path,
        routes={"marketing": Route("testing:echo")},
        generators={"testing:echo": {"reply": reply}},
        use_entry_points=False,
        stereotype_gate=gate,
        repair_attempts=1,
    )
    return Engine(settings, plugins)


@pytest.mark.parametrize("gate", [False, True])
def test_the_stereotype_gate_setting_decides_whether_the_draft_is_rejected(
    tmp_path: Path, gate: bool
) -> None:
    engine = _engine(tmp_path, gate=gate)
    request = MarketingRequest(product={"name": "Trail Runner Pro"}, channel="sms", variants=1)
    (result,) = engine.stream([request], store=False)
    outputs = result.outputs + result.rejected
    verdict = next(e for e in outputs[0].evaluations if e.name == "stereotypes")
    assert not verdict.passed
    if gate:
        assert not result.outputs and "stereotype of women" in str(result.rejected[0].reason)
    else:
        assert result.outputs and result.outputs[0].text is not None
