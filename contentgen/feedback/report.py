"""The feedback report: ratings by template, generator and channel with confidence intervals,
evaluator pass rates and the bandit's beliefs, as terminal text or a self-contained HTML page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from contentgen.feedback.intervals import Estimate, mean_interval, wilson_interval

if TYPE_CHECKING:
    from contentgen.config import Settings
    from contentgen.feedback.bandit import ArmBelief
    from contentgen.storage.feedback import RatedRow
    from contentgen.storage.store import Store

GROUPS = ("template", "generator", "channel")


@dataclass(frozen=True)
class GroupSummary:
    """Ratings of one template, generator or channel."""

    by: str
    key: str
    score: Estimate
    thumbs_up: Estimate
    histogram: tuple[int, ...]


@dataclass(frozen=True)
class EvaluatorSummary:
    """One evaluator's pass rate on one task."""

    name: str
    task: str
    passed: Estimate


@dataclass(frozen=True)
class FeedbackReport:
    """Everything the report shows, computed once from the database."""

    generated_at: str
    outputs: int
    ratings: int
    groups: Mapping[str, tuple[GroupSummary, ...]]
    evaluators: tuple[EvaluatorSummary, ...]
    arms: tuple[ArmBelief, ...]
    rows: tuple[RatedRow, ...] = field(repr=False, default=())


def group_key(row: RatedRow, by: str) -> str:
    """The value of `by` for a rated row ('(none)' when unset)."""
    value = {"template": row.template_id, "generator": row.generator_id, "channel": row.channel}[by]
    return value or "(none)"


def summarise(rows: Sequence[RatedRow], by: str) -> tuple[GroupSummary, ...]:
    """Mean score (t), thumbs-up rate (Wilson), score histogram per group; most rated first."""
    scores: dict[str, list[float]] = defaultdict(list)
    thumbs: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        key = group_key(row, by)
        if row.kind == "score" and row.score is not None:
            scores[key].append(float(row.score))
        elif row.kind == "thumb" and row.thumb is not None:
            thumbs[key].append(bool(row.thumb))
    out = []
    for key in set(scores) | set(thumbs):
        values = scores.get(key, [])
        ups = thumbs.get(key, [])
        histogram = tuple(sum(1 for v in values if v == s) for s in range(1, 6))
        out.append(
            GroupSummary(
                by, key, mean_interval(values), wilson_interval(sum(ups), len(ups)), histogram
            )
        )
    return tuple(sorted(out, key=lambda g: (-(g.score.n + g.thumbs_up.n), g.key)))


def build_report(store: Store, settings: Settings | None = None) -> FeedbackReport:
    """Read ratings, verdicts and bandit state (refreshed from the ratings) into a report."""
    from contentgen.feedback.bandit import beliefs, refresh_arms
    from contentgen.storage.feedback import FeedbackStore

    feedback = FeedbackStore(store)
    rows = tuple(feedback.rated_rows())
    evaluators = tuple(
        EvaluatorSummary(name, task, wilson_interval(passed, total))
        for name, task, passed, total in feedback.evaluation_counts()
    )
    arms = tuple(beliefs(refresh_arms(store, settings.bandit_arms if settings else ())))
    return FeedbackReport(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        outputs=store.count("outputs"),
        ratings=store.count("ratings"),
        groups={by: summarise(rows, by) for by in GROUPS},
        evaluators=evaluators,
        arms=arms,
        rows=rows,
    )


def report_text(report: FeedbackReport, *, top: int = 10) -> str:
    """The report's numbers as plain text for the terminal."""
    lines = [
        f"feedback report ({report.generated_at}): "
        f"{report.outputs} outputs, {report.ratings} ratings",
        "mean score 1-5 with 95% t interval; thumbs-up and pass rates with 95% Wilson interval",
    ]
    for by, groups in report.groups.items():
        lines.append(f"\nby {by}:")
        if not groups:
            lines.append("  (no ratings yet)")
        for g in groups[:top]:
            lines.append(
                f"  {g.key:36.36} score {g.score.format():28} "
                f"thumbs up {g.thumbs_up.format(percent=True)}"
            )
    lines.append("\nevaluator pass rates:")
    if not report.evaluators:
        lines.append("  (no evaluator verdicts stored)")
    for e in report.evaluators:
        lines.append(f"  {e.name:18} {e.task:18} {e.passed.format(percent=True)}")
    lines.append(
        "\nbandit beliefs (Beta posterior of P(success), 95% credible interval; context = channel):"
    )
    if not report.arms:
        lines.append("  (no bandit arms configured or used)")
    lines += [arm_line(a) for a in report.arms]
    return "\n".join(lines)


def arm_line(arm: ArmBelief) -> str:
    """One arm as a line of text."""
    low, high = arm.interval()
    mean_score = f"{arm.mean_score:.2f}" if arm.mean_score is not None else "-"
    note = "" if arm.configured else "  (no longer configured)"
    return (
        f"  {arm.task:16} {arm.context:14} {arm.arm:16} "
        f"P(success) {arm.mean:.2f} [{low:.2f}, {high:.2f}] wins {arm.successes} "
        f"losses {arm.failures} pulls {arm.pulls} mean score {mean_score}{note}"
    )
