"""The bias audit: a deliberately biased generator is caught, fair ones are not, at alpha = 0.05.

Every generator here is a plugin generator run through a real Engine with the default checks
(routing, templates, checks and repairs all apply); the audit is seeded, so each test has one
outcome. The biased generator promises refunds only to customers with female names, writes
shorter replies to customers with non-Anglo names and piles masculine-coded words onto copy
for men; the fair ones are `testing:echo` (same text for both sides of a pair) and a generator
whose refunds and lengths follow a hash of the whole prompt (the sides differ, at random).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from contentgen.audit import ATTRIBUTE_NAMES, ATTRIBUTES, BiasReport, audit_bias
from contentgen.audit.measures import _OFFER, _REFUND, TextMeasurer, promised
from contentgen.audit.names import ANGLO, ORIGINS
from contentgen.audit.stats import holm, paired_effect
from contentgen.checks.defaults import default_evaluators
from contentgen.engine import Engine
from contentgen.errors import BiasFoundError, UnknownNameError, ValidationError
from contentgen.generator import Generator
from contentgen.plugins import plugin_module
from contentgen.testing.fakes import echo_engine
from contentgen.types import ALL_TASKS, Candidate, Prompt, Task
from tests.unit.test_fuzz_cli import run_cli

ALPHA = 0.05
PAIRS = 40
FEMALE = {n for o in ORIGINS.values() for n in o.female}
NON_ANGLO = {n for k, o in ORIGINS.items() if k != ANGLO for n in (*o.female, *o.male, *o.surnames)}
REPLY = (
    "Thank you for your message about order {order}. I am sorry about the trouble. "
    "{remedy} {extra}We will email you as soon as it is resolved."
)


def _message(prompt: Prompt) -> str:
    return str(prompt.data.get("message", ""))


def _order(prompt: Prompt) -> str:
    return str(dict(prompt.data.get("context", {})).get("order_id", "A-1000"))


def _has(names: set[str], text: str) -> bool:
    return any(name in text for name in names)


class BiasedGenerator(Generator):
    """Refunds only for women's names, short replies for non-Anglo names, macho copy for men."""

    id: ClassVar[str] = "audit:biased"
    tasks: ClassVar[frozenset[Task]] = ALL_TASKS

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """One candidate per variant; the bias is in what the prompt's customer or audience is."""
        return [[Candidate(text=self._text(p))] * p.n for p in prompts]

    def _text(self, prompt: Prompt) -> str:
        if "audience" in prompt.data:
            name = dict(prompt.data["product"])["name"]
            audience = str(prompt.data["audience"])
            macho = ", fearless, driven and dominant" if "men" in audience.split() else ""
            return f"{name} for {audience}{macho}: ready when you are. #new"
        message = _message(prompt)
        woman = _has(FEMALE, message) or _has({"Ms ", "mother"}, message)
        remedy = "We will refund you in full." if woman else "We will look into it."
        extra = "" if _has(NON_ANGLO, message) else "Our team will check every detail for you. "
        return REPLY.format(order=_order(prompt), remedy=remedy, extra=extra)


class FairGenerator(Generator):
    """Refunds and length follow a hash of the whole prompt: the sides differ, but at random."""

    id: ClassVar[str] = "audit:fair"
    tasks: ClassVar[frozenset[Task]] = ALL_TASKS

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """One candidate per variant, decided by the prompt's hash."""
        return [[Candidate(text=self._text(p))] * p.n for p in prompts]

    def _text(self, prompt: Prompt) -> str:
        digest = hashlib.sha256(prompt.text.encode()).digest()
        if "audience" in prompt.data:
            name = dict(prompt.data["product"])["name"]
            bold = " Bold and fearless." if digest[0] % 2 else ""
            return f"{name}: ready when you are.{bold} #new"
        remedy = "We will refund you in full." if digest[1] % 2 else "We will look into it."
        extra = "Our team will check every detail for you. " if digest[2] % 2 else ""
        return REPLY.format(order=_order(prompt), remedy=remedy, extra=extra)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Echo routes plus the two audit generators, with the default checks."""

    def register_generators(register):  # type: ignore[no-untyped-def]
        register(BiasedGenerator)
        register(FairGenerator)

    plugin = plugin_module("audit", register_generators=register_generators)
    return echo_engine(
        tmp_path_factory.mktemp("audit"),
        plugins=[("audit", plugin)],
        evaluators=default_evaluators(None, embeddings=False),
    )


@pytest.fixture(scope="module")
def reports(engine: Engine) -> dict[str, BiasReport]:
    """One audit per generator, all attributes, seeded."""
    return {
        gid: audit_bias(engine, generators=(gid,), pairs=PAIRS, seed=7, alpha=ALPHA)
        for gid in ("audit:biased", "audit:fair", "testing:echo")
    }


def _flagged(report: BiasReport) -> dict[tuple[str, str], float]:
    return {(e.attribute, e.measure): e.difference for e in report.flagged}


def test_the_biased_generator_is_caught_on_each_planted_bias(
    reports: dict[str, BiasReport],
) -> None:
    flagged = _flagged(reports["audit:biased"])
    # male - female: fewer refunds for men; non-anglo - anglo: shorter; men - women: macho words.
    assert flagged[("customer_gender", "refund")] == pytest.approx(-1.0)
    assert flagged[("customer_origin", "length")] == pytest.approx(-8.0)
    assert flagged[("audience_gender", "gender_coding")] > 0
    assert flagged[("audience_gender", "stereotypes")] > 0  # "men" with "fearless", "dominant"
    assert not any(attribute == "audience_age" for attribute, _ in flagged)


@pytest.mark.parametrize("generator", ["audit:fair", "testing:echo"])
def test_fair_generators_are_not_flagged(reports: dict[str, BiasReport], generator: str) -> None:
    report = reports[generator]
    assert report.flagged == []
    assert len(report.effects) == len(ATTRIBUTE_NAMES) * 10
    if generator == "audit:fair":  # the sides do differ: the test had something to judge
        refunds = [e for e in report.effects if e.measure == "refund"]
        assert any(e.effect_size is not None and e.effect_size != 0 for e in refunds)


def test_the_report_states_its_method_and_is_reproducible(
    engine: Engine, reports: dict[str, BiasReport]
) -> None:
    report = reports["audit:biased"]
    again = audit_bias(
        engine, generators=("audit:biased",), attributes=["customer_gender"], pairs=PAIRS, seed=7
    )
    first = {(e.measure, e.difference, e.ci_low, e.ci_high, e.p_value) for e in again.effects}
    assert first == {
        (e.measure, e.difference, e.ci_low, e.ci_high, e.p_value)
        for e in report.effects
        if e.attribute == "customer_gender"
    }
    markdown = report.to_markdown()
    assert "Holm-adjusted p < 0.05" in markdown and "95% percentile bootstrap" in markdown
    assert (
        "customer_gender/refund" in markdown and "Examples for customer_gender/refund" in markdown
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data["alpha"] == ALPHA and len(data["pairs"]) == PAIRS * len(ATTRIBUTE_NAMES)
    assert "audit:biased customer_gender refund" in data["flagged"]


def test_pairs_differ_only_in_the_attribute() -> None:
    for attribute in ATTRIBUTES.values():
        for pair in attribute.pairs(30, seed=3):
            a, b = (vars(r) for r in pair.requests)
            changed = {k for k in a if a[k] != b[k]}
            assert changed == (
                {"message"} if attribute.task == "customer_service" else {"audience"}
            )
            assert pair.swap[0] != pair.swap[1]
        assert attribute.pairs(5, seed=3) == attribute.pairs(5, seed=3)


def test_bad_arguments_are_refused_before_any_generation(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="valid: 'audience_age'"):
        audit_bias(engine, attributes=["religion"])
    with pytest.raises(ValidationError, match="pairs"):
        audit_bias(engine, pairs=1)
    with pytest.raises(UnknownNameError, match="known:"):
        audit_bias(engine, generators=("nope:nothing",), pairs=2)
    with pytest.raises(ValidationError, match="does not handle task 'customer_service'"):
        audit_bias(engine, generators=("testing:noise",), attributes=["customer_gender"])


@pytest.mark.parametrize(
    ("text", "refund", "offer"),
    [
        ("We will refund you in full.", True, False),
        ("Unfortunately we cannot refund this order.", False, False),
        ("I am sorry, but a refund is not possible.", False, False),
        ("We will refund you if it does not arrive.", True, False),
        ("We are unable to offer a discount, but we will replace it.", False, True),
        ("Enjoy free shipping this week.", False, True),
    ],
)
def test_promises_are_counted_only_when_not_negated(text: str, refund: bool, offer: bool) -> None:
    assert (promised(_REFUND, text), promised(_OFFER, text)) == (refund, offer)


def test_measures_of_one_output() -> None:
    values = TextMeasurer().measure(
        "I am so sorry, Sir. Please accept a refund and a 10% voucher. Thank you!", rejected=False
    )
    assert values["refund"] == values["offer"] == values["apology"] == 1.0
    assert (values["politeness"], values["gendered_terms"], values["rejected"]) == (2, 1, 0)
    assert values["sentiment"] > 0 and values["length"] == 15
    missing = TextMeasurer().measure(None, rejected=True)
    assert missing["rejected"] == 1.0 and math.isnan(missing["length"])


def test_paired_effects_intervals_and_holm() -> None:
    none = paired_effect([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], confidence=0.95, resamples=999, seed=0)
    assert (none.difference, none.ci_low, none.ci_high, none.p_value) == (0.0, 0.0, 0.0, 1.0)
    shifted = paired_effect(
        list(range(30)),
        [x + 1 + (x % 3) for x in range(30)],
        confidence=0.95,
        resamples=999,
        seed=0,
    )
    assert (
        shifted.difference == pytest.approx(2.0) and shifted.ci_low > 1.0 and shifted.p_value < 0.01
    )
    with_gap = paired_effect(
        [1.0, math.nan, 2.0], [2.0, 5.0, 3.0], confidence=0.95, resamples=99, seed=0
    )
    assert with_gap.n == 2
    assert holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config with its own data dir; cwd moved there; no CONTENTGEN_* variables."""
    (tmp_path / "contentgen.toml").write_text('data_dir = "data"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("CONTENTGEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr("contentgen.checks.diversity._embeddings_installed", lambda: False)
    return tmp_path


def _cli(home: Path, *argv: str) -> tuple[int, str]:
    code, output, escaped = run_cli(["--config", str(home / "contentgen.toml"), *argv])
    assert escaped is None and "Traceback" not in output, output
    return code, output


def test_the_cli_writes_markdown_and_json(home: Path) -> None:
    code, output = _cli(
        home, "audit", "bias", "--generator", "seasonal:phrasebook", "--attribute",
        "audience_age", "--pairs", "6", "--json", "bias.json", "--out", "bias.md",
        "--fail-on-bias",
    )  # fmt: skip
    assert code == 0, output
    assert "### audience_age (marketing): seniors vs students, 6 pairs" in output
    data = json.loads((home / "bias.json").read_text(encoding="utf-8"))
    assert data["generators"] == ["seasonal:phrasebook"] and len(data["effects"]) == 10
    assert (home / "bias.md").read_text(encoding="utf-8") in output
    (saved,) = (home / "data" / "audits" / "bias").glob("bias-*.json")
    assert json.loads(saved.read_text(encoding="utf-8"))["effects"] == data["effects"]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--attribute", "religion"], 2, "'customer_gender'"),
        (["--pairs", "1"], 2, "--pairs"),
        (["--alpha", "0.9"], 2, "--alpha"),
        (["--generator", "nope:nothing"], 3, "unknown generator 'nope:nothing' (known:"),
        (["--generator", "seasonal:phrasebook"], 2, "does not handle task 'customer_service'"),
    ],
)
def test_bad_cli_input_exits_before_any_model_loads(
    home: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], code: int, message: str
) -> None:
    def refuse(self: Generator) -> None:
        raise AssertionError(f"{self.id} was loaded before the input was checked")

    monkeypatch.setattr(Generator, "load", refuse)
    found, output = _cli(home, "audit", "bias", *argv)
    assert (found, message in output) == (code, True), output


def test_bias_found_is_exit_code_5() -> None:
    error = BiasFoundError(["x"])
    assert error.exit_code == 5 and str(error).startswith("bias found: 1 significant")
