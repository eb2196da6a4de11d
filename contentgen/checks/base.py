"""The evaluator contract: automatic checks run on every output and stored beside it."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from contentgen.types import Evaluation, Task, serves

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
    # The keys of `facts` that state facts (the task's `fact_fields`; the rest steer generation);
    # None when unknown: then every key but the well-known instruction ones.
    fact_fields: frozenset[str] | None = None
    # The template's few-shot turns as rendered (prompt, answer): what the model may copy from.
    examples: tuple[tuple[str, str], ...] = ()

    def fact_values(self, instructions: Collection[str] = ()) -> dict[str, Any]:
        """The facts an output may be grounded in (`instructions`: keys to drop when unknown)."""
        if self.fact_fields is not None:
            return {k: v for k, v in self.facts.items() if k in self.fact_fields}
        return {k: v for k, v in self.facts.items() if k not in instructions}


@runtime_checkable
class Evaluator(Protocol):
    """What an evaluator plugin provides.

    `name` is stored with every verdict; `tasks` limits where it runs (task names, or
    `contentgen.types.ALL_TASKS` for every text task, plugin tasks included); when `gate` is true a
    failed verdict rejects the output (it is stored as rejected with the reason, never returned).
    `evaluate` gets a batch and returns one Evaluation per input, in order.
    """

    name: str
    gate: bool

    @property
    def tasks(self) -> Collection[str]:
        """The task names the evaluator applies to (ALL_TASKS: every text task)."""
        ...

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """Judge each item; one Evaluation per item, in order."""
        ...


def run_evaluators(
    evaluators: Sequence[Evaluator], items: Sequence[EvalInput]
) -> list[list[Evaluation]]:
    """Run every applicable evaluator over `items`; returns the verdicts per item."""
    verdicts: list[list[Evaluation]] = [[] for _ in items]
    for evaluator in evaluators:
        indices = [i for i, item in enumerate(items) if serves(evaluator.tasks, item.task)]
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


def is_expensive(evaluator: Evaluator) -> bool:
    """True for an evaluator that runs a model (its optional `expensive` attribute)."""
    return bool(getattr(evaluator, "expensive", False))


def run_staged(
    evaluators: Sequence[Evaluator],
    items: Sequence[EvalInput],
    rejected: Sequence[bool] | None = None,
) -> list[list[Evaluation]]:
    """`run_evaluators`, cheap evaluators first; an expensive one only on items still passing.

    An item counts as rejected when `rejected` says so (a problem found before the checks) or
    when a gate has failed it; expensive evaluators (models) skip rejected items, so a model
    runs once per model batch on the survivors. Each item's verdicts keep `evaluators`' order.
    """
    out: list[dict[int, Evaluation]] = [{} for _ in items]
    failed = list(rejected) if rejected is not None else [False] * len(items)
    # Cheap checks first; among models, gates before scores, so scores skip what gates reject.
    order = sorted(
        range(len(evaluators)),
        key=lambda k: (is_expensive(evaluators[k]), not evaluators[k].gate),
    )
    for k in order:
        evaluator = evaluators[k]
        live = [i for i in range(len(items)) if not (is_expensive(evaluator) and failed[i])]
        if not live:
            continue
        found = run_evaluators([evaluator], [items[i] for i in live])
        for i, verdicts in zip(live, found, strict=True):
            for verdict in verdicts:
                out[i][k] = verdict
                failed[i] = failed[i] or (evaluator.gate and not verdict.passed)
    return [[verdicts[k] for k in sorted(verdicts)] for verdicts in out]


def failed_gates(evaluations: Sequence[Evaluation], gates: Mapping[str, bool]) -> list[Evaluation]:
    """The verdicts that failed and come from gating evaluators."""
    return [e for e in evaluations if not e.passed and gates.get(e.name, False)]
