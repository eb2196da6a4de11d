"""The quality benchmark's bookkeeping: held-out products, options, and the report's figures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.quality import heldout_products, parse_args, rejection_kinds
from benchmarks.quality_report import Cell, markdown, total
from contentgen.checks.detectors import DETECTOR_NAMES
from contentgen.checks.problems import Problem, verdict
from contentgen.errors import ValidationError
from contentgen.types import Evaluation, Output, Provenance, Task


def corpus(folder: Path) -> Path:
    """A briefs.jsonl with 3 categories (4 held-out briefs each) and train briefs between."""
    rows = [
        {"id": f"brief-{i:03d}", "category": ("audio", "baby", "garden")[i % 3],
         "audience": "shoppers", "product": {"name": f"Thing {i}"},
         "split": "heldout" if i % 2 else "train"}
        for i in range(24)
    ]  # fmt: skip
    (folder / "briefs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return folder


def test_products_are_held_out_and_drawn_in_turn_from_each_category(tmp_path: Path) -> None:
    picked = heldout_products(corpus(tmp_path), 5)
    assert [p["category"] for p in picked] == ["baby", "audio", "garden", "baby", "audio"]
    assert all(int(p["id"][-3:]) % 2 == 1 for p in picked)  # only held-out briefs
    with pytest.raises(ValidationError, match="only 12 held-out briefs, asked 13"):
        heldout_products(tmp_path, 13)
    with pytest.raises(ValidationError, match="does not exist"):
        heldout_products(tmp_path / "missing", 1)


def test_briefs_can_be_those_stating_benefits_or_facts_only(tmp_path: Path) -> None:
    folder = corpus(tmp_path)
    rows = [json.loads(line) for line in (folder / "briefs.jsonl").read_text().splitlines()]
    for row in rows[1::4]:  # six held-out briefs
        row["product"]["benefits"] = {"lid": "no spills"}
    (folder / "briefs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    stated = heldout_products(folder, 3, "stated")
    assert all(p["product"]["benefits"] == {"lid": "no spills"} for p in stated)
    plain = heldout_products(folder, 12, "facts-only")
    assert [p["id"] for p in plain] == [p["id"] for p in heldout_products(folder, 12)]
    assert not any("benefits" in p["product"] for p in plain)
    with pytest.raises(SystemExit):  # argparse names the choices on stderr
        parse_args(["--benefits", "some"])


def test_bad_options_name_the_valid_choices() -> None:
    with pytest.raises(ValidationError, match="unknown channel 'fax'.*'sms'"):
        parse_args(["--channels", "sms,fax"])
    with pytest.raises(ValidationError, match="unknown arm 'best'.*'base', 'tuned'"):
        parse_args(["--arms", "best"])
    assert parse_args(["--quick"]).products == 6


def test_the_report_totals_channels_and_lists_every_detector() -> None:
    sms = Cell(products=4, covered=3, asked=8, accepted=5, first_try=2, rejected=10,
               defective=1, defects=Counter({"truncation": 1}), wall_s=20.0, cpu_s=10.0)  # fmt: skip
    push = Cell(products=4, asked=8, rejected=12, wall_s=8.0, cpu_s=4.0)
    merged = total({"sms": sms, "push": push})
    assert (merged.products, merged.covered, merged.accepted, merged.rejected) == (8, 3, 5, 22)
    report = markdown(["# title"], {"base": {"sms": sms, "push": push}}, ["tuned arm: none"])
    assert (
        "| base | sms | 3/4 (75%) | 5/8 (62%) | 2/8 (25%) | 2.0 | 1/5 (20%) | truncation 1 "
        in report
    )
    assert "| base | push | 0/4 (0%) | 0/8 (0%) | 0/8 (0%) | - (none accepted) |" in report
    assert "| base | **all** | 3/8 (38%) | 5/16 (31%) |" in report
    assert "| 5.6 | 2.8 |" in report  # (20 + 8) s wall and (10 + 4) s CPU over 5 accepted
    for name in DETECTOR_NAMES:
        assert f"| {name} | " in report
    assert "| any | 1 of 5 |" in report and "- skipped: tuned arm: none" in report


def rejected_email(*evaluations: Evaluation) -> Output:
    """A rejected email draft carrying the given verdicts."""
    provenance = Provenance(generator_id="testing:echo", generator_version="1", model_id=None,
                            model_revision=None, template_id="marketing/email",
                            template_hash=None, params={}, seed=7, timings={})  # fmt: skip
    return Output(id="o1", request_id="r1", task=Task.MARKETING, index=0, text="Subject: Hi",
                  fields={"subject": "Hi"}, image_path=None, image_sha256=None,
                  status="rejected", reason="preheader is missing", provenance=provenance,
                  evaluations=evaluations)  # fmt: skip


def test_rejected_drafts_are_counted_by_the_gate_problems_that_rejected_them() -> None:
    missing = Problem("channel", "missing", "preheader", "")
    channel = verdict("channel", [missing, Problem("channel", "missing", "body", "")])
    price = verdict("numbers", [Problem("numbers", "invented_price", "body", "EUR 20")])
    advisory = Evaluation(name="readability", passed=False, detail={"reason": "hard to read"})
    draft = rejected_email(channel, price, advisory, verdict("repetition", []))
    kinds = rejection_kinds(draft, {"channel", "numbers", "repetition"})
    assert kinds == {"channel:missing", "numbers:invented_price"}  # a score is not a rejection
    email = Cell(products=2, asked=4, rejected=3,
                 rejections=Counter({"channel:missing": 3, "numbers:invented_price": 1}))  # fmt: skip
    report = markdown(["# title"], {"tuned": {"email": email}}, [])
    assert "| tuned | email | 3 | channel:missing 3, numbers:invented_price 1 |" in report
    assert Cell(rejections=Counter({"a:b": 1})).as_dict()["rejections"] == {"a:b": 1}
