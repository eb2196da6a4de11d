"""Rendering the report: matplotlib figures (Agg, no pyplot) as base64 PNG in one HTML page, and
writing that page."""

from __future__ import annotations

import base64
import html
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.feedback.report import GROUPS, build_report, group_key, report_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from contentgen.config import Settings
    from contentgen.feedback.bandit import ArmBelief
    from contentgen.feedback.intervals import Estimate
    from contentgen.feedback.report import EvaluatorSummary, FeedbackReport, GroupSummary
    from contentgen.storage.feedback import RatedRow
    from contentgen.storage.store import Store

MAX_SERIES = 8
_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}th{background:#f3f3f3}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}
pre{background:#f7f7f7;padding:1rem;overflow:auto}
"""


def _figure(width: float = 8.0, height: float = 3.6) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def distribution_plot(groups: Sequence[GroupSummary], by: str) -> str | None:
    """Grouped bars: how many ratings of each score per group."""
    shown = [g for g in groups if g.score.n][:MAX_SERIES]
    if not shown:
        return None
    figure = _figure()
    ax = figure.subplots()
    width = 0.8 / len(shown)
    for i, g in enumerate(shown):
        ax.bar(
            [s + (i - (len(shown) - 1) / 2) * width for s in range(1, 6)],
            g.histogram,
            width,
            label=g.key,
        )
    ax.set_xticks(range(1, 6))
    ax.set_xlabel("score")
    ax.set_ylabel("ratings")
    ax.set_title(f"Score distribution by {by}")
    ax.legend(fontsize="small")
    return _png(figure)


def _bucket(stamps: Sequence[datetime]) -> str:
    span = (max(stamps) - min(stamps)).total_seconds()
    return "%Y-%m-%d %H:00" if span < 3 * 86400 else "%Y-%m-%d" if span < 90 * 86400 else "%G-W%V"


def trend_plot(rows: Sequence[RatedRow], by: str, keys: Sequence[str]) -> str | None:
    """Mean score per time bucket (hour, day or week, by the data's span) for each group.

    When all ratings fall into fewer than three buckets (a fresh review round), the running mean
    over the ratings in the order they arrived is shown instead, so the trend is still visible.
    """
    scored = [
        (r, datetime.fromisoformat(r.created_at))
        for r in rows
        if r.kind == "score" and r.score is not None and r.created_at and group_key(r, by) in keys
    ]
    if not scored:
        return None
    fmt = _bucket([t for _, t in scored])
    series: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row, stamp in scored:
        series[group_key(row, by)][stamp.strftime(fmt)].append(row.score or 0)
    buckets = sorted({b for points in series.values() for b in points})
    figure = _figure()
    ax = figure.subplots()
    if len(buckets) >= 3:
        for key in keys:
            points = series.get(key)
            if points:
                xs = [buckets.index(b) for b in sorted(points)]
                ax.plot(
                    xs,
                    [sum(points[b]) / len(points[b]) for b in sorted(points)],
                    marker="o",
                    label=key,
                )
        ax.set_xticks(range(len(buckets)), buckets, rotation=30, ha="right", fontsize="small")
    else:
        for key in keys:
            values = [row.score or 0 for row, _ in scored if group_key(row, by) == key]
            running = [sum(values[: i + 1]) / (i + 1) for i in range(len(values))]
            ax.plot(range(1, len(values) + 1), running, label=key)
        ax.set_xlabel("ratings so far (in arrival order)")
    ax.set_ylim(1, 5)
    ax.set_ylabel("mean score")
    ax.set_title(f"Score trend by {by}")
    ax.legend(fontsize="small")
    return _png(figure)


def error_bar(estimate: Estimate) -> tuple[float, float]:
    """Lengths below and above the value for matplotlib's xerr/yerr: never negative."""
    if estimate.value is None:
        return 0.0, 0.0
    value = estimate.value
    low = value if estimate.low is None else estimate.low
    high = value if estimate.high is None else estimate.high
    return max(0.0, value - low), max(0.0, high - value)


def evaluator_plot(evaluators: Sequence[EvaluatorSummary]) -> str | None:
    """Horizontal bars of pass rates with Wilson intervals."""
    shown = [e for e in evaluators if e.passed.value is not None]
    if not shown:
        return None
    figure = _figure(8.0, 0.45 * len(shown) + 1.2)
    ax = figure.subplots()
    values = [e.passed.value or 0.0 for e in shown]
    below, above = zip(*(error_bar(e.passed) for e in shown), strict=True)
    ax.barh(
        [f"{e.name} ({e.task})" for e in shown],
        values,
        xerr=[list(below), list(above)],
        capsize=3,
        color="#4c9a6a",
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel("pass rate (95% Wilson interval)")
    ax.set_title("Evaluator pass rates")
    return _png(figure)


def bandit_plot(arms: Sequence[ArmBelief]) -> str | None:
    """Beta posterior densities of every arm, one panel per task and channel."""
    if not arms:
        return None
    import numpy as np
    from scipy.stats import beta

    panels: dict[str, list[ArmBelief]] = defaultdict(list)
    for arm in arms:
        panels[f"{arm.task} / {arm.context}"].append(arm)
    names = sorted(panels)[:6]
    figure = _figure(8.0, 2.6 * len(names))
    axes = figure.subplots(len(names), 1, squeeze=False)[:, 0]
    xs = np.linspace(0.001, 0.999, 300)
    for ax, name in zip(axes, names, strict=True):
        for arm in panels[name]:
            ax.plot(xs, beta.pdf(xs, arm.alpha, arm.beta), label=f"{arm.arm} (pulls {arm.pulls})")
        ax.set_title(f"Bandit beliefs: {name}")
        ax.set_xlabel("P(success)")
        ax.legend(fontsize="small")
    return _png(figure)


def _img(data: str | None, alt: str) -> str:
    if data is None:
        return f"<p><em>{html.escape(alt)}: no data yet.</em></p>"
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(report: FeedbackReport) -> str:
    """The whole report as one HTML document with embedded images and no external resources."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>contentgen feedback report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>contentgen feedback report</h1>",
        f"<p>Generated {html.escape(report.generated_at)} from {report.outputs} outputs and "
        f"{report.ratings} ratings. Intervals are 95%: Student-t for mean scores, Wilson for "
        "thumbs-up and pass rates, equal-tailed Beta credible intervals for bandit arms.</p>",
    ]
    for by in GROUPS:
        parts += _group_section(report, by)
    parts.append("<h2>Evaluator pass rates</h2>")
    parts.append(
        _table(
            ["evaluator", "task", "pass rate [95% CI] (n)"],
            [(e.name, e.task, e.passed.format(percent=True)) for e in report.evaluators],
        )
    )
    parts.append(_img(evaluator_plot(report.evaluators), "evaluator pass rates"))
    parts += _bandit_section(report)
    parts.append(f"<h2>Summary</h2><pre>{html.escape(report_text(report))}</pre></body></html>")
    return "\n".join(parts)


def _group_section(report: FeedbackReport, by: str) -> list[str]:
    """Ratings by one grouping: table, score distribution and trend."""
    groups = report.groups[by]
    table = _table(
        [by, "mean score [95% CI] (n)", "thumbs up [95% CI] (n)", "scores 1..5"],
        [
            (
                g.key,
                g.score.format(),
                g.thumbs_up.format(percent=True),
                " / ".join(map(str, g.histogram)),
            )
            for g in groups
        ],
    )
    keys = [g.key for g in groups if g.score.n][:MAX_SERIES]
    return [
        f"<h2>Ratings by {by}</h2>",
        table,
        _img(distribution_plot(groups, by), f"score distribution by {by}"),
        _img(trend_plot(report.rows, by, keys), f"score trend by {by}"),
    ]


def _bandit_section(report: FeedbackReport) -> list[str]:
    """The bandit's beliefs per arm: table and posteriors."""
    header = ["task", "context", "arm", "P(success) [95% CrI]", "wins", "losses", "pulls"]
    rows = [
        (
            a.task,
            a.context,
            a.arm,
            f"{a.mean:.2f} [{a.interval()[0]:.2f}, {a.interval()[1]:.2f}]",
            a.successes,
            a.failures,
            a.pulls,
            "-" if a.mean_score is None else f"{a.mean_score:.2f}",
        )
        for a in report.arms
    ]
    return [
        "<h2>Bandit beliefs</h2>",
        _table([*header, "mean score"], rows),
        _img(bandit_plot(report.arms), "bandit posteriors"),
    ]


def write_report(store: Store, out: Path, settings: Settings | None = None) -> FeedbackReport:
    """Build the report and write it as one self-contained HTML file (plots embedded as PNG)."""
    report = build_report(store, settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(report), encoding="utf-8")
    return report
