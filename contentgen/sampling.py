"""Sampling parameters: the common ones as one typed model, plus those a generator declares.

Every request's `params` is checked twice, both times before any model loads: on construction
the common names (`SamplingParams`) are checked for type and range and every other value must be
plain JSON (it is stored in provenance); at routing, a name that is not common must be one the
chosen generator declares in `Generator.extra_params`, and its value must fit the declared type.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from contentgen.errors import ConfigError, ValidationError
from contentgen.limits import MAX_VARIANTS

MAX_TEMPERATURE = 5.0
MAX_NEW_TOKENS = 4096
MAX_TOP_K = 1_000_000
MAX_STOPS = 16
MAX_STOP_CHARS = 200

_Stop = Annotated[str, StringConstraints(min_length=1, max_length=MAX_STOP_CHARS)]
_STOP_TEXT = f"text or a list of at most {MAX_STOPS} texts, each 1 to {MAX_STOP_CHARS} characters"


class SamplingParams(BaseModel):
    """The sampling parameters every generator accepts, with their types and valid ranges.

    None only stands for "not given": `check_params` refuses an explicit None.
    """

    # Strict: "0.7" or True is not a temperature; nothing is coerced, so what is stored is what
    # was checked.
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    temperature: float | None = Field(
        None,
        ge=0,
        le=MAX_TEMPERATURE,
        description=f"a number from 0 (greedy) to {MAX_TEMPERATURE:g}",
    )
    top_p: float | None = Field(None, gt=0, le=1, description="a number above 0 and at most 1")
    top_k: int | None = Field(
        None, ge=0, le=MAX_TOP_K, description=f"a whole number from 0 (no limit) to {MAX_TOP_K}"
    )
    max_new_tokens: int | None = Field(
        None, ge=1, le=MAX_NEW_TOKENS, description=f"a whole number from 1 to {MAX_NEW_TOKENS}"
    )
    stop: (
        _Stop
        | Annotated[list[_Stop], Field(max_length=MAX_STOPS)]
        | Annotated[tuple[_Stop, ...], Field(max_length=MAX_STOPS)]
        | None
    ) = Field(None, description=_STOP_TEXT)
    best_of: int | None = Field(
        None,
        ge=1,
        le=MAX_VARIANTS,
        description=f"a whole number from 1 to {MAX_VARIANTS} (candidates per reranked output)",
    )
    fields: Literal["whole", "each"] | None = Field(
        None,
        description='"whole" (the answer at once) or "each" (a channel field by field)',
    )
    bandit_arm: str | None = Field(
        None, min_length=1, max_length=100, description="the name of a configured bandit arm"
    )
    bandit_posterior: dict[str, float] | None = Field(
        None,
        max_length=4,
        description="the chosen arm's Beta posterior {alpha, beta}, recorded by the bandit",
    )


COMMON_PARAMS: tuple[str, ...] = tuple(SamplingParams.model_fields)
_JSON_TEXT = "plain JSON data (text, a finite number, true/false, null, a list or an object)"


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _first_name(exc: PydanticValidationError) -> str:
    """The parameter named by pydantic's first problem."""
    return str(exc.errors(include_url=False)[0]["loc"][0])


@lru_cache(maxsize=1)
def _json_values() -> TypeAdapter[dict[str, JsonValue]]:
    return TypeAdapter(dict[str, JsonValue], config=ConfigDict(allow_inf_nan=False))


def _invalid_common(common: Mapping[str, Any]) -> str | None:
    """The first common parameter whose value is missing, of the wrong type or out of range."""
    try:
        SamplingParams.model_validate(common)
    except PydanticValidationError as exc:
        return _first_name(exc)
    return next((k for k, v in common.items() if v is None), None)


def check_params(params: Mapping[str, Any], where: str = "params") -> None:
    """Check the common parameters' types and ranges, and that every other value is plain JSON."""
    common = {k: v for k, v in params.items() if k in COMMON_PARAMS}
    name = _invalid_common(common)
    if name is not None:
        description = SamplingParams.model_fields[name].description
        raise ValidationError(
            f"{where}.{name}", f"must be {description}, got {_show(params[name])}"
        )
    try:
        _json_values().validate_python({k: v for k, v in params.items() if k not in common})
    except PydanticValidationError as exc:
        name = _first_name(exc)
        raise ValidationError(
            f"{where}.{name}", f"must be {_JSON_TEXT}, got {_show(params[name])}"
        ) from None


def check_config_params(params: Mapping[str, Any], where: str) -> None:
    """`check_params` for params read from contentgen.toml, where a problem is a ConfigError."""
    try:
        check_params(params, where)
    except ValidationError as exc:
        raise ConfigError(str(exc)) from None


def _build_adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation, config=ConfigDict(strict=True, allow_inf_nan=False))


_cached_adapter = lru_cache(maxsize=256)(_build_adapter)


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    """A validator for a declared type, built once per type (every routed request needs one)."""
    try:
        return _cached_adapter(annotation)
    except TypeError:  # an unhashable annotation (or one pydantic refuses: raised again below)
        return _build_adapter(annotation)


def check_generator_params(
    params: Mapping[str, Any],
    generator_id: str,
    declared: Mapping[str, Any],
    *,
    where: str = "params",
    request_fields: Collection[str] = (),
) -> None:
    """Every name must be common or declared by the generator; declared values must fit their type."""
    for name, value in params.items():
        if name in COMMON_PARAMS:
            continue
        if name not in declared:
            problem = f"is not a sampling parameter of {generator_id}"
            if name in request_fields:
                problem += f"; {name!r} is a field of the request: set it there, not in params"
            raise ValidationError(f"{where}.{name}", problem, (*COMMON_PARAMS, *declared))
        try:
            _adapter(declared[name]).validate_python(value)
        except PydanticValidationError as exc:
            message = exc.errors(include_url=False)[0]["msg"]
            raise ValidationError(
                f"{where}.{name}",
                f"{message[:1].lower()}{message[1:]} for {generator_id}, got {_show(value)}",
            ) from None


def check_declared(owner: str, declared: Mapping[str, Any]) -> None:
    """A generator's `extra_params` must be new names mapped to types pydantic can validate."""
    for name, annotation in declared.items():
        field = f"{owner}.extra_params.{name}"
        if not isinstance(name, str) or not name:
            raise ValidationError(f"{owner}.extra_params", f"names must be text, got {name!r}")
        if name in COMMON_PARAMS:
            raise ValidationError(field, "is a common parameter already; do not declare it")
        try:
            _adapter(annotation)
        except Exception as exc:  # pydantic raises several kinds for a type it cannot validate
            raise ValidationError(
                field, f"must be a type such as str, int or Literal[...], got {annotation!r}"
            ) from exc
