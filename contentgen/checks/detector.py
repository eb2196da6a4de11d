"""The shared shape of a detector: a cheap gating evaluator that lists Problems per field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.channels import CHANNELS
from contentgen.checks.grounding import INSTRUCTION_KEYS
from contentgen.checks.problems import Problem, unique, verdict
from contentgen.types import TEXT_TASKS, Evaluation, Task

FACT_KEYS = ("features", "feature", "material", "materials", "certifications")
FREE_TEXT_FIELD = {Task.NEWS_SUMMARY: "summary", Task.CUSTOMER_SERVICE: "reply"}


class Detector:
    """Base class: subclasses set `name` (and `tasks`) and implement `problems(item)`.

    Detectors are pure Python over one output at a time (no model), so `evaluate` is a loop;
    every one gates, because each looks for a defect a reviewer would reject the copy for.
    """

    name: str = "detector"
    tasks: frozenset[Task] = TEXT_TASKS
    gate: bool = True

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item, in order; the detail holds the Problem records."""
        return [verdict(self.name, unique(self.problems(item))) for item in items]

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every defect this detector finds in one output."""
        raise NotImplementedError

    def problem(self, kind: str, field: str, evidence: str, **more: Any) -> Problem:
        """A Problem of this detector."""
        return Problem(check=self.name, kind=kind, field=field, evidence=evidence, **more)


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (long word lists stay readable)."""
    return frozenset(words.split())


def text_fields(item: EvalInput) -> dict[str, str]:
    """The output's fields: the channel's parsed fields, else the whole text under one name."""
    if item.fields:
        return {k: v for k, v in item.fields.items() if isinstance(v, str)}
    spec = CHANNELS.get(item.channel) if item.channel else None
    parsed = spec.parse(item.text) if spec is not None and len(spec.fields) > 1 else {}
    if parsed:  # a caller that passed the channel's text without its fields
        return parsed
    return {FREE_TEXT_FIELD.get(item.task, "text"): item.text}


def fact_values(item: EvalInput) -> dict[str, Any]:
    """The request's facts: its task's fact fields, else all but the variables that steer."""
    return item.fact_values(INSTRUCTION_KEYS)


def facts_by_key(product: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, text) for each feature, material and certification of the brief, in brief order."""
    for key in FACT_KEYS:
        value = product.get(key)
        values = value if isinstance(value, list | tuple) else [value]
        yield from ((key, v) for v in values if isinstance(v, str) and v.strip())


def fact_texts(product: Mapping[str, Any]) -> list[str]:
    """The product's features, materials and certifications, each once, in brief order."""
    return list(dict.fromkeys(text for _, text in facts_by_key(product)))


def product_facts(item: EvalInput) -> Mapping[str, Any]:
    """The product facts of a marketing request (empty for other tasks)."""
    product = item.facts.get("product")
    return product if isinstance(product, Mapping) else {}


def leaves(value: Any) -> list[str]:
    """Every string and number inside nested facts, as text (depth-first, no recursion)."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(reversed(list(item)))
        elif item is not None and not isinstance(item, bool):
            # str() refuses ints past 4,300 digits; Decimal prints any number of them.
            out.append(str(Decimal(item)) if isinstance(item, int) else str(item))
    return out
