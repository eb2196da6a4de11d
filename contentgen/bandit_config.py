"""Bandit arms as contentgen.toml declares them, parsed with the settings (no feedback import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from contentgen.errors import ConfigError, ValidationError
from contentgen.types import Task

_ARM_KEYS = {"task", "name", "generator", "template", "params", "channel"}
_BANDIT_KEYS = {"enabled", "arms"}
_BANDIT_FORMS = (
    "true, false, or a [bandit] table (enabled = true|false, "
    "[[bandit.arms]] with task, name and a generator, template or params)"
)


@dataclass(frozen=True)
class BanditArm:
    """One routing choice the bandit can pick for a task (and optionally only one channel)."""

    task: Task
    name: str
    generator: str | None = None
    template: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    channel: str | None = None

    def spec(self) -> dict[str, Any]:
        """The arm as plain data, for the arm table and the report."""
        return {
            "generator": self.generator,
            "template": self.template,
            "params": dict(self.params),
            "channel": self.channel,
        }


def parse_arm(raw: Any, where: str) -> BanditArm:
    """One `[[bandit.arms]]` table: task and name required; generator, template, params, channel."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table, got {raw!r}")
    unknown = set(raw) - _ARM_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (valid: {', '.join(sorted(_ARM_KEYS))})"
        )
    for key in ("task", "name"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f'{where}: {key!r} is required (e.g. task = "marketing")')
    try:  # whether the task exists is checked when the engine has loaded the tasks
        task = Task.parse(raw["task"])
    except ValidationError as exc:
        raise ConfigError(f"{where}: {exc.problem}") from None
    params = raw.get("params", {})
    if not isinstance(params, Mapping):
        raise ConfigError(f"{where}.params must be a table")
    if params:
        from contentgen.sampling import check_config_params

        check_config_params(params, f"{where}.params")
    for key in ("generator", "template", "channel"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise ConfigError(f"{where}.{key} must be a string")
    if not any(raw.get(k) for k in ("generator", "template")) and not params:
        raise ConfigError(f"{where}: an arm must set a generator, a template or params")
    return BanditArm(
        task=task,
        name=raw["name"].strip(),
        generator=raw.get("generator"),
        template=raw.get("template"),
        params=MappingProxyType(dict(params)),
        channel=raw.get("channel"),
    )


def parse_bandit(raw: Any, origin: str) -> tuple[bool, tuple[BanditArm, ...]]:
    """`bandit = true|false`, or a `[bandit]` table of `enabled` and `[[bandit.arms]]`.

    A bare boolean turns the bandit on or off with no arms of its own (the engine then routes over
    `default_arms`); in the table, `enabled` defaults to true when arms are given.
    """
    if isinstance(raw, bool):
        return raw, ()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin}: bandit must be {_BANDIT_FORMS}; got {raw!r}")
    unknown = set(raw) - _BANDIT_KEYS
    if unknown:
        raise ConfigError(
            f"{origin}: bandit: unknown key {sorted(unknown)[0]!r} "
            f"(valid: {', '.join(sorted(_BANDIT_KEYS))})"
        )
    arms_raw = raw.get("arms", [])
    if not isinstance(arms_raw, list):
        raise ConfigError(f"{origin}: bandit.arms must be an array of tables ([[bandit.arms]])")
    arms = tuple(parse_arm(a, f"{origin}: bandit.arms[{i}]") for i, a in enumerate(arms_raw))
    seen: set[tuple[Task, str]] = set()
    for arm in arms:
        if (arm.task, arm.name) in seen:
            raise ConfigError(f"{origin}: bandit arm {arm.name!r} is defined twice for {arm.task}")
        seen.add((arm.task, arm.name))
    enabled = raw.get("enabled", bool(arms))
    if not isinstance(enabled, bool):
        raise ConfigError(f"{origin}: bandit.enabled must be true or false, got {enabled!r}")
    return enabled, arms
