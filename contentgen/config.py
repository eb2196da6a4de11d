"""Settings: built-in defaults < contentgen.toml < CONTENTGEN_* environment variables.

`Settings` is a plain frozen value, built once and passed down. `load_settings` checks each
top-level value against its declared type, range or choices (contentgen.settings_schema, a
pydantic model) and parses the route, generator and bandit tables here.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from contentgen.bandit_config import BanditArm, parse_bandit
from contentgen.errors import ConfigError, ValidationError
from contentgen.types import Task

CONFIG_FILE = "contentgen.toml"


@dataclass(frozen=True)
class Route:
    """Which generator and template serve a task, with default parameters and a fallback."""

    generator: str
    template: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    fallback: str | None = None


@dataclass(frozen=True)
class RouteChanges:
    """The route fields contentgen.toml or CONTENTGEN_<TASK>_* set for a task; None keeps the
    task's own (default or configured) value, and params are merged over its params.

    Kept apart from complete `Route`s because the task may come from a plugin: its default route
    is known only when the engine has loaded the plugins (`Settings.with_task_routes`).
    """

    generator: str | None = None
    template: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    fallback: str | None = None

    def over(self, base: Route) -> Route:
        """`base` with these changes applied."""
        return Route(
            generator=self.generator or base.generator,
            template=self.template if self.template is not None else base.template,
            params=MappingProxyType({**base.params, **self.params}),
            fallback=self.fallback if self.fallback is not None else base.fallback,
        )

    def merged(self, later: RouteChanges) -> RouteChanges:
        """These changes with `later` ones (e.g. the environment's over the file's) on top."""
        return RouteChanges(
            generator=later.generator or self.generator,
            template=later.template if later.template is not None else self.template,
            params=MappingProxyType({**self.params, **later.params}),
            fallback=later.fallback if later.fallback is not None else self.fallback,
        )


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, built once and passed down (no global state)."""

    data_dir: Path = field(
        default_factory=lambda: _xdg("XDG_DATA_HOME", ".local/share") / "contentgen"
    )
    cache_dir: Path = field(default_factory=lambda: _xdg("XDG_CACHE_HOME", ".cache") / "contentgen")
    database_url: str | None = None
    template_dirs: tuple[Path, ...] = ()
    # Complete routes given in Python; the engine fills in each task's default route.
    routes: Mapping[str, Route] = field(default_factory=dict)
    # Changes from contentgen.toml and CONTENTGEN_<TASK>_*, applied when the engine is built.
    route_changes: Mapping[str, RouteChanges] = field(default_factory=dict)
    generators: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    blocked_plugins: tuple[str, ...] = ()
    torch_threads: int = 1
    device: str = "cpu"
    brand_kit: Path | None = None
    stereotype_gate: bool = False  # reject drafts with stereotyped sentences (else advisory)
    repair_attempts: int = 3
    rescue_attempts: int = 3  # more rounds for a request with no accepted variant (retry.py)
    generator_timeout_s: float | None = None
    generator_retries: int = 2
    untrusted_generators: tuple[str, ...] = ()
    use_entry_points: bool = True
    # Feedback loop (contentgen/feedback): best-of-n reranking and bandit routing, both opt-in.
    rerank: bool = False
    rerank_best_of: int = 4
    bandit: bool = False
    bandit_arms: tuple[BanditArm, ...] = ()

    @property
    def db_url(self) -> str:
        """The database URL: the configured one, or SQLite inside the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'contentgen.db'}"

    @property
    def artifact_dir(self) -> Path:
        """Where image files are stored, content-addressed."""
        return self.data_dir / "artifacts"

    def route(self, task: str) -> Route:
        """The route of `task`: complete once an engine has filled in the tasks' default routes.

        Before that, a task is routed only when a Route was given for it or contentgen.toml (or
        the environment) names its generator; otherwise this is a ConfigError.
        """
        changes = self.route_changes.get(task)
        base = self.routes.get(task)
        if base is None:
            if changes is None or changes.generator is None:
                raise ConfigError(
                    f"no route for task {str(task)!r} yet: task routes are completed when the "
                    "engine loads the tasks (Engine.settings.route)"
                )
            base = Route(changes.generator)
        return changes.over(base) if changes is not None else base

    def with_task_routes(self, defaults: Mapping[str, Route]) -> Settings:
        """These settings with a complete route for every task in `defaults` (name -> default).

        Configured routes and changes win over the defaults; one that names a task not in
        `defaults` is a ConfigError naming the known tasks. Arms of the bandit are checked too.
        """
        known = ", ".join(sorted(defaults))
        for where, names in (
            ("routes", list(self.routes) + list(self.route_changes)),
            ("bandit.arms", [arm.task for arm in self.bandit_arms]),
        ):
            for name in names:
                if name not in defaults:
                    raise ConfigError(f"{where}: unknown task {str(name)!r} (valid: {known})")
        routes = {
            name: self.route_changes[name].over(self.routes.get(name) or default)
            if name in self.route_changes
            else self.routes.get(name) or default
            for name, default in defaults.items()
        }
        return replace(self, routes=MappingProxyType(routes), route_changes=MappingProxyType({}))

    def options_for(self, generator_id: str) -> Mapping[str, Any]:
        """Constructor options configured for one generator."""
        return self.generators.get(generator_id, {})

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced."""
        return replace(self, **changes)


_ROUTE_KEYS = {"generator", "template", "params", "fallback"}
_PATHS = ("data_dir", "cache_dir", "brand_kit")  # relative to contentgen.toml's folder
_LISTS = ("template_dirs", "blocked_plugins", "untrusted_generators")
# CONTENTGEN_<TASK>_GENERATOR / _TEMPLATE / _FALLBACK, for any task (plugin tasks included).
_ROUTE_VARIABLE = re.compile(r"CONTENTGEN_([A-Z][A-Z0-9_]*)_(GENERATOR|TEMPLATE|FALLBACK)")


def _check_route_params(task: str, params: Mapping[str, Any]) -> None:
    """Types and ranges of a route's params; names are checked against its generator at routing."""
    if not params:
        return
    from contentgen.sampling import check_config_params

    check_config_params(params, f"routes.{task}.params")


def _parse_route(task: str, raw: Any) -> RouteChanges:
    if not isinstance(raw, dict):
        raise ConfigError(f"routes.{task} must be a table, got {raw!r}")
    unknown = set(raw) - _ROUTE_KEYS
    if unknown:
        raise ConfigError(
            f"routes.{task}: unknown key {sorted(unknown)[0]!r} (valid: {', '.join(sorted(_ROUTE_KEYS))})"
        )
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise ConfigError(f"routes.{task}.params must be a table")
    _check_route_params(task, params)
    for key in ("generator", "template", "fallback"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise ConfigError(f"routes.{task}.{key} must be a non-empty string, got {raw[key]!r}")
    return RouteChanges(
        generator=raw.get("generator"),
        template=raw.get("template"),
        params=MappingProxyType(dict(params)),
        fallback=raw.get("fallback"),
    )


def _task_key(name: str, where: str) -> Task:
    """A task name from the config; whether the task exists is checked when the engine is built."""
    try:
        return Task.parse(name)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {exc.problem}") from None


def _from_mapping(raw: Mapping[str, Any], base: Settings, origin: Path) -> Settings:
    from contentgen.settings_schema import file_settings

    # Typed, range-checked values of the keys the file sets (the tables are parsed below).
    values = file_settings(raw, origin)
    here = origin.parent
    changes: dict[str, Any] = {
        key: value
        for key, value in values.items()
        if key not in ("routes", "generators", "bandit", *_PATHS, *_LISTS)
    }
    for key in _PATHS:
        if key in values:
            changes[key] = (here / values[key]).resolve()
    if "template_dirs" in values:
        changes["template_dirs"] = tuple((here / p).resolve() for p in values["template_dirs"])
    for key in ("blocked_plugins", "untrusted_generators"):
        if key in values:
            changes[key] = tuple(values[key])
    if "routes" in raw:
        if not isinstance(raw["routes"], dict):
            raise ConfigError(f"{origin}: routes must be a table of [routes.<task>] tables")
        route_changes = dict(base.route_changes)
        for task_name, route_raw in raw["routes"].items():
            task = _task_key(task_name, "routes")
            change = _parse_route(task_name, route_raw)
            earlier = route_changes.get(task)
            route_changes[task] = earlier.merged(change) if earlier else change
        changes["route_changes"] = MappingProxyType(route_changes)
    if "bandit" in raw:
        changes["bandit"], changes["bandit_arms"] = parse_bandit(raw["bandit"], str(origin))
    if "generators" in raw:
        if not isinstance(raw["generators"], dict):
            raise ConfigError(f'{origin}: generators must be a table of [generators."<id>"] tables')
        generators = {k: dict(v) for k, v in base.generators.items()}
        for gid, opts in dict(raw["generators"]).items():
            if not isinstance(opts, dict):
                raise ConfigError(f'generators."{gid}" must be a table of options')
            generators[gid] = {**generators.get(gid, {}), **opts}
        changes["generators"] = generators
    return replace(base, **changes)


def _from_environment(env: Mapping[str, str], base: Settings) -> Settings:
    from contentgen.settings_schema import environment_settings

    # CONTENTGEN_<SETTING>: text converted to the setting's type and range-checked.
    changes: dict[str, Any] = environment_settings(env)
    for key in _PATHS:
        if key in changes:
            changes[key] = Path(changes[key])
    if env.get("CONTENTGEN_TEMPLATE_DIRS"):
        changes["template_dirs"] = tuple(
            Path(p) for p in env["CONTENTGEN_TEMPLATE_DIRS"].split(os.pathsep) if p
        )
    if "CONTENTGEN_BLOCK_PLUGINS" in env:
        changes["blocked_plugins"] = tuple(
            p.strip() for p in env["CONTENTGEN_BLOCK_PLUGINS"].split(",") if p.strip()
        )
    route_changes = dict(base.route_changes)
    for var in sorted(env):
        found = _ROUTE_VARIABLE.fullmatch(var)
        if found is None or not env[var]:
            continue
        task = _task_key(found.group(1).lower(), var)
        key, value = found.group(2).lower(), env[var]
        change = RouteChanges(
            generator=value if key == "generator" else None,
            template=value if key == "template" else None,
            fallback=value if key == "fallback" else None,
        )
        earlier = route_changes.get(task)
        route_changes[task] = earlier.merged(change) if earlier else change
    changes["route_changes"] = MappingProxyType(route_changes)
    return replace(base, **changes)


def load_settings(
    path: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read defaults, then `path` (or $CONTENTGEN_CONFIG, or ./contentgen.toml), then the environment.

    Keyword `overrides` win over everything (handy in tests and notebooks).
    """
    environ = os.environ if env is None else env
    settings = Settings()
    config_path = Path(path) if path else None
    if config_path is None and environ.get("CONTENTGEN_CONFIG"):
        config_path = Path(environ["CONTENTGEN_CONFIG"])
    if config_path is None and Path(CONFIG_FILE).is_file():
        config_path = Path(CONFIG_FILE)
    if config_path is not None:
        if not config_path.is_file():
            raise ConfigError(f"config file {config_path} does not exist")
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path} is not valid TOML: {exc}") from None
        settings = _from_mapping(raw, settings, config_path.resolve())
    settings = _from_environment(environ, settings)
    if overrides:
        unknown = set(overrides) - set(Settings.__dataclass_fields__)
        if unknown:
            raise ConfigError(
                f"unknown setting {sorted(unknown)[0]!r} (valid: {', '.join(sorted(Settings.__dataclass_fields__))})"
            )
        if "routes" in overrides and "route_changes" not in overrides:
            overrides = {**overrides, "route_changes": {}}  # given routes replace the file's
        settings = replace(settings, **overrides)
    return settings
