"""--map TARGET=SOURCE: how an input row's columns become a request, as its task's spec says.

Each task's `RowSpec` (contentgen/tasks/) names the request fields a same-named column fills
and the mapping field that collects `<field>.X` columns. For the built-in tasks:

marketing         every column is a product fact (renamed by --map, e.g. name=title); `audience`
                  and `tone` are request fields; the --key column is left out of the facts.
news_summary      article (required), title, target_words, style, method.
customer_service  message (required), policy, tone, and context.X for order facts (columns named
                  `context.X` are picked up by themselves).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from contentgen.batch.readers import InputRow, has_bad_bytes
from contentgen.errors import BatchError, ValidationError
from contentgen.tasks.spec import RowSpec, TaskSpec, int_fields
from contentgen.types import BaseRequest, Task

if TYPE_CHECKING:
    from contentgen.tasks.registry import TaskRegistry

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
    spec: TaskSpec | None = field(default=None, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        task: str | Task,
        mapping: Mapping[str, str] | Sequence[str] | None = None,
        *,
        key: str | None = None,
        max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
        tasks: TaskRegistry | None = None,
    ) -> RowMapping:
        """Parse TARGET=SOURCE pairs (or a dict); unknown targets name the valid ones.

        `tasks` is the engine's task registry (`engine.tasks`); without it, the built-in tasks.
        """
        spec = _registry(tasks).get(task)
        rows = _rows_of(spec, tasks)
        if isinstance(mapping, Mapping):
            raw = list(mapping.items())
        else:
            raw = []
            for pair in mapping or ():
                target, sep, source = pair.partition("=")
                if not sep or not target.strip() or not source.strip():
                    raise BatchError(f"--map expects TARGET=SOURCE (e.g. name=title), got {pair!r}")
                raw.append((target, source))
        pairs = tuple((_target(spec, rows, t.strip()), s.strip()) for t, s in raw)
        targets = [t for t, _ in pairs]
        if len(set(targets)) != len(targets):
            twice = sorted({t for t in targets if targets.count(t) > 1})[0]
            raise BatchError(f"--map gives {twice!r} more than one source column")
        if max_field_chars < 1:
            raise BatchError(f"--max-field-chars must be at least 1, got {max_field_chars}")
        return cls(Task(spec.name), pairs, key.strip() if key else None, max_field_chars, spec)

    @property
    def task_spec(self) -> TaskSpec:
        """The task's spec (the one `build` was given, else the built-in task's)."""
        return self.spec if self.spec is not None else _registry(None).get(self.task)

    @property
    def rows(self) -> RowSpec:
        """The task's row mapping."""
        return _rows_of(self.task_spec, None)

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
        rows = self.rows
        pairs = list(self.pairs)
        taken = {t for t, _ in pairs}
        used = {s for _, s in pairs} | ({self.key} if self.key else set())
        nested = rows.nested
        for column in values:
            if column in used:
                continue
            if (
                column in rows.fields
                and column not in taken
                or nested
                and column.startswith(nested + ".")
                and column not in taken
            ):
                pairs.append((column, column))
            elif rows.rest_to_nested and nested and f"{nested}.{column}" not in taken:
                pairs.append((f"{nested}.{column}", column))
        return pairs

    def request_data(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The request fields for one row; a bad value is a ValidationError naming its column."""
        rows = self.rows
        data: dict[str, Any] = {}
        nested = rows.nested
        for target, source in self.resolved(values):
            where = f"column {source!r}" + (f" (-> {target})" if target != source else "")
            if source not in values:
                raise ValidationError(where, "is missing from this row")
            value = values[source]
            if is_missing(value):
                if rows.required and target == rows.required[0]:
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
        if target in int_fields(self.task_spec.request_type):
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
            if target not in self.rows.long_fields and len(value) > self.max_field_chars:
                raise ValidationError(
                    where,
                    f"is {len(value)} characters; the limit is {self.max_field_chars} "
                    "(--max-field-chars)",
                )
        return value

    def _check_required(self, data: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        rows = self.rows
        if not rows.required or any(not is_missing(_lookup(data, t)) for t in rows.required):
            return
        first = rows.required[0]
        # A nested target is mapped by its bare name when every other column is a fact.
        hint = first.split(".", 1)[1] if rows.rest_to_nested and "." in first else first
        raise ValidationError(
            first.replace(".", " "),
            f"no {first.replace('.', ' ')} in this row; map one with --map {hint}=COLUMN",
            list(values),
        )

    def to_request(self, values: Mapping[str, Any], fixed: Mapping[str, Any]) -> BaseRequest:
        """A validated request: row data plus the job's fixed fields (channel, variants, seed)."""
        data = self.request_data(values)
        return self.task_spec.build_request({**data, **fixed})

    def describe(self) -> list[str]:
        """Human-readable 'target <- column' lines for --dry-run."""
        lines = [f"{t} <- {s}" for t, s in self.pairs]
        rows = self.rows
        if rows.rest_to_nested and rows.nested:
            lines.append(
                f"{rows.nested}.<column> <- every other column"
                + (f" except {self.key!r}" if self.key else "")
            )
        return lines


def _registry(tasks: TaskRegistry | None) -> TaskRegistry:
    if tasks is not None:
        return tasks
    from contentgen.tasks.registry import builtin_tasks

    return builtin_tasks()


def _rows_of(spec: TaskSpec, tasks: TaskRegistry | None) -> RowSpec:
    """The task's row mapping; a task without one cannot run as a batch job."""
    if spec.row_mapping is None:
        batchable = [t.name for t in _registry(tasks) if t.row_mapping is not None]
        raise BatchError(
            f"batch jobs run text tasks; {spec.name!r} is not one (valid: {', '.join(batchable)})"
        )
    return spec.row_mapping


def _target(spec: TaskSpec, rows: RowSpec, target: str) -> str:
    nested = rows.nested
    if target in rows.fields or (
        nested and target.startswith(nested + ".") and len(target) > len(nested) + 1
    ):
        return target
    if rows.rest_to_nested and nested and "." not in target:
        return f"{nested}.{target}"
    valid = [*rows.fields, f"{nested}.NAME"] if nested else list(rows.fields)
    raise BatchError(
        f"--map target {target!r} is not a field of a {spec.name} request "
        f"(valid: {', '.join(valid)})"
    )


def _lookup(data: Mapping[str, Any], target: str) -> Any:
    """The value a dotted target ('product.name') has in request data, or None."""
    head, _, rest = target.partition(".")
    value = data.get(head)
    if rest:
        return value.get(rest) if isinstance(value, Mapping) else None
    return value
