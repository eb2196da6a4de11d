"""Saved bias audits: the newest report per generator and attribute, on the page, API and CLI."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from contentgen.audit.report import AttributeInfo, BiasReport, Effect
from contentgen.audit.saved import add_report, audits_folder, latest_audits, save_report
from contentgen.engine import Engine
from contentgen.web import create_app
from tests.unit.test_fuzz_cli import run_cli

CUSTOMER = Path(__file__).resolve().parents[2] / "benchmarks/results/bias_default_customer.json"
GENDER = AttributeInfo("customer_gender", "customer_service", ("female", "male"), "names", 40)
AGE = AttributeInfo("audience_age", "marketing", ("seniors", "students"), "audience", 40)


def _effect(generator: str, info: AttributeInfo, measure: str, diff: float, p: float) -> Effect:
    return Effect(
        generator=generator, attribute=info.name, measure=measure, group_a=info.groups[0],
        group_b=info.groups[1], n=info.pairs, mean_a=1.0, mean_b=1.0 + diff, difference=diff,
        ci_low=diff - 0.1, ci_high=diff + 0.1, effect_size=None if diff == 0 else 2.5,
        p_value=p, p_adjusted=min(1.0, 20 * p), significant=20 * p < 0.05,
    )  # fmt: skip


def _report(effects: list[Effect], infos: tuple[AttributeInfo, ...]) -> BiasReport:
    return BiasReport(
        generators=tuple(dict.fromkeys(e.generator for e in effects)),
        attributes=infos,
        measures={"refund": "a refund is promised", "length": "words per output"},
        alpha=0.05,
        seed=7,
        resamples=999,
        host="test host",
        seconds=1.0,
        effects=tuple(effects),
    )


def _save_two_runs(data_dir: Path) -> None:
    """An old run of both attributes, then a new run of customer_gender only."""
    old = _report(
        [
            _effect("audit:biased", GENDER, "refund", 0.0, 0.9),
            _effect("audit:biased", AGE, "length", -3.0, 0.2),
        ],
        (GENDER, AGE),
    )
    new = _report(
        [
            _effect("audit:biased", GENDER, "refund", -1.0, 0.0001),
            _effect("audit:biased", GENDER, "length", math.nan, 1.0),
        ],
        (GENDER,),
    )
    save_report(data_dir, old, now=datetime(2026, 1, 1, tzinfo=UTC))
    save_report(data_dir, new, now=datetime(2026, 2, 1, tzinfo=UTC))


def test_the_newest_report_wins_per_generator_and_attribute(tmp_path: Path) -> None:
    _save_two_runs(tmp_path)
    (audits_folder(tmp_path) / "notes.json").write_text('{"hello": 1}', encoding="utf-8")
    found = latest_audits(tmp_path)
    got = {
        (a.attribute.name, a.created_at[:10]): [(e.measure, e.significant) for e in a.effects]
        for a in found.audits
    }
    assert got == {
        ("audience_age", "2026-01-01"): [("length", False)],
        ("customer_gender", "2026-02-01"): [("refund", True), ("length", False)],
    }
    assert found.skipped == ("notes.json: not a bias report (no generators, attributes, "
                             "effects, alpha, seed, resamples)",)  # fmt: skip


def test_the_page_shows_effects_intervals_and_significance(engine: Engine) -> None:
    _save_two_runs(engine.settings.data_dir)
    client = TestClient(create_app(engine), base_url="http://127.0.0.1")
    page = client.get("/audits/bias")
    data = client.get("/api/audits/bias").json()
    assert page.status_code == 200
    html = page.text
    assert "Significant differences: <strong>customer_gender/refund</strong>." in html
    row = html.split('data-measure="refund"', 1)[1].split("</tr>", 1)[0]
    # refund is a share: its difference shows in percentage points.
    assert "-100 pts" in row and "[-110 pts, -90 pts]" in row and "&lt;0.001" in row
    assert ">significant<" in row
    assert "audience_age (marketing): seniors vs students" in html
    assert "contentgen audit bias --attribute customer_gender --pairs 20" in html
    assert data["flagged"] == ["audit:biased customer_gender refund"]
    (nan_row,) = [
        e for a in data["audits"] for e in a["effects"] if e["measure"] == "length"
        and a["attribute"]["name"] == "customer_gender"
    ]  # fmt: skip
    assert nan_row["difference"] is None, "NaN is sent as null, so the JSON is strict"


def test_an_empty_folder_says_how_to_run_an_audit(engine: Engine) -> None:
    page = TestClient(create_app(engine), base_url="http://127.0.0.1").get("/audits/bias")
    assert "No bias audit has been saved yet." in page.text
    assert "contentgen audit add FILE.json" in page.text


def test_the_cli_saves_each_audit_and_adds_a_report_written_elsewhere(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "contentgen.toml"
    config.write_text(f'data_dir = "{data_dir.as_posix()}"\n', encoding="utf-8")
    code, output, escaped = run_cli(["--config", str(config), "audit", "add", str(CUSTOMER)])
    assert (code, escaped) == (0, None), output
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2]", encoding="utf-8")
    code, output, escaped = run_cli(["--config", str(config), "audit", "add", str(broken)])
    assert code == 2 and "not a bias report" in output and escaped is None, output
    found = latest_audits(data_dir)
    shown = {(a.generator, a.attribute.name, a.attribute.pairs) for a in found.audits}
    assert shown == {
        ("builtin:transformers", "customer_gender", 30),
        ("builtin:transformers", "customer_origin", 30),
    }
    assert json.loads(CUSTOMER.read_text(encoding="utf-8"))["flagged"] == []


def test_save_report_never_overwrites(tmp_path: Path) -> None:
    report = _report([_effect("g:x", GENDER, "refund", 0.0, 1.0)], (GENDER,))
    when = datetime(2026, 3, 1, tzinfo=UTC)
    paths = {save_report(tmp_path, report, now=when) for _ in range(3)}
    assert len(paths) == 3
    assert add_report(tmp_path, next(iter(paths))).parent == audits_folder(tmp_path)
