"""A generator's options as one pydantic model: validation, clear errors, and what to show users.

A generator declares `Options`, a pydantic model whose fields are its constructor keyword
arguments (types, ranges, `Literal` choices, descriptions); `GeneratorOptions` is a convenient
base (strict, frozen, unknown names refused). A generator that still declares only a plain
`options = {name: default}` dict gets a permissive model derived from it: any value, known
names only. Imported when a generator is built or described, never by `import contentgen`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic import ValidationError as PydanticValidationError

from contentgen.errors import ValidationError
from contentgen.field_text import allowed_values, explain, toml_value, type_name

if TYPE_CHECKING:
    from contentgen.generator import Generator


class GeneratorOptions(BaseModel):
    """A base for `Generator.Options`: unknown names refused, nothing coerced, values frozen.

    Strict because contentgen.toml gives real types: "16" is not a batch size and "true" is
    not a boolean. Paths are accepted where a field is `PathText`.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


def _path_to_text(value: object) -> object:
    return os.fspath(value) if isinstance(value, os.PathLike) else value


# A file or folder option: text, or a path object turned into text (what TOML and CLIs give).
PathText = Annotated[str, BeforeValidator(_path_to_text)]


@dataclass(frozen=True)
class OptionDoc:
    """One option as `contentgen generators --options` shows it."""

    name: str
    type: str
    default: Any
    required: bool
    allowed: str
    description: str


def option_defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Name -> default of every field (None for a required one), in declaration order."""
    return {
        field.alias or name: (
            None if field.is_required() else field.get_default(call_default_factory=True)
        )
        for name, field in model.model_fields.items()
    }


@cache
def options_model(cls: type[Generator]) -> type[BaseModel]:
    """The class's `Options`, or a model derived from its plain `options` dict.

    Derived: any value for a name of the dict. A dict that extends a typed parent's options
    (`{**Parent.options, "extra": 1}`) keeps the parent's model, and its types, for those names.
    """
    declared = getattr(cls, "Options", None)
    if declared is not None:
        return declared  # type: ignore[no-any-return]
    base = _typed_parent_options(cls)
    fields: dict[str, Any] = {}
    for i, (name, default) in enumerate(cls.options.items()):
        if base is not None and name in base.model_fields:
            inherited = copy.copy(base.model_fields[name])
            inherited.default = default
            fields[name] = (base.model_fields[name].annotation, inherited)
        elif _usable_field_name(name):
            fields[name] = (Any, default)
        else:  # "_seed", "json": a neutral field name, the option's name as its alias
            fields[f"option_{i}"] = (Any, Field(default, alias=name))
    doc = f"The options of {getattr(cls, 'id', cls.__name__)}, from its `options` dict."
    if base is not None:
        return create_model(  # type: ignore[call-overload,no-any-return]
            f"{cls.__name__}Options", __base__=base, __doc__=doc, **fields
        )
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{cls.__name__}Options",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=True),
        __doc__=doc,
        **fields,
    )


def _typed_parent_options(cls: type[Generator]) -> type[BaseModel] | None:
    """The nearest ancestor's `Options` when the class's dict holds all of its names."""
    for ancestor in cls.__mro__[1:]:
        declared = ancestor.__dict__.get("Options")
        if declared is not None:
            return declared if set(declared.model_fields) <= set(cls.options) else None
    return None


def _usable_field_name(name: str) -> bool:
    """Whether pydantic takes `name` as a field name as it is (no alias needed)."""
    return (
        name.isidentifier()
        and not name.startswith(("_", "model_"))
        and not hasattr(BaseModel, name)
    )


def option_values(options: BaseModel) -> dict[str, Any]:
    """Option name -> validated value (as given: nested values are not turned into dicts)."""
    fields = type(options).model_fields
    return {field.alias or name: getattr(options, name) for name, field in fields.items()}


def validate_options(cls: type[Generator], given: Mapping[str, Any]) -> BaseModel:
    """The validated options, or a ValidationError naming the option, the problem and the choices."""
    model = options_model(cls)
    generator_id = getattr(cls, "id", cls.__name__)
    known = _accepted_names(model)
    unknown = [name for name in given if name not in known]
    if unknown:  # checked here too, so a model without extra="forbid" still refuses typos
        raise ValidationError(
            f"generators.{generator_id}.{unknown[0]}",
            "is not an option of this generator",
            [field.alias or name for name, field in model.model_fields.items()],
        )
    try:
        return model.model_validate(dict(given))
    except PydanticValidationError as exc:
        raise _clear_error(generator_id, model, given, exc) from None


def describe_options(cls: type[Generator]) -> list[OptionDoc]:
    """Every option of the class: name, type, default, range or choices, and description."""
    docs = []
    for name, field in options_model(cls).model_fields.items():
        required = field.is_required()
        docs.append(
            OptionDoc(
                name=field.alias or name,
                type=type_name(field.annotation),
                default=None if required else field.get_default(call_default_factory=True),
                required=required,
                allowed=allowed_values(field),
                description=field.description or "",
            )
        )
    return docs


def _accepted_names(model: type[BaseModel]) -> set[str]:
    names = set(model.model_fields)
    names.update(f.alias for f in model.model_fields.values() if f.alias)
    return names


def _clear_error(
    generator_id: str,
    model: type[BaseModel],
    given: Mapping[str, Any],
    exc: PydanticValidationError,
) -> ValidationError:
    """Pydantic's first problem as contentgen's ValidationError, in the words contentgen uses."""
    error = exc.errors(include_url=False)[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    where = f"generators.{generator_id}" + (f".{name}" if name else "")
    by_name = {f.alias or n: f for n, f in model.model_fields.items()}
    field = by_name.get(name)
    if field is None:  # a check across options (a model validator) words its own problem
        return ValidationError(where, str(error["msg"]).removeprefix("Value error, "))
    problem, choices = explain(name, field, error, given.get(name, error.get("input")))
    return ValidationError(where, problem, choices)


def format_default(doc: OptionDoc) -> str:
    """The default as written in contentgen.toml, 'required' or '(unset)'."""
    return "required" if doc.required else toml_value(doc.default)


def docs_from_defaults(defaults: Mapping[str, Any]) -> Sequence[OptionDoc]:
    """Option docs for a factory that is not a Generator class: names and defaults only."""
    return [OptionDoc(n, "any", d, False, "", "") for n, d in defaults.items()]
