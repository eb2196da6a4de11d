"""The feedback report: numbers with intervals, a self-contained HTML page, the CLI."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from contentgen import MarketingRequest
from contentgen.checks.base import EvalInput
from contentgen.cli import cli
from contentgen.engine import Engine
from contentgen.feedback.intervals import mean_interval, wilson_interval
from contentgen.feedback.report import build_report, report_text
from contentgen.feedback.report_html import write_report
from contentgen.feedback.sim_world import sim_engine
from contentgen.types import ALL_TASKS, Evaluation
from contentgen.web import create_app

SCORES = [5, 4, 4, 2, 3, 5, 1, 4]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A database with bandit-routed, gated and rated outputs."""
    with sim_engine(tmp_path / "data") as engine:
        requests = [
            MarketingRequest(
                product={"name": f"Lamp {i}", "price": "20.99"},
                channel="social_post",
                variants=2,
                seed=i,
            )
            for i in range(4)
        ]
        outputs = [o for r in engine.generate_many(requests) for o in r.outputs]
        assert len(outputs) >= 6
        for output, score in zip(outputs, SCORES, strict=False):
            engine.rate(output.id, rater="ana", score=score, thumb="up" if score >= 4 else "down")
    return tmp_path / "data"


def test_report_numbers_match_the_ratings(data_dir: Path) -> None:
    with sim_engine(data_dir) as engine:
        report = build_report(engine.store, engine.settings)
        rated = engine.ratings()
        stored = engine.store.count("outputs")
    scores = [float(r.score) for r in rated if r.kind == "score"]
    ups = [r.thumb for r in rated if r.kind == "thumb"]
    (template,) = report.groups["template"]
    assert template.key == "marketing/social_post"
    assert template.score == mean_interval(scores)
    assert template.thumbs_up == wilson_interval(sum(ups), len(ups))
    assert sum(template.histogram) == len(scores)
    (channel,) = report.groups["channel"]
    assert channel.key == "social_post"
    price = [e for e in report.evaluators if e.name == "price_check"][0]
    assert price.passed.n == stored
    arms = {a.arm: a for a in report.arms}
    assert set(arms) == {"plain", "price", "benefit", "full"}
    # a rater's score and thumb on one output are one bandit observation, not two
    assert sum(a.successes + a.failures for a in arms.values()) == len(scores)
    assert sum(a.successes for a in arms.values()) == sum(ups)
    assert sum(a.pulls for a in arms.values()) == 4

    text = report_text(report)
    assert "marketing/social_post" in text
    assert template.score.format() in text and "%" in text
    assert "price_check" in text and "P(success)" in text


def test_html_report_is_self_contained_with_embedded_plots(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    with sim_engine(data_dir) as engine:
        write_report(engine.store, out, engine.settings)
    page = out.read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    # distribution + trend per template/generator/channel, evaluator pass rates, bandit beliefs
    assert len(images) == 8
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r'(src|href)="https?:', page), "no external resources"
    assert "Ratings by template" in page and "Bandit beliefs" in page and "Wilson" in page


def test_cli_report_writes_html_and_prints_the_summary(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text(f'data_dir = "{data_dir}"\n', encoding="utf-8")
    out = tmp_path / "cli-report.html"
    result = CliRunner().invoke(
        cli, ["--config", str(config), "report", "--out", str(out)], env={"CONTENTGEN_DATA_DIR": ""}
    )
    assert result.exit_code == 0, result.output
    assert "marketing/social_post" in result.output and f"wrote {out}" in result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


class AlwaysPasses:
    """A gating evaluator every output passes: a 100% pass rate in the report."""

    name = "always_passes"
    tasks = ALL_TASKS
    gate = True

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        return [Evaluation(name=self.name, passed=True) for _ in items]


@pytest.mark.parametrize("outputs", [1, 10])
def test_report_works_when_every_output_passes_every_check(
    engine: Engine, tmp_path: Path, outputs: int
) -> None:
    # The Wilson bound once came out as 0.9999999999999999 for 10 of 10: a negative error bar.
    engine.evaluators.append(AlwaysPasses())
    result = engine.generate(MarketingRequest(product={"name": "Lamp"}, variants=outputs, seed=1))
    assert len(result.outputs) == outputs
    for output in result.outputs:
        engine.rate(output.id, rater="ana", score=5, thumb="up")
    config = tmp_path / "contentgen.toml"
    config.write_text(f'data_dir = "{engine.settings.data_dir}"\n', encoding="utf-8")
    out = tmp_path / "report.html"
    ran = CliRunner().invoke(
        cli, ["--config", str(config), "report", "--out", str(out)], env={"CONTENTGEN_DATA_DIR": ""}
    )
    assert ran.exit_code == 0, ran.output
    assert re.search(r"always_passes\s+marketing\s+100% \[\d+%, 100%\]", ran.output), ran.output
    assert out.read_text(encoding="utf-8").count("data:image/png;base64,") >= 2

    with TestClient(create_app(engine), base_url="http://127.0.0.1") as client:
        page = client.get("/report/full")
    assert page.status_code == 200 and "always_passes" in page.text
