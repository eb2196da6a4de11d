"""The quality detectors on the adversarial set: every known-bad output caught, little good copy lost.

Each known-bad output names the detector that must reject it (recall must be 100% per detector);
each detector's false-positive rate on the hand-written good copy is reported and must stay at
or below 5%. The figures go to tests/.reliability/quality_checks.json for the README table.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from contentgen.checks.base import EvalInput, run_evaluators
from contentgen.checks.channels import CHANNELS
from contentgen.checks.defects import count_defects, find_defects
from contentgen.checks.detector import text_fields
from contentgen.checks.detectors import DETECTOR_NAMES, quality_detectors
from contentgen.types import Task
from tests.reliability_figures import record
from tests.unit.adversarial_set import CopyCase, bad, good, products

MAX_FALSE_POSITIVE_RATE = 0.05
ROOT = Path(__file__).resolve().parents[2]


def test_the_set_is_big_and_varied_enough_to_mean_something() -> None:
    catalogue = products()
    assert len(catalogue) >= 60
    assert len({p["category"] for p in catalogue.values()}) >= 12
    traps = Counter(t for p in catalogue.values() for t in p["traps"])
    for trap in (
        "name_number", "range", "negative_temperature", "free_fact", "long_name",
        "instruction_name", "lookalike_name", "sale_price",
    ):  # fmt: skip
        assert traps[trap] >= 1, trap
    assert len(good()) >= 100
    channels = {c.item.channel for c in good() if c.item.task == Task.MARKETING}
    assert channels == set(CHANNELS)
    assert {c.item.task for c in good()} == {
        Task.MARKETING, Task.CUSTOMER_SERVICE, Task.NEWS_SUMMARY,
    }  # fmt: skip
    assert {c.detector for c in bad()} == set(DETECTOR_NAMES)


@pytest.mark.parametrize("detector", DETECTOR_NAMES)
def test_every_known_bad_output_is_caught_by_its_detector(detector: str) -> None:
    cases = [c for c in bad() if c.detector == detector]
    found = find_defects([c.item for c in cases])
    missed = [
        (c.id, c.trap) for c, problems in zip(cases, found, strict=True)
        if detector not in {p.check for p in problems}
    ]  # fmt: skip
    assert missed == []


def test_every_fix_names_the_exact_span_it_replaces() -> None:
    # The engine edits a draft only where a fix's evidence still stands (drafts.edit_draft): a
    # fix whose evidence is wider or narrower than its span is never made.
    cases = bad()
    wrong = [
        (case.id, p.check, p.kind, p.evidence)
        for case, problems in zip(cases, find_defects([c.item for c in cases]), strict=True)
        for p in problems
        if p.fix is not None
        and text_fields(case.item).get(p.field, "")[p.start : p.end] != p.evidence
    ]
    assert wrong == []


def _verdicts(cases: list[CopyCase]) -> tuple[Counter[str], dict[str, list[str]]]:
    """How many outputs each detector judged (its tasks only), and the ids it rejected."""
    judged: Counter[str] = Counter()
    flagged: dict[str, list[str]] = {name: [] for name in DETECTOR_NAMES}
    verdicts = run_evaluators(quality_detectors(), [c.item for c in cases])
    for case, item_verdicts in zip(cases, verdicts, strict=True):
        for verdict in item_verdicts:
            judged[verdict.name] += 1
            if not verdict.passed:
                flagged[verdict.name].append(case.id)
    return judged, flagged


def test_false_positive_rate_on_good_copy_is_at_most_5_percent_per_detector() -> None:
    judged, flagged = _verdicts(good())
    rates = {name: len(flagged[name]) / judged[name] for name in DETECTOR_NAMES}
    caught = _caught()
    record(
        "quality_checks.json",
        {
            "products": len(products()),
            "good_outputs": len(good()),
            "bad_outputs": len(bad()),
            "detectors": {
                name: {
                    "bad": sum(1 for c in bad() if c.detector == name),
                    "caught": caught[name],
                    "good_judged": judged[name],
                    "false_positives": len(flagged[name]),
                    "false_positive_rate": round(rates[name], 4),
                }
                for name in DETECTOR_NAMES
            },
        },
    )
    over = {name: flagged[name] for name, rate in rates.items() if rate > MAX_FALSE_POSITIVE_RATE}
    assert over == {}


def _caught() -> Counter[str]:
    cases = bad()
    found = find_defects([c.item for c in cases])
    return Counter(
        c.detector
        for c, problems in zip(cases, found, strict=True)
        if c.detector in {p.check for p in problems}
    )


def test_count_defects_counts_outputs_per_detector_for_a_benchmark() -> None:
    counts = count_defects([c.item for c in bad()])
    assert set(counts) == {*DETECTOR_NAMES, "any"}
    assert counts["any"] == len(bad())
    for name in DETECTOR_NAMES:
        assert counts[name] >= sum(1 for c in bad() if c.detector == name)
    assert count_defects([c.item for c in good()[:20]])["any"] == 0
    json.dumps(counts)


def _template_examples() -> list[tuple[str, EvalInput]]:
    """The few-shot answers of every shipped template (built-in and the seasonal plugin)."""
    found = []
    for path in sorted(
        [*ROOT.glob("templates/*/*.j2"), *ROOT.glob("plugins/*/*/templates/*/*.j2")]
    ):
        task = path.parent.name
        if task == "image":
            continue
        meta = tomllib.loads(path.read_text(encoding="utf-8").split("+++")[1])
        channel = meta.get("channel")
        for example in meta.get("examples", []):
            facts = {k: v for k, v in example.items() if k != "answer"}
            if task == "news_summary":
                facts["style"] = path.stem
            fields = CHANNELS[channel].parse(example["answer"]) if channel else {}
            item = EvalInput(
                task=Task.parse(task),
                text=example["answer"],
                fields=fields,
                channel=channel,
                facts=facts,
            )
            found.append((path.name, item))
    return found


def test_the_templates_own_few_shot_answers_pass_every_detector() -> None:
    # Copy written by others, and what the model imitates: a detector rejecting it would teach
    # the model to fail, or be wrong.
    examples = _template_examples()
    assert len(examples) >= 9
    problems = find_defects([item for _, item in examples])
    failing = [
        (name, [p.describe() for p in found])
        for (name, _), found in zip(examples, problems, strict=True)
        if found
    ]
    assert failing == []
