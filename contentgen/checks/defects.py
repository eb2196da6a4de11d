"""Running the detectors outside the engine: defect counts for benchmarks and data checks.

A benchmark that runs a generator over the adversarial set builds one EvalInput per returned
output (task, text, parsed fields, channel, the request's prompt variables as facts, and the
rendered prompt and few-shot examples when it has them) and calls `count_defects`. (The engine's
`--method auto` summary fallback screens its drafts with the same detectors:
`contentgen.drafts.screen_drafts`.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from contentgen.checks.base import EvalInput, run_evaluators
from contentgen.checks.detector import Detector
from contentgen.checks.detectors import DETECTOR_NAMES, quality_detectors
from contentgen.checks.problems import Problem, problems_from_detail


def find_defects(
    items: Sequence[EvalInput], detectors: Sequence[Detector] | None = None
) -> list[list[Problem]]:
    """The Problems every detector finds in each item, in order (empty lists for clean copy)."""
    verdicts = run_evaluators(list(detectors or quality_detectors()), items)
    return [
        [p for v in item_verdicts if not v.passed for p in _records(v.name, v.detail)]
        for item_verdicts in verdicts
    ]


def _records(name: str, detail: object) -> list[Problem]:
    found = problems_from_detail(detail) if isinstance(detail, Mapping) else []
    # A detector that raised fails closed with only a reason: count it as one problem.
    return found or [Problem(name, "check_failed", "text", str(detail)[:200])]


def count_defects(
    items: Sequence[EvalInput], detectors: Sequence[Detector] | None = None
) -> dict[str, int]:
    """How many items each detector rejects, plus "any" (items with at least one defect)."""
    chosen = list(detectors or quality_detectors())
    counts = dict.fromkeys([d.name for d in chosen], 0)
    counts["any"] = 0
    for problems in find_defects(items, chosen):
        for name in {p.check for p in problems}:
            counts[name] = counts.get(name, 0) + 1
        counts["any"] += bool(problems)
    return counts


__all__ = ["DETECTOR_NAMES", "count_defects", "find_defects"]
