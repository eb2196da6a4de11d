"""Plugin manager: entry points of group "contentgen", a block list, and per-plugin isolation."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from contentgen import hookspecs
from contentgen.errors import PluginError
from contentgen.generator import Generator, GeneratorSpec
from contentgen.tasks.spec import TaskSpec

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "contentgen"
BUILTIN = "builtin"
BUILTIN_MODULE = "contentgen.generators.builtin"


@dataclass(frozen=True)
class PluginInfo:
    """What `contentgen plugins` shows for one plugin."""

    name: str
    version: str
    module: str
    generators: tuple[str, ...] = ()
    template_dirs: tuple[str, ...] = ()
    evaluators: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    error: str | None = None
    blocked: bool = False


@dataclass
class PluginSet:
    """Everything the plugins contributed, collected once at start-up."""

    manager: pluggy.PluginManager
    infos: dict[str, PluginInfo]
    generators: dict[str, GeneratorSpec] = field(default_factory=dict)
    template_dirs: list[Path] = field(default_factory=list)
    evaluators: list[Any] = field(default_factory=list)
    tasks: dict[str, TaskSpec] = field(default_factory=dict)
    task_plugins: dict[str, str] = field(default_factory=dict)


def _version_of(dist: metadata.Distribution | None) -> str:
    return dist.version if dist is not None else "unknown"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def load_plugins(
    blocked: Iterable[str] = (),
    *,
    use_entry_points: bool = True,
    extra: Sequence[tuple[str, object]] = (),
) -> PluginSet:
    """Build the plugin manager, register every plugin that imports and validates, collect hooks.

    A plugin that fails to import, declares an unknown hook or raises while registering is
    recorded with its error and skipped; two plugins claiming one generator id or one task name
    fail start-up.
    `extra` adds (name, plugin object) pairs directly, as tests and embedding apps do.
    """
    blocked_names = {b.strip() for b in blocked if b.strip()}
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}
    for name in blocked_names:
        pm.set_blocked(name)

    candidates: list[tuple[str, Callable[[], object], str, str]] = []
    seen_builtin = False
    if use_entry_points:
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            seen_builtin |= ep.name == BUILTIN
            candidates.append((ep.name, ep.load, ep.value, _version_of(ep.dist)))
    if not seen_builtin:
        candidates.insert(
            0,
            (
                BUILTIN,
                lambda: importlib.import_module(BUILTIN_MODULE),
                BUILTIN_MODULE,
                _own_version(),
            ),
        )
    for name, plugin in extra:
        candidates.append(
            (name, _constant(plugin), getattr(plugin, "__name__", repr(plugin)), "local")
        )

    for name, loader, module_name, version in candidates:
        info = PluginInfo(name=name, version=version, module=module_name)
        if name in blocked_names:
            infos[name] = replace(info, blocked=True)
            continue
        if name in infos:
            infos[name] = replace(
                info, error=f"plugin name {name!r} is used twice; second one skipped"
            )
            continue
        infos[name] = _register_one(pm, name, loader, info)

    plugins = PluginSet(manager=pm, infos=infos)
    _collect(plugins)
    return plugins


def _constant(plugin: object) -> Callable[[], object]:
    return lambda: plugin


def _own_version() -> str:
    try:
        return metadata.version("contentgen")
    except metadata.PackageNotFoundError:
        return "source"


def _register_one(
    pm: pluggy.PluginManager, name: str, loader: Callable[[], object], info: PluginInfo
) -> PluginInfo:
    try:
        plugin = loader()
    except Exception as exc:  # a broken third-party import must never break the host
        log.warning("plugin %s failed to import: %s", name, exc)
        return replace(info, error=f"import failed: {_describe(exc)}")
    try:
        pm.register(plugin, name=name)
        pm.check_pending()
    except Exception as exc:
        if pm.is_registered(plugin):
            pm.unregister(plugin)
        log.warning("plugin %s failed validation: %s", name, exc)
        return replace(info, error=f"invalid plugin: {_describe(exc)}")
    return info


def _hook_results(plugins: PluginSet, hook_name: str, accept: Callable[[str, Any], str]) -> None:
    """Call one hook plugin by plugin, so one plugin's exception only skips that plugin."""
    hook = getattr(plugins.manager.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):
        registered: list[str] = []

        def register(
            item: Any, _plugin: str = impl.plugin_name, _out: list[str] = registered
        ) -> None:
            _out.append(accept(_plugin, item))

        try:
            impl.function(register=register)
        except PluginError:
            raise
        except Exception as exc:
            info = plugins.infos.get(impl.plugin_name)
            if info is not None:
                plugins.infos[impl.plugin_name] = replace(
                    info, error=f"{hook_name} raised {_describe(exc)}"
                )
            log.warning("plugin %s: %s raised %s", impl.plugin_name, hook_name, exc)
            continue
        info = plugins.infos.get(impl.plugin_name)
        if info is not None:
            attr = {
                "register_generators": "generators",
                "register_template_dirs": "template_dirs",
                "register_evaluators": "evaluators",
                "register_tasks": "tasks",
            }[hook_name]
            merged: Any = tuple(getattr(info, attr)) + tuple(registered)
            plugins.infos[impl.plugin_name] = replace(info, **{attr: merged})


def _collect(plugins: PluginSet) -> None:
    def accept_generator(plugin: str, cls: Any) -> str:
        if not (isinstance(cls, type) and issubclass(cls, Generator)):
            raise TypeError(f"register() takes a Generator subclass, got {cls!r}")
        spec = GeneratorSpec.from_class(cls, plugin)
        existing = plugins.generators.get(spec.id)
        if existing is not None:
            raise PluginError(
                f"generator id {spec.id!r} is registered by both plugin {existing.plugin!r} "
                f"and plugin {plugin!r}; block one with CONTENTGEN_BLOCK_PLUGINS"
            )
        plugins.generators[spec.id] = spec
        return spec.id

    def accept_dir(plugin: str, path: Any) -> str:
        folder = Path(path)
        if not folder.is_dir():
            raise TypeError(f"template folder {folder} does not exist")
        plugins.template_dirs.append(folder)
        return str(folder)

    def accept_evaluator(plugin: str, evaluator: Any) -> str:
        name = getattr(evaluator, "name", None)
        if not isinstance(name, str) or not callable(getattr(evaluator, "evaluate", None)):
            raise TypeError(f"an evaluator needs a name and evaluate(), got {evaluator!r}")
        plugins.evaluators.append(evaluator)
        return name

    def accept_task(plugin: str, spec: Any) -> str:
        if not isinstance(spec, TaskSpec):
            raise TypeError(f"register() takes a contentgen.tasks.spec.TaskSpec, got {spec!r}")
        owner = plugins.task_plugins.get(spec.name)
        if owner is not None:
            raise PluginError(
                f"task {spec.name!r} is registered by both plugin {owner!r} and plugin "
                f"{plugin!r}; block one with CONTENTGEN_BLOCK_PLUGINS"
            )
        spec.check()
        plugins.tasks[spec.name] = spec
        plugins.task_plugins[spec.name] = plugin
        return spec.name

    _hook_results(plugins, "register_generators", accept_generator)
    _hook_results(plugins, "register_template_dirs", accept_dir)
    _hook_results(plugins, "register_evaluators", accept_evaluator)
    _hook_results(plugins, "register_tasks", accept_task)


def plugin_module(name: str, **hooks: Callable[..., None]) -> ModuleType:
    """Build an in-memory plugin from hook functions (for tests and embedding applications)."""
    module = ModuleType(name)
    for hook_name, function in hooks.items():
        if hook_name not in hookspecs.HOOK_NAMES:
            raise PluginError(
                f"unknown hook {hook_name!r} (hooks: {', '.join(hookspecs.HOOK_NAMES)})"
            )
        setattr(module, hook_name, hookspecs.hookimpl(function))
    return module
