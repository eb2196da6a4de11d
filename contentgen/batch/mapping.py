"""--map TARGET=SOURCE: how an input row's columns become a request for each task.

marketing         every column is a product fact (renamed by --map, e.g. name=title); `audience`
                  and `tone` are request fields; the --key column is left out of the facts.
news_summary      article (required), title, target_words, style, method.
customer_service  message (required), policy, tone, and context.X for order facts (columns named
                  `context.X` are picked up by themselves).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contentgen.batch.readers import InputRow, has_bad_bytes
from contentgen.errors import BatchError, ValidationError
from contentgen.requests_io import request_from_dict
from contentgen.types import BaseRequest, Task

BATCH_TASKS: tuple[Task, ...] = (Task.MARKETING, Task.NEWS_SUMMARY, Task.CUSTOMER_SERVICE)
ROW_FIELDS: Mapping[Task, tuple[str, ...]] = {
    Task.MARKETING: ("audience", "tone"),
    Task.NEWS_SUMMARY: ("article", "title", "target_words", "style", "method"),
    Task.CUSTOMER_SERVICE: ("message", "policy", "tone"),
}
NESTED: Mapping[Task, str] = {Task.MARKETING: "product", Task.CUSTOMER_SERVICE: "context"}
REQUIRED: Mapping[Task, str] = {
    Task.MARKETING: "product.name",
    Task.NEWS_SUMMARY: "article",
    Task.CUSTOMER_SERVICE: "message",
}
INT_FIELDS = frozenset({"target_words"})
# Long fields are checked by the request types themselves (article 100k, message 20k characters).
LONG_FIELDS = frozenset({"article", "message", "policy"})
DEFAULT_MAX_FIELD_CHARS = 1000
# Deeper values are refused: storing and rendering them would exhaust Python's recursion limit.
MAX_DEPTH = 32


def is_missing(value: Any) -> bool:
    """No value: None, NaN, pandas' NA/NaT, blank text, an empty list or mapping.

    0, 0.0 and False are values: a Parquet `name = 0` or `in_stock = false` is a fact.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)  # a missing number in Parquet/pandas data
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, Mapping | list | tuple):
        return len(value) == 0
    return type(value).__name__ in ("NAType", "NaTType")  # pandas, without importing it


def _unstorable(value: Any) -> str | None:
    """Why a value cannot be stored as JSON: an infinite number, or nesting past MAX_DEPTH."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float | Decimal) and not is_missing(item) and math.isinf(item):
            return "is an infinite number; give a finite value or leave it empty"
        if isinstance(item, Mapping | list | tuple):
            if depth >= MAX_DEPTH:
                return f"nests lists or objects more than {MAX_DEPTH} levels deep"
            children = item.values() if isinstance(item, Mapping) else item
            stack.extend((child, depth + 1) for child in children)
    return None


@dataclass(frozen=True)
class RowMapping:
    """Which input column feeds which request field, for one task."""

    task: Task
    pairs: tuple[tuple[str, str], ...]
    key: str | None = None
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS

    @classmethod
    def build(
        cls,
        task: str | Task,
        mapping: Mapping[str, str] | Sequence[str] | None = None,
        *,
        key: str | None = None,
        max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
    ) -> RowMapping:
        """Parse TARGET=SOURCE pairs (or a dict); unknown targets name the valid ones."""
        task = Task.parse(task)
        if task not in BATCH_TASKS:
            raise BatchError(
                f"batch jobs run text tasks; {task.value!r} is not one "
                f"(valid: {', '.join(t.value for t in BATCH_TASKS)})"
            )
        if isinstance(mapping, Mapping):
            raw = list(mapping.items())
        else:
            raw = []
            for pair in mapping or ():
                target, sep, source = pair.partition("=")
                if not sep or not target.strip() or not source.strip():
                    raise BatchError(f"--map expects TARGET=SOURCE (e.g. name=title), got {pair!r}")
                raw.append((target, source))
        pairs = tuple((cls._target(task, t.strip()), s.strip()) for t, s in raw)
        targets = [t for t, _ in pairs]
        if len(set(targets)) != len(targets):
            twice = sorted({t for t in targets if targets.count(t) > 1})[0]
            raise BatchError(f"--map gives {twice!r} more than one source column")
        if max_field_chars < 1:
            raise BatchError(f"--max-field-chars must be at least 1, got {max_field_chars}")
        return cls(task, pairs, key.strip() if key else None, max_field_chars)

    @staticmethod
    def _target(task: Task, target: str) -> str:
        nested = NESTED.get(task)
        fields = ROW_FIELDS[task]
        if target in fields or (
            nested and target.startswith(nested + ".") and len(target) > len(nested) + 1
        ):
            return target
        if task is Task.MARKETING and "." not in target:
            return f"product.{target}"
        valid = [*fields, f"{nested}.NAME"] if nested else list(fields)
        raise BatchError(
            f"--map target {target!r} is not a field of a {task.value} request "
            f"(valid: {', '.join(valid)})"
        )

    def sources(self) -> list[str]:
        """The input columns --map names explicitly."""
        return [s for _, s in self.pairs]

    def check_columns(self, columns: Sequence[str] | None) -> None:
        """Fail before any work when a file's header lacks a mapped (or the key) column."""
        if columns is None:
            return
        wanted = self.sources() + ([self.key] if self.key else [])
        missing = [c for c in wanted if c not in columns]
        if missing:
            raise BatchError(
                f"column {missing[0]!r} is not in the input "
                f"(columns: {', '.join(columns) or '(none)'})"
            )

    def row_key(self, row: InputRow) -> str:
        """The row's stable key: the --key column's value, else its 1-based row number."""
        if self.key and row.values is not None:
            value = row.values.get(self.key)
            if not is_missing(value) and not has_bad_bytes(str(value)):
                return str(value).strip()[:200]
        return f"#{row.index + 1}"

    def key_problem(self, row: InputRow) -> str | None:
        """Why the --key column cannot identify this row, if it cannot."""
        if self.key and row.values is not None and is_missing(row.values.get(self.key)):
            state = "missing" if self.key not in row.values else "empty"
            return f"the key column {self.key!r} is {state}"
        return None

    def resolved(self, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(target, source) for this row: the explicit pairs plus same-named columns."""
        pairs = list(self.pairs)
        taken = {t for t, _ in pairs}
        used = {s for _, s in pairs} | ({self.key} if self.key else set())
        nested = NESTED.get(self.task)
        for column in values:
            if column in used:
                continue
            if (
                column in ROW_FIELDS[self.task]
                and column not in taken
                or nested
                and column.startswith(nested + ".")
                and column not in taken
            ):
                pairs.append((column, column))
            elif self.task is Task.MARKETING and f"product.{column}" not in taken:
                pairs.append((f"product.{column}", column))
        return pairs

    def request_data(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The request fields for one row; a bad value is a ValidationError naming its column."""
        data: dict[str, Any] = {}
        nested = NESTED.get(self.task)
        for target, source in self.resolved(values):
            where = f"column {source!r}" + (f" (-> {target})" if target != source else "")
            if source not in values:
                raise ValidationError(where, "is missing from this row")
            value = values[source]
            if is_missing(value):
                if target == REQUIRED[self.task] or target in ("article", "message"):
                    raise ValidationError(where, "is empty")
                continue  # an empty optional fact is simply left out
            value = self._convert(target, value, where)
            if nested and target.startswith(nested + "."):
                data.setdefault(nested, {})[target.split(".", 1)[1]] = value
            elif nested and target == nested and isinstance(value, Mapping):
                data.setdefault(nested, {}).update(value)
            else:
                data[target] = value
        self._check_required(data, values)
        return data

    def _convert(self, target: str, value: Any, where: str) -> Any:
        if target in INT_FIELDS:
            try:
                return int(str(value).strip())
            except ValueError:
                raise ValidationError(
                    where, f"expected a whole number, got {str(value)[:40]!r}"
                ) from None
        problem = _unstorable(value)
        if problem:
            raise ValidationError(where, problem)
        if not isinstance(value, str | int | float | bool | Mapping | list):
            value = str(value)  # dates, decimals from Parquet: stored and shown as text
        if isinstance(value, str):
            value = value.strip()
            if target not in LONG_FIELDS and len(value) > self.max_field_chars:
                raise ValidationError(
                    where,
                    f"is {len(value)} characters; the limit is {self.max_field_chars} "
                    "(--max-field-chars)",
                )
        return value

    def _check_required(self, data: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        required = REQUIRED[self.task]
        if self.task is Task.MARKETING:
            product = data.get("product", {})
            if all(is_missing(product.get(k)) for k in ("name", "title")):
                raise ValidationError(
                    "product name",
                    "no product name in this row; map one with --map name=COLUMN",
                    list(values),
                )
        elif required not in data:
            raise ValidationError(
                required,
                f"no {required} in this row; map one with --map {required}=COLUMN",
                list(values),
            )

    def to_request(self, values: Mapping[str, Any], fixed: Mapping[str, Any]) -> BaseRequest:
        """A validated request: row data plus the job's fixed fields (channel, variants, seed)."""
        data = self.request_data(values)
        return request_from_dict(self.task, {**data, **fixed})

    def describe(self) -> list[str]:
        """Human-readable 'target <- column' lines for --dry-run."""
        lines = [f"{t} <- {s}" for t, s in self.pairs]
        if self.task is Task.MARKETING:
            lines.append(
                "product.<column> <- every other column"
                + (f" except {self.key!r}" if self.key else "")
            )
        return lines
