"""The TaskSpec contract: everything the engine, the CLI and batch jobs need to know about a task.

A task is its snake_case name plus a `TaskSpec`, registered through the `register_tasks` hook
(contentgen's own tasks register through the built-in plugin the same way). The request type is
a frozen dataclass subclassing `BaseRequest`; each of its own fields becomes an option of
`contentgen generate TASK`, described by the field's metadata:

    field(default=..., metadata={"help": "...", "choices": (...), "cli": "--other-name"})

`"cli"` renames the option, makes the field a positional argument (`"argument"`) or leaves it
off the command line (None); with `"flag": VALUE` the option is a switch that sets VALUE. A
mapping field becomes a repeatable `--name KEY=VALUE` option plus `--name-json`.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import UnionType
from typing import TYPE_CHECKING, Any, Literal, Union

from contentgen.config import Route
from contentgen.errors import ValidationError
from contentgen.types import BaseRequest, Modality, Task

if TYPE_CHECKING:
    from contentgen.checks.channels import ChannelSpec
    from contentgen.registry import GeneratorRegistry
    from contentgen.routing import RoutePlan
    from contentgen.types import Result


@dataclass(frozen=True)
class RouteChoice:
    """A routing decision before parameters: which generator, and which fallback and when."""

    generator_id: str
    fallback_id: str | None
    check_fallback: bool = False  # also use the fallback when the checks reject every draft
    explicit: bool = False  # the request named the generator itself: it is never swapped


@dataclass(frozen=True)
class RowSpec:
    """How a batch row becomes a request of the task.

    A column named like one of `fields` fills that field (`--map TARGET=SOURCE` renames);
    columns named `<nested>.X` fill key X of the mapping field `nested`, and with
    `rest_to_nested` every other column does too (marketing: each column is a product fact).
    A row must give the first of `required` (an empty value is an error) or one of the others.
    `long_fields` are bounded by the request type itself rather than --max-field-chars.
    """

    fields: tuple[str, ...] = ()
    nested: str | None = None
    rest_to_nested: bool = False
    required: tuple[str, ...] = ()
    long_fields: frozenset[str] = frozenset()


CliKind = Literal["text", "flag", "input_file", "output_file"]


@dataclass(frozen=True)
class CliOption:
    """An option of `contentgen generate TASK` that no request field describes.

    `before(value, fields)` fills request fields from the option (e.g. read a file; then the
    field named by `fills` need not be given itself); `after(value, result)` acts on the result
    (e.g. write a contact sheet) and returns a line to print, or None.
    """

    name: str
    help: str
    kind: CliKind = "text"
    fills: str | None = None
    before: Callable[[Any, dict[str, Any]], None] | None = None
    after: Callable[[Any, Result], str | None] | None = None


PlanHook = Callable[[Any, RouteChoice, "GeneratorRegistry"], RouteChoice]
PlanCheck = Callable[[Any, "RoutePlan", "GeneratorRegistry"], "RoutePlan"]


def field_types(request_type: type[BaseRequest]) -> dict[str, Any]:
    """Each request field's type, resolved from its annotation (the text, if it cannot be)."""
    try:
        hints = typing.get_type_hints(request_type)
    except Exception:  # an annotation naming something imported only for type checkers
        hints = {}
    return {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(request_type)}


# Resolving annotations cost more than the rest of a batch row's mapping: once per type.
_INT_FIELDS: dict[type[BaseRequest], frozenset[str]] = {}


def int_fields(request_type: type[BaseRequest]) -> frozenset[str]:
    """The request fields that hold whole numbers (text from a CSV cell is converted)."""
    known = _INT_FIELDS.get(request_type)
    if known is not None:
        return known
    found = set()
    for name, kind in field_types(request_type).items():
        options = typing.get_args(kind) if typing.get_origin(kind) in (Union, UnionType) else ()
        if kind is int or kind in ("int", "int | None") or int in options:
            found.add(name)
    _INT_FIELDS[request_type] = frozenset(found)
    return _INT_FIELDS[request_type]


def no_template(request: Any) -> str | None:
    """The default for tasks whose requests render no template (the prompt is the request's)."""
    return None


def free_text(request: Any) -> ChannelSpec | None:
    """The default output spec: free text, no structured fields."""
    return None


@dataclass(frozen=True, kw_only=True)
class TaskSpec:
    """One task: its request type, default route and template, and how each stage treats it.

    - `default_route`: the generator (and template, params, fallback) when nothing is configured.
    - `default_template(request)`: the template id a request renders when none is chosen.
    - `variant_field`: the request field saying how many outputs to make (best-of-n widens it).
    - `redacted_fields`: template variables redacted as personal data before prompt and storage.
    - `fact_fields`: the template variables the checks ground an output against.
    - `output_spec(request)`: the structured output fields (a ChannelSpec), or None for text.
    - `row_mapping`: how a batch row becomes a request (None: no batch jobs for this task).
    - `plan_hook(request, choice, registry)`: task-specific generator choice before parameters.
    - `plan_check(request, plan, registry)`: task-specific checks and parameters on the plan.
    - `cli_extras`: command-line options that no request field describes.
    - `cli_command(spec)`: builds `contentgen generate TASK` itself (a click command), for a
      task whose command does more than one request (default: built from the request fields).
    - `example`: a small valid request, as plain data (batch probes, contract tests, docs).
    """

    name: str
    request_type: type[BaseRequest]
    description: str
    default_route: Route
    example: Mapping[str, Any]
    modality: Modality = "text"
    default_template: Callable[[Any], str | None] = no_template
    variant_field: str | None = None
    redacted_fields: tuple[str, ...] = ()
    fact_fields: tuple[str, ...] = ()
    output_spec: Callable[[Any], ChannelSpec | None] = free_text
    row_mapping: RowSpec | None = None
    plan_hook: PlanHook | None = None
    plan_check: PlanCheck | None = None
    cli_extras: tuple[CliOption, ...] = field(default=())
    cli_command: Callable[[TaskSpec], Any] | None = None

    def __post_init__(self) -> None:
        where = f"task {self.name!r}"
        if Task.parse(self.name) != self.name:
            raise ValidationError(where, "task names are snake_case, e.g. 'data_report'")
        if not (isinstance(self.request_type, type) and issubclass(self.request_type, BaseRequest)):
            raise ValidationError(where, "request_type must subclass contentgen.types.BaseRequest")
        declared = getattr(self.request_type, "task", None)
        if not isinstance(declared, Task) or declared != self.name:
            raise ValidationError(
                where,
                f"{self.request_type.__name__} needs `task: ClassVar[Task] = Task({self.name!r})`",
            )
        own = self.field_names()
        named: list[str | None] = [self.variant_field]
        if self.row_mapping is not None:
            named += [*self.row_mapping.fields, self.row_mapping.nested]
        named += [o.fills for o in self.cli_extras if o.fills]
        unknown = [n for n in named if n is not None and n not in own]
        if unknown:
            raise ValidationError(where, f"names {unknown[0]!r}, not a request field", own)

    @property
    def command(self) -> str:
        """The CLI spelling of the task name: `contentgen generate news-summary`."""
        return self.name.replace("_", "-")

    def field_names(self) -> list[str]:
        """The request type's own fields (those beyond BaseRequest's routing fields)."""
        common = {f.name for f in dataclasses.fields(BaseRequest)}
        return [f.name for f in dataclasses.fields(self.request_type) if f.name not in common]

    def build_request(self, data: Mapping[str, Any]) -> BaseRequest:
        """A typed request from plain data; unknown and missing fields are clear errors."""
        cls = self.request_type
        names = {f.name for f in dataclasses.fields(cls)}
        if not isinstance(data, Mapping):
            raise ValidationError(
                "request", f"must be a mapping of field names, got {type(data).__name__}"
            )
        unknown = sorted(str(k) for k in set(data) - names - {"task"})
        if unknown:
            raise ValidationError(
                unknown[0], f"is not a field of a {self.name} request", sorted(names)
            )
        try:
            return cls(**{k: v for k, v in data.items() if k != "task"})
        except TypeError as exc:
            missing = [
                f.name
                for f in dataclasses.fields(cls)
                if f.name not in data
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
            ]
            if missing:
                raise ValidationError(
                    missing[0], f"is required for a {self.name} request"
                ) from None
            raise ValidationError("request", str(exc)) from None

    def facts(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        """The variables that state facts (what the checks ground an output against)."""
        return {k: variables[k] for k in self.fact_fields if k in variables}

    def check(self) -> None:
        """Validate the spec against its own example: it builds, and every named variable exists."""
        request = self.build_request(self.example)
        variables = request.variables()
        declared = (("redacted_fields", self.redacted_fields), ("fact_fields", self.fact_fields))
        for kind, names in declared:
            missing = [n for n in names if n not in variables]
            if missing:
                raise ValidationError(
                    f"task {self.name!r}.{kind}",
                    f"names {missing[0]!r}, not a template variable",
                    sorted(variables),
                )
