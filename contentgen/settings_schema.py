"""The typed top-level settings: what contentgen.toml and the CONTENTGEN_* variables may set.

One pydantic model gives every setting its type, range or choices and a description. The file
is checked strictly (TOML has real types: "3" is not a thread count, "false" is not a boolean);
the variables leniently, because the environment is text. Routes, generator options and bandit
arms are tables that contentgen.config parses itself. Imported by `load_settings` only, so
`import contentgen` stays free of pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from contentgen.errors import ConfigError
from contentgen.field_text import explain


class FileSettings(BaseModel):
    """The top-level keys of contentgen.toml (paths are relative to the file)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    data_dir: str | None = Field(
        None, min_length=1, description="where the database and stored images are kept"
    )
    cache_dir: str | None = Field(
        None, min_length=1, description="where converted models and other caches are kept"
    )
    database_url: str | None = Field(
        None, min_length=1, description="a SQLAlchemy URL (unset: SQLite in data_dir)"
    )
    template_dirs: list[str] | None = Field(
        None, description="template folders that override built-in templates by id"
    )
    # The tables are parsed by contentgen.config, whose messages name the table and its keys.
    routes: Any = Field(None, description="[routes.<task>] tables")
    generators: Any = Field(None, description='[generators."<id>"] tables of options')
    blocked_plugins: list[str] | None = Field(None, description="plugins never to load")
    torch_threads: int | None = Field(None, ge=1, description="CPU threads for the models")
    device: Literal["cpu", "cuda", "mps", "auto"] | None = Field(
        None, description="where models run"
    )
    brand_kit: str | None = Field(None, min_length=1, description="a brand kit TOML file")
    stereotype_gate: bool | None = Field(
        None, description="reject drafts with stereotyped wording (default: advisory only)"
    )
    repair_attempts: int | None = Field(
        None, ge=0, description="how often a draft that fails its checks is regenerated"
    )
    rescue_attempts: int | None = Field(
        None,
        ge=0,
        description="further rounds for a request with no accepted variant after repair_attempts",
    )
    generator_timeout_s: float | None = Field(
        None, gt=0, description="seconds one generator call may take"
    )
    generator_retries: int | None = Field(
        None, ge=0, description="retries of a generator call that failed"
    )
    untrusted_generators: list[str] | None = Field(
        None, description="generator ids run in a child process"
    )
    rerank: bool | None = Field(None, description="generate several candidates, keep the best")
    rerank_best_of: int | None = Field(None, ge=1, description="candidates per reranked output")
    bandit: Any = Field(None, description="true, false or a [bandit] table")


# The variables that set one top-level setting each: CONTENTGEN_<NAME> -> name.
ENVIRONMENT: Mapping[str, str] = {
    f"CONTENTGEN_{name.upper()}": name
    for name in (
        "data_dir",
        "cache_dir",
        "database_url",
        "device",
        "torch_threads",
        "brand_kit",
        "stereotype_gate",
        "generator_timeout_s",
    )
}


def file_settings(raw: Mapping[str, Any], origin: Path) -> dict[str, Any]:
    """The settings a contentgen.toml sets, checked; a problem is a ConfigError naming the key."""
    unknown = sorted(set(raw) - set(FileSettings.model_fields))
    if unknown:
        valid = ", ".join(sorted(FileSettings.model_fields))
        raise ConfigError(f"{origin}: unknown setting {unknown[0]!r} (valid: {valid})")
    try:
        checked = FileSettings.model_validate(dict(raw))
    except PydanticValidationError as exc:
        name, message = _problem(exc, raw)
        raise ConfigError(f"{origin}: {name}: {message}") from None
    return {name: getattr(checked, name) for name in checked.model_fields_set}


def environment_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The settings CONTENTGEN_* variables set (empty ones are unset), converted and checked."""
    given = {name: env[var] for var, name in ENVIRONMENT.items() if env.get(var)}
    try:
        checked = FileSettings.model_validate(given, strict=False)
    except PydanticValidationError as exc:
        name, message = _problem(exc, given)
        raise ConfigError(f"CONTENTGEN_{name.upper()}: {message}") from None
    return {name: getattr(checked, name) for name in checked.model_fields_set}


def _problem(exc: PydanticValidationError, given: Mapping[str, Any]) -> tuple[str, str]:
    """The setting pydantic found wrong first, and what is wrong, with the valid values."""
    error = exc.errors(include_url=False)[0]
    name = str(error["loc"][0])
    problem, choices = explain(name, FileSettings.model_fields[name], error, given.get(name))
    if choices:
        problem += f" (valid: {', '.join(str(c) for c in choices)})"
    return name, problem
