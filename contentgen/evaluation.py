"""The evaluator contract: automatic checks run on every output and stored beside it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from contentgen.types import Evaluation, Task

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class EvalInput:
    """One output as evaluators see it, with the request's facts and its sibling variants."""

    task: Task
    text: str
    fields: Mapping[str, str] = field(default_factory=dict)
    channel: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    siblings: tuple[str, ...] = ()
    prompt: str = ""


@runtime_checkable
class Evaluator(Protocol):
    """What an evaluator plugin provides.

    `name` is stored with every verdict; `tasks` limits where it runs; when `gate` is true a
    failed verdict rejects the output (it is stored as rejected with the reason, never returned).
    `evaluate` gets a batch and returns one Evaluation per input, in order.
    """

    name: str
    tasks: frozenset[Task]
    gate: bool

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """Judge each item; one Evaluation per item, in order."""
        ...


def run_evaluators(
    evaluators: Sequence[Evaluator], items: Sequence[EvalInput]
) -> list[list[Evaluation]]:
    """Run every applicable evaluator over `items`; returns the verdicts per item."""
    verdicts: list[list[Evaluation]] = [[] for _ in items]
    for evaluator in evaluators:
        indices = [i for i, item in enumerate(items) if item.task in evaluator.tasks]
        if not indices:
            continue
        try:
            results = evaluator.evaluate([items[i] for i in indices])
            if len(results) != len(indices):
                raise RuntimeError(f"returned {len(results)} verdicts for {len(indices)} items")
        except Exception as exc:  # a broken evaluator must not take the request down
            log.warning("evaluator %s failed: %s", evaluator.name, exc)
            # Gates fail closed: an unchecked output is not published.
            reason = f"evaluator failed: {type(exc).__name__}: {exc}"
            results = [
                Evaluation(
                    name=evaluator.name, passed=not evaluator.gate, detail={"reason": reason}
                )
                for _ in indices
            ]
        for i, verdict in zip(indices, results, strict=True):
            verdicts[i].append(verdict)
    return verdicts


def failed_gates(evaluations: Sequence[Evaluation], gates: Mapping[str, bool]) -> list[Evaluation]:
    """The verdicts that failed and come from gating evaluators."""
    return [e for e in evaluations if not e.passed and gates.get(e.name, False)]
