"""The adversarial copy set (tests/data/adversarial_*.jsonl) as EvalInputs, prompts included.

Products carry traps (numbers in names, ranges, negative temperatures, "-free" facts, long and
instruction-like names, look-alike names, sale prices); each copy row is hand-written good copy
or a known-bad output labelled with the detector that must catch it and the trap it falls into;
a row may name the audience it was written for (else "general shoppers").
Prompts and few-shot examples are rendered from the built-in templates exactly as the engine
renders them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.channels import CHANNELS
from contentgen.safety.untrusted import clean_value
from contentgen.templates import TemplateLibrary
from contentgen.types import Task

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class CopyCase:
    """One labelled output: good copy, or bad copy with the detector and trap it belongs to."""

    id: str
    label: str
    request: str
    item: EvalInput
    detector: str | None = None
    trap: str | None = None


def _lines(name: str) -> list[dict[str, Any]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@cache
def products() -> dict[str, dict[str, Any]]:
    """The adversarial products by id."""
    return {p["id"]: p for p in _lines("adversarial_products.jsonl")}


@cache
def requests() -> dict[str, dict[str, Any]]:
    """The customer-service and news requests by id."""
    return {r["id"]: r for r in _lines("adversarial_requests.jsonl")}


@cache
def _library() -> TemplateLibrary:
    return TemplateLibrary.with_builtins()


def _variables(row: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The template id and the variables the engine would render it with (cleaned like it)."""
    if row["task"] == "marketing":
        channel = row["channel"]
        variables = {
            "product": products()[row["request"]]["product"],
            "audience": row.get("audience", "general shoppers"),
            "channel": channel,
            "tone": row.get("tone", "friendly"),
            "variants": 2,
            "spec": CHANNELS[channel].as_template_vars(),
        }
        return f"marketing/{channel}", clean_value(variables)
    request = requests()[row["request"]]
    if row["task"] == "customer_service":
        variables = {
            "message": request["message"],
            "context": request["context"],
            "policy": request["policy"] or "",
            "tone": "empathetic",
        }
        return "customer_service/reply", clean_value(variables)
    variables = {
        "article": request["article"],
        "title": request["title"],
        "target_words": 40,
        "style": request["style"],
    }
    return f"news_summary/{request['style']}", clean_value(variables)


@cache
def _prompt(row_key: str) -> tuple[str, dict[str, Any], tuple[tuple[str, str], ...]]:
    row = json.loads(row_key)
    template_id, variables = _variables(row)
    rendered = _library().render(template_id, variables)
    prompt = "\n".join(filter(None, [rendered.system, rendered.text]))
    return prompt, variables, rendered.examples


def _case(row: dict[str, Any]) -> CopyCase:
    key = {k: row[k] for k in ("task", "request", "channel", "audience", "tone") if k in row}
    prompt, variables, examples = _prompt(json.dumps(key, sort_keys=True))
    fields = row.get("fields", {})
    channel = row.get("channel")
    text = CHANNELS[channel].render(fields) if channel else row["text"]
    item = EvalInput(
        task=Task.parse(row["task"]),
        text=text,
        fields=fields,
        channel=channel,
        facts=variables,
        prompt=prompt,
        examples=examples,
    )
    return CopyCase(
        row["id"], row["label"], row["request"], item, row.get("detector"), row.get("trap")
    )


@cache
def cases() -> tuple[CopyCase, ...]:
    """Every labelled output of the set."""
    return tuple(_case(row) for row in _lines("adversarial_copy.jsonl"))


def good() -> list[CopyCase]:
    """The hand-written good copy."""
    return [c for c in cases() if c.label == "good"]


def bad() -> list[CopyCase]:
    """The known-bad outputs, each labelled with its detector."""
    return [c for c in cases() if c.label == "bad"]
