"""A task's command-line options, derived from its request dataclass's fields and `cli_extras`.

Field types give the option types (int, float, text, a switch for bool, a choice for Literal or
`metadata["choices"]`); a mapping field becomes `--name KEY=VALUE` (repeatable) plus
`--name-json`. Metadata: "help", "choices", "json_help", and "cli" (another option spelling,
"argument" for a positional, None to leave the field out), with "flag" for a switch.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from contentgen.cli._common import parse_pairs
from contentgen.errors import ValidationError
from contentgen.tasks.spec import CliOption, TaskSpec, field_types

_CLICK_TYPES: dict[Any, Any] = {int: click.INT, float: click.FLOAT, str: click.STRING}


def extra_dest(option: str) -> str:
    """The keyword a `cli_extras` option arrives as: '--article-file' -> 'article_file'."""
    return option.lstrip("-").replace("-", "_")


def _option_name(f: dataclasses.Field[Any]) -> str | None:
    """The field's spelling on the command line ('argument' for a positional), None for none."""
    if "cli" in f.metadata:
        return f.metadata["cli"]  # type: ignore[no-any-return]
    return "--" + f.name.replace("_", "-")


def _unwrap(kind: Any) -> Any:
    """`int | None` -> int; other types as they are."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return kind


def _is_mapping(kind: Any) -> bool:
    origin = typing.get_origin(kind) or kind
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


def _own_fields(spec: TaskSpec) -> list[dataclasses.Field[Any]]:
    own = set(spec.field_names())
    return [f for f in dataclasses.fields(spec.request_type) if f.name in own]


def _filled_by_extra(spec: TaskSpec) -> set[str]:
    return {o.fills for o in spec.cli_extras if o.fills}


def field_params(spec: TaskSpec) -> list[click.Parameter]:
    """The click parameters of the task's request fields, positional arguments first."""
    kinds = field_types(spec.request_type)
    filled = _filled_by_extra(spec)
    arguments: list[click.Parameter] = []
    options: list[click.Parameter] = []
    for f in _own_fields(spec):
        name = _option_name(f)
        if name is None:
            continue
        kind = _unwrap(kinds[f.name])
        help_text = f.metadata.get("help")
        if name == "argument":
            required = not _has_default(f) and f.name not in filled
            arguments.append(click.Argument([f.name], required=required, type=_type(f, kind)))
        elif "flag" in f.metadata:
            options.append(click.Option([name, f.name], is_flag=True, help=help_text))
        elif _is_mapping(kind):
            options.append(
                click.Option(
                    [name, f.name],
                    multiple=True,
                    metavar="KEY=VALUE",
                    help=help_text or f"One {f.name} entry (repeat).",
                )
            )
            options.append(
                click.Option(
                    [f"{name}-json", f"{f.name}__json"],
                    help=f.metadata.get("json_help") or f"All of {f.name} as a JSON object.",
                )
            )
        elif kind is bool:
            default = f.default if f.default is not dataclasses.MISSING else False
            options.append(
                click.Option(
                    [f"{name}/--no-{name.removeprefix('--')}", f.name],
                    default=default,
                    show_default=True,
                    help=help_text,
                )
            )
        else:
            options.append(_scalar_option(f, name, kind, required=f.name not in filled))
    return [*arguments, *options]


def _type(f: dataclasses.Field[Any], kind: Any) -> Any:
    choices = f.metadata.get("choices")
    if choices is None and typing.get_origin(kind) is typing.Literal:
        choices = typing.get_args(kind)
    if choices is not None:
        return click.Choice([str(c) for c in choices])
    return _CLICK_TYPES.get(kind, click.STRING)


def _scalar_option(
    f: dataclasses.Field[Any], name: str, kind: Any, *, required: bool
) -> click.Option:
    default = f.default if f.default is not dataclasses.MISSING else None
    return click.Option(
        [name, f.name],
        type=_type(f, kind),
        default=default,
        show_default=default is not None,
        required=required and not _has_default(f),
        help=f.metadata.get("help"),
    )


def extra_params(spec: TaskSpec) -> list[click.Parameter]:
    """The click options of the task's `cli_extras`."""
    return [_extra_option(o) for o in spec.cli_extras]


def _extra_option(option: CliOption) -> click.Option:
    dest = extra_dest(option.name)
    if option.kind == "flag":
        return click.Option([option.name, dest], is_flag=True, help=option.help)
    kind: Any = click.STRING
    if option.kind == "input_file":
        kind = click.Path(exists=True, dir_okay=False, path_type=Path)
    elif option.kind == "output_file":
        kind = click.Path(dir_okay=False, path_type=Path)
    return click.Option([option.name, dest], type=kind, help=option.help)


def build_fields(spec: TaskSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """The request fields the given options set (defaults are left to the request type)."""
    kinds = field_types(spec.request_type)
    fields: dict[str, Any] = {}
    for f in _own_fields(spec):
        name = _option_name(f)
        if name is None:
            continue
        value = values.get(f.name)
        if "flag" in f.metadata and name != "argument":
            if value:
                fields[f.name] = f.metadata["flag"]
        elif _is_mapping(_unwrap(kinds[f.name])) and name != "argument":
            merged = _mapping_value(name, values.get(f"{f.name}__json"), value or ())
            if merged or not _has_default(f):
                fields[f.name] = merged
        elif value is not None:
            fields[f.name] = value
    for option in spec.cli_extras:
        value = values.get(extra_dest(option.name))
        if option.before is not None and value not in (None, False):
            option.before(value, fields)
    _require_filled(spec, fields)
    return fields


def _mapping_value(name: str, raw_json: str | None, pairs: tuple[str, ...]) -> dict[str, Any]:
    """A mapping option: the JSON object first, then KEY=VALUE pairs over it."""
    merged: dict[str, Any] = {}
    if raw_json:
        try:
            loaded = json.loads(raw_json)
        except ValueError:
            loaded = None
        if not isinstance(loaded, dict):
            raise ValidationError(f"{name}-json", 'must be a JSON object like {"name": "..."}')
        merged = loaded
    merged.update(parse_pairs(pairs, name))
    return merged


def _require_filled(spec: TaskSpec, fields: Mapping[str, Any]) -> None:
    """A required field an extra option can fill (e.g. --article or --article-file) is given."""
    for option in spec.cli_extras:
        if option.fills and not fields.get(option.fills):
            own = next(f for f in _own_fields(spec) if f.name == option.fills)
            if _has_default(own):
                continue
            name = _option_name(own) or option.fills
            raise ValidationError(name, f"give {name} or {option.name}")
