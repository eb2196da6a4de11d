"""A pydantic field's type, range and choices in words: for error messages and option listings.

Generator options and settings word their problems the same way: "must be a whole number
from 1 to 32, got 0", "device 'tpu' is an unknown value" (with the valid values beside it).
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails


def explain(
    name: str, field: FieldInfo, error: ErrorDetails, value: object
) -> tuple[str, tuple[Any, ...] | None]:
    """The problem with `value` for field `name`, and the valid choices when there is a list."""
    if error["type"] == "value_error":  # a validator's own sentence
        return str(error["msg"]).removeprefix("Value error, "), None
    shown = "(hidden)" if field.repr is False else show(value)
    kind = value_kind(field.annotation)
    choices = literal_choices(field.annotation)
    if kind == "choice":
        return f"{name.replace('_', ' ')} {shown} is an unknown value", choices
    if kind == "bool":
        return f"must be true or false, got {shown}", ("true", "false")
    if kind in ("int", "float"):
        what = "a whole number" if kind == "int" else "a number"
        bounds = bounds_text(field)
        return f"must be {what}{' ' + bounds if bounds else ''}, got {shown}", None
    if kind == "str":
        if error["type"] == "string_too_short" and not value:
            return "must not be empty", None
        return f"must be text, got {shown}", None
    if kind == "list":
        return f"must be a list of text, got {shown}", None
    if field.description:
        return f"must be {field.description}, got {shown}", choices or None
    message = str(error["msg"])
    return f"{message[:1].lower()}{message[1:]}, got {shown}", choices or None


def show(value: object) -> str:
    """A value as a message quotes it, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _members(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, with Annotated and None stripped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        found: list[Any] = []
        for arg in get_args(annotation):
            found += _members(arg)
        return found
    return [] if annotation is type(None) else [annotation]


def _allows_none(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _allows_none(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return any(_allows_none(arg) for arg in get_args(annotation))
    return annotation is type(None)


def literal_choices(annotation: Any) -> tuple[Any, ...]:
    """The values a Literal annotation allows (several Literals in a union are joined)."""
    values: list[Any] = []
    for member in _members(annotation):
        if get_origin(member) is Literal:
            values += [v for v in get_args(member) if v not in values]
    return tuple(values)


def value_kind(annotation: Any) -> str:
    """'choice', 'bool', 'int', 'float', 'str', 'list' or 'other': how to word a bad value."""
    members = _members(annotation)
    if members and all(get_origin(m) is Literal for m in members):
        return "choice"
    if len(members) == 1 and members[0] in (bool, int, float, str):
        return str(members[0].__name__)
    if len(members) == 1 and get_origin(members[0]) in (list, tuple):
        return "list"
    return "other"


def type_name(annotation: Any) -> str:
    """A short name for a field's type: 'int', 'str | None', 'one' (of choices), 'any'."""
    if annotation is Any:
        return "any"
    names: list[str] = []
    for member in _members(annotation):
        if get_origin(member) is Literal:
            name = "one"
        else:
            name = getattr(member, "__name__", None) or str(member).replace("typing.", "")
        if name not in names:
            names.append(name)
    if _allows_none(annotation):
        names.append("None")
    return " | ".join(names)


def bounds_text(field: FieldInfo) -> str:
    """'from 1 to 32', '>= 0', '> 0, <= 60' or '' for a numeric field's declared range."""
    low: Any = None
    high: Any = None
    low_open = high_open = False
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low, low_open = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high, high_open = item.lt, True
    if low is not None and high is not None and not (low_open or high_open):
        return f"from {low} to {high}"
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high}")
    return ", ".join(parts)


def allowed_values(field: FieldInfo) -> str:
    """The choices ('of "cpu" | "cuda"') or range ('from 1 to 32') of a field, or ''."""
    choices = literal_choices(field.annotation)
    if choices:
        return "of " + " | ".join(toml_value(v) for v in choices)
    return bounds_text(field)


def toml_value(value: object) -> str:
    """A value as it is written in contentgen.toml ('(unset)' for None)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return "(unset)" if value is None else str(value)
