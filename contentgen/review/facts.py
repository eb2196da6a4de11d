"""The context beside the copy: a request's facts, which ones the copy uses, which it contradicts.

Product facts for marketing, the article for summaries, the customer message, order context and
policy for replies (any other task: its fact fields). A fact is *used* when the copy states its
value (the words, or one of its numbers); it is *contradicted* when the numbers, polarity or
policy checks of `contentgen.checks` find the copy saying otherwise ("PFAS-free" vs "made with
PFAS", a price of 89 EUR vs "only 9.99 EUR", a refund the policy rules out). Those checks are
pure Python, so this runs per page without loading a model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector
from contentgen.checks.number_claims import number_claims
from contentgen.checks.numbers import NumbersCheck
from contentgen.checks.polarity import PolarityCheck
from contentgen.checks.policy import PolicyCheck
from contentgen.checks.problems import Problem
from contentgen.types import Task

LONG_VALUE = 240  # longer facts (an article, a message) show folded and are not marked as used
SKU_KEYS = ("sku", "SKU", "product_id", "item_number", "article_number", "gtin", "ean", "mpn")
NAME_KEYS = ("name", "title")
# Request fields that route or steer generation; never facts.
_NOT_FACTS = frozenset(
    {"task", "error", "generator", "template", "params", "seed", "variants", "tone", "style",
     "method", "target_words", "channel", "n", "count"}
)  # fmt: skip
_PRICE_KEY = re.compile(r"price|cost|amount|fee|msrp|rrp|eur|usd|gbp", re.I)
_WORD = re.compile(r"[^\W\d_]{4,}")
_HEADINGS: dict[str, str] = {
    Task.MARKETING: "Product facts",
    Task.NEWS_SUMMARY: "Article",
    Task.CUSTOMER_SERVICE: "Customer message and policy",
}


@dataclass(frozen=True)
class FactLine:
    """One fact as shown beside the copy."""

    key: str
    value: str
    used: bool = False
    contradicted: str | None = None
    long: bool = False

    @property
    def label(self) -> str:
        """The key for people: "product.care_notes" reads "Care notes"."""
        last = self.key.rsplit(".", 1)[-1].replace("_", " ").strip()
        return last[:1].upper() + last[1:]


@dataclass(frozen=True)
class FactContext:
    """The facts of an output's request, marked against one text (the final, edited one)."""

    heading: str
    lines: tuple[FactLine, ...] = ()
    product_name: str | None = None
    sku: str | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def used(self) -> int:
        """How many facts the copy uses."""
        return sum(1 for line in self.lines if line.used)

    @property
    def contradicted(self) -> int:
        """How many facts the copy contradicts."""
        return sum(1 for line in self.lines if line.contradicted)


def fact_payload(payload: Mapping[str, Any], fact_fields: Sequence[str] | None) -> dict[str, Any]:
    """The facts in a stored request payload: the task's fact fields, else all non-routing keys."""
    if fact_fields:
        return {k: payload[k] for k in fact_fields if payload.get(k) not in (None, "", {}, [])}
    return {k: v for k, v in payload.items() if k not in _NOT_FACTS and v not in (None, "", {})}


def product_name(payload: Mapping[str, Any]) -> str | None:
    """The product's name (or title) of a marketing payload; the article title of a summary."""
    product = payload.get("product")
    if isinstance(product, Mapping):
        for key in NAME_KEYS:
            if isinstance(product.get(key), str) and product[key].strip():
                return str(product[key]).strip()
    title = payload.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else None


def product_sku(payload: Mapping[str, Any], row_key: str | None = None) -> str | None:
    """The product's SKU-like fact, else the batch row key when it is a real key (not '#3')."""
    product = payload.get("product")
    if isinstance(product, Mapping):
        for key in SKU_KEYS:
            value = product.get(key)
            if value not in (None, "") and not isinstance(value, Mapping | list):
                return str(value)
    if row_key and not row_key.startswith("#"):
        return row_key
    return None


def fact_leaves(value: Any, key: str) -> Iterator[tuple[str, str]]:
    """(dotted key, value as text) for every fact inside nested facts; flat lists as one value."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from fact_leaves(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            yield key, ", ".join(str(v) for v in value)
        else:
            for i, v in enumerate(value):
                yield from fact_leaves(v, f"{key}.{i + 1}")
    elif value is not None:
        yield key, str(value)


def _display_key(key: str, task: str) -> str:
    # "product.price" reads as "price" beside marketing copy: every fact there is the product's.
    return key.removeprefix("product.") if task == Task.MARKETING else key


def _numbers(text: str) -> set[Decimal]:
    return {v for c in number_claims(text, all_words=True) for v in c.values}


def _is_used(value: str, copy: str, copy_numbers: set[Decimal], copy_words: set[str]) -> bool:
    folded = value.casefold().strip()
    if len(folded) >= 3 and folded in copy:
        return True
    if _numbers(value) & copy_numbers:
        return True
    words = {w.casefold() for w in _WORD.findall(value)}
    return bool(words) and len(words) <= 8 and len(words & copy_words) * 2 >= len(words)


def _checks(task: str) -> list[Detector]:
    found: list[Detector] = [NumbersCheck()]
    if task == Task.MARKETING:
        found.append(PolarityCheck())
    if task == Task.CUSTOMER_SERVICE:
        found.append(PolicyCheck())
    return found


def fact_problems(item: EvalInput) -> list[Problem]:
    """What the numbers, polarity and policy checks find in `item` (no model is loaded)."""
    return [p for check in _checks(item.task) for p in check.problems(item)]


def _contradiction(key: str, value: str, problems: Sequence[Problem]) -> str | None:
    plain_key = key.casefold().replace("_", " ").replace("-", " ")
    plain_value = value.casefold().replace("-", " ")
    values = _numbers(value)
    for p in problems:
        if p.check == "polarity" and p.kind == "contradicted" and isinstance(p.limit, str):
            term = p.limit.casefold()
            if term in plain_key or term in plain_value:
                return f"the copy says “{p.evidence.strip()}”"
        elif p.kind in ("wrong_unit", "sign_dropped"):
            if {abs(v) for v in _numbers(p.evidence)} & {abs(v) for v in values}:
                return f"the copy writes {p.evidence}"
        elif _states_kind(p.kind, key, value):
            return f"the copy says {p.evidence}"
        elif p.check == "policy" and "policy" in plain_key:
            return f"the reply promises “{p.evidence.strip()[:80]}”"
    return None


def _states_kind(kind: str, key: str, value: str) -> bool:
    """Whether a fact states the kind of number the copy invented (a price, a percentage)."""
    if kind == "invented_price":
        return bool(_PRICE_KEY.search(key)) or _has_currency(value)
    return kind == "invented_percent" and "%" in value


def _has_currency(value: str) -> bool:
    return any(c.kind == "price" for c in number_claims(value))


def fact_context(
    task: str,
    payload: Mapping[str, Any],
    text: str,
    *,
    fields: Mapping[str, str] | None = None,
    channel: str | None = None,
    fact_fields: Sequence[str] | None = None,
    row_key: str | None = None,
) -> FactContext:
    """The facts of `payload` marked against `text` (the copy a reviewer is looking at)."""
    facts = fact_payload(payload, fact_fields)
    item = EvalInput(
        task=Task.parse(task),
        text=text,
        fields=dict(fields or {}),
        channel=channel,
        facts=facts,
        fact_fields=frozenset(fact_fields) if fact_fields else None,
    )
    problems = fact_problems(item) if text.strip() else []
    copy = text.casefold()
    copy_numbers = _numbers(text)
    copy_words = {w.casefold() for w in _WORD.findall(text)}
    lines = []
    for key, value in (leaf for k, v in facts.items() for leaf in fact_leaves(v, k)):
        shown = _display_key(key, task)
        if len(value) > LONG_VALUE:
            lines.append(FactLine(shown, value, long=True))
            continue
        lines.append(
            FactLine(
                shown,
                value,
                used=_is_used(value, copy, copy_numbers, copy_words),
                contradicted=_contradiction(key, value, problems),
            )
        )
    return FactContext(
        heading=_HEADINGS.get(task, "Request facts"),
        lines=tuple(lines),
        product_name=product_name(payload),
        sku=product_sku(payload, row_key),
        problems=tuple(problems),
    )


def merged_context(contexts: Sequence[FactContext]) -> FactContext:
    """One panel for several texts about the same facts (a compared pair): a fact counts as used,
    or contradicted, when any of the texts uses or contradicts it."""
    first = contexts[0]
    lines = []
    for i, line in enumerate(first.lines):
        same = [c.lines[i] for c in contexts if i < len(c.lines) and c.lines[i].key == line.key]
        lines.append(
            FactLine(
                line.key,
                line.value,
                used=any(x.used for x in same),
                contradicted=next((x.contradicted for x in same if x.contradicted), None),
                long=line.long,
            )
        )
    return FactContext(
        heading=first.heading,
        lines=tuple(lines),
        product_name=first.product_name,
        sku=first.sku,
        problems=tuple(p for c in contexts for p in c.problems),
    )
