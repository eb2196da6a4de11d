"""Settings: built-in defaults < contentgen.toml < CONTENTGEN_* environment variables."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from contentgen.errors import ConfigError
from contentgen.feedback.arms import BanditArm, parse_bandit
from contentgen.types import Task

CONFIG_FILE = "contentgen.toml"


@dataclass(frozen=True)
class Route:
    """Which generator and template serve a task, with default parameters and a fallback."""

    generator: str
    template: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    fallback: str | None = None


DEFAULT_ROUTES: Mapping[Task, Route] = MappingProxyType(
    {
        Task.MARKETING: Route(
            "builtin:transformers", params={"temperature": 0.8, "max_new_tokens": 80}
        ),
        Task.NEWS_SUMMARY: Route(
            "builtin:transformers",
            params={"temperature": 0.0, "max_new_tokens": 96},
            fallback="builtin:extractive",
        ),
        Task.CUSTOMER_SERVICE: Route(
            "builtin:transformers",
            template="customer_service/reply",
            params={"temperature": 0.7, "max_new_tokens": 200},
        ),
        Task.IMAGE: Route("builtin:gan", fallback="builtin:vae"),
    }
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
    routes: Mapping[Task, Route] = field(default_factory=lambda: DEFAULT_ROUTES)
    generators: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    blocked_plugins: tuple[str, ...] = ()
    torch_threads: int = 1
    device: str = "cpu"
    brand_kit: Path | None = None
    repair_attempts: int = 3
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

    def route(self, task: Task) -> Route:
        """The route configured for `task` (defaults fill the gaps)."""
        return self.routes.get(task) or DEFAULT_ROUTES[task]

    def options_for(self, generator_id: str) -> Mapping[str, Any]:
        """Constructor options configured for one generator."""
        return self.generators.get(generator_id, {})

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced."""
        return replace(self, **changes)


_TOP_KEYS = {
    "data_dir",
    "cache_dir",
    "database_url",
    "template_dirs",
    "routes",
    "generators",
    "blocked_plugins",
    "torch_threads",
    "device",
    "brand_kit",
    "repair_attempts",
    "generator_timeout_s",
    "generator_retries",
    "untrusted_generators",
    "rerank",
    "rerank_best_of",
    "bandit",
}
_ROUTE_KEYS = {"generator", "template", "params", "fallback"}
_DEVICES = ("cpu", "cuda", "mps", "auto")


def _check_route_params(task: str, params: Mapping[str, Any]) -> None:
    """Types and ranges of a route's params; names are checked against its generator at routing."""
    if not params:
        return
    from contentgen.sampling import check_config_params

    check_config_params(params, f"routes.{task}.params")


def _parse_route(task: str, raw: Any, base: Route) -> Route:
    if not isinstance(raw, dict):
        raise ConfigError(f"routes.{task} must be a table, got {raw!r}")
    unknown = set(raw) - _ROUTE_KEYS
    if unknown:
        raise ConfigError(
            f"routes.{task}: unknown key {sorted(unknown)[0]!r} (valid: {', '.join(sorted(_ROUTE_KEYS))})"
        )
    params = raw.get("params", base.params)
    if not isinstance(params, dict):
        raise ConfigError(f"routes.{task}.params must be a table")
    _check_route_params(task, params)
    return Route(
        generator=str(raw.get("generator", base.generator)),
        template=raw.get("template", base.template),
        params=MappingProxyType({**base.params, **params}),
        fallback=raw.get("fallback", base.fallback),
    )


def _task_key(name: str) -> Task:
    try:
        return Task.parse(name)
    except Exception:
        raise ConfigError(
            f"routes: unknown task {name!r} (valid: {', '.join(t.value for t in Task)})"
        ) from None


def _from_mapping(raw: Mapping[str, Any], base: Settings, origin: Path) -> Settings:
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ConfigError(
            f"{origin}: unknown setting {sorted(unknown)[0]!r} (valid: {', '.join(sorted(_TOP_KEYS))})"
        )
    changes: dict[str, Any] = {}
    here = origin.parent
    for key in ("data_dir", "cache_dir", "brand_kit"):
        if key in raw:
            changes[key] = (here / str(raw[key])).resolve()
    if "template_dirs" in raw:
        changes["template_dirs"] = tuple((here / str(p)).resolve() for p in raw["template_dirs"])
    for key in ("database_url", "device"):
        if key in raw:
            changes[key] = str(raw[key])
    for key in ("torch_threads", "repair_attempts", "generator_retries"):
        if key in raw:
            changes[key] = int(raw[key])
    if "generator_timeout_s" in raw:
        changes["generator_timeout_s"] = float(raw["generator_timeout_s"])
    for key in ("blocked_plugins", "untrusted_generators"):
        if key in raw:
            changes[key] = tuple(str(p) for p in raw[key])
    if "routes" in raw:
        routes = dict(base.routes)
        for task_name, route_raw in dict(raw["routes"]).items():
            task = _task_key(task_name)
            routes[task] = _parse_route(task_name, route_raw, base.route(task))
        changes["routes"] = MappingProxyType(routes)
    if "rerank" in raw:
        changes["rerank"] = bool(raw["rerank"])
    if "rerank_best_of" in raw:
        changes["rerank_best_of"] = int(raw["rerank_best_of"])
    if "bandit" in raw:
        changes["bandit"], changes["bandit_arms"] = parse_bandit(raw["bandit"], str(origin))
    if "generators" in raw:
        generators = {k: dict(v) for k, v in base.generators.items()}
        for gid, opts in dict(raw["generators"]).items():
            if not isinstance(opts, dict):
                raise ConfigError(f'generators."{gid}" must be a table of options')
            generators[gid] = {**generators.get(gid, {}), **opts}
        changes["generators"] = generators
    return replace(base, **changes)


def _from_environment(env: Mapping[str, str], base: Settings) -> Settings:
    changes: dict[str, Any] = {}
    simple = {
        "CONTENTGEN_DATA_DIR": ("data_dir", Path),
        "CONTENTGEN_CACHE_DIR": ("cache_dir", Path),
        "CONTENTGEN_DATABASE_URL": ("database_url", str),
        "CONTENTGEN_DEVICE": ("device", str),
        "CONTENTGEN_TORCH_THREADS": ("torch_threads", int),
        "CONTENTGEN_BRAND_KIT": ("brand_kit", Path),
        "CONTENTGEN_GENERATOR_TIMEOUT_S": ("generator_timeout_s", float),
    }
    for var, (name, convert) in simple.items():
        if env.get(var):
            try:
                changes[name] = convert(env[var])
            except ValueError:
                raise ConfigError(f"{var}={env[var]!r} is not a valid {convert.__name__}") from None
    if env.get("CONTENTGEN_TEMPLATE_DIRS"):
        changes["template_dirs"] = tuple(
            Path(p) for p in env["CONTENTGEN_TEMPLATE_DIRS"].split(os.pathsep) if p
        )
    if "CONTENTGEN_BLOCK_PLUGINS" in env:
        changes["blocked_plugins"] = tuple(
            p.strip() for p in env["CONTENTGEN_BLOCK_PLUGINS"].split(",") if p.strip()
        )
    routes = dict(base.routes)
    for task in Task:
        prefix = f"CONTENTGEN_{task.value.upper()}_"
        overrides = {
            key: env[prefix + key.upper()]
            for key in ("generator", "template", "fallback")
            if env.get(prefix + key.upper())
        }
        if overrides:
            routes[task] = replace(base.route(task), **cast(dict[str, Any], overrides))
    changes["routes"] = MappingProxyType(routes)
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
    if settings.device not in _DEVICES:
        raise ConfigError(f"device {settings.device!r} is unknown (valid: {', '.join(_DEVICES)})")
    if settings.torch_threads < 1:
        raise ConfigError(f"torch_threads must be at least 1, got {settings.torch_threads}")
    if overrides:
        unknown = set(overrides) - set(Settings.__dataclass_fields__)
        if unknown:
            raise ConfigError(
                f"unknown setting {sorted(unknown)[0]!r} (valid: {', '.join(sorted(Settings.__dataclass_fields__))})"
            )
        settings = replace(settings, **overrides)
    return settings
