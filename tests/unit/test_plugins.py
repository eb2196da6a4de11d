"""Plugins: discovery, isolation of broken plugins, duplicate ids, the block list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest

from contentgen.errors import PluginError
from contentgen.generator import Generator
from contentgen.plugins import load_plugins, plugin_module
from contentgen.registry import GeneratorRegistry
from contentgen.types import Candidate, Prompt, Task


class _Shout(Generator):
    id: ClassVar[str] = "acme:shout"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.MARKETING})
    options: ClassVar[dict[str, object]] = {"volume": 1}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        return [
            [Candidate(text=p.text.upper() * int(self.config["volume"]))] * p.n for p in prompts
        ]


def _acme() -> object:
    return plugin_module("acme", register_generators=lambda register: register(_Shout))


def test_builtins_are_registered_through_the_same_hook() -> None:
    plugins = load_plugins(use_entry_points=False)
    assert plugins.infos["builtin"].error is None
    assert all(spec.plugin == "builtin" for spec in plugins.generators.values())


def test_a_third_party_generator_is_found_and_configurable() -> None:
    plugins = load_plugins(use_entry_points=False, extra=[("acme", _acme())])
    registry = GeneratorRegistry(plugins.generators, {"acme:shout": {"volume": 2}})
    generator = registry.get("acme:shout")
    assert generator.generate([Prompt(task=Task.MARKETING, text="hi")]) == [
        [Candidate(text="HIHI")]
    ]
    assert registry.get("acme:shout") is generator
    assert plugins.infos["acme"].generators == ("acme:shout",)


def test_a_plugin_that_fails_to_import_is_reported_and_skipped() -> None:
    def boom() -> object:
        raise ImportError("No module named 'missing_dependency'")

    from contentgen import plugins as plugins_module

    info = plugins_module._register_one(
        load_plugins(use_entry_points=False).manager,
        "broken",
        boom,
        plugins_module.PluginInfo(name="broken", version="1", module="broken"),
    )
    assert info.error is not None and "missing_dependency" in info.error


def test_a_hook_that_raises_only_skips_its_own_plugin() -> None:
    def explode(register):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaput")

    bad = plugin_module("bad", register_generators=explode)
    plugins = load_plugins(use_entry_points=False, extra=[("bad", bad), ("acme", _acme())])
    assert "kaput" in (plugins.infos["bad"].error or "")
    assert "acme:shout" in plugins.generators


def test_an_unknown_hook_is_an_invalid_plugin() -> None:
    import types

    from contentgen.hookspecs import hookimpl

    module = types.ModuleType("typo")
    module.register_generator = hookimpl(lambda register: None)  # type: ignore[attr-defined]
    plugins = load_plugins(use_entry_points=False, extra=[("typo", module)])
    assert "register_generator" in (plugins.infos["typo"].error or "")


def test_duplicate_generator_ids_fail_naming_both_plugins() -> None:
    twin = plugin_module("twin", register_generators=lambda register: register(_Shout))
    with pytest.raises(PluginError, match=r"'acme:shout'.*'(acme|twin)'.*'(acme|twin)'"):
        load_plugins(use_entry_points=False, extra=[("acme", _acme()), ("twin", twin)])


def test_blocked_plugins_are_listed_but_not_loaded() -> None:
    plugins = load_plugins(["acme"], use_entry_points=False, extra=[("acme", _acme())])
    assert plugins.infos["acme"].blocked
    assert "acme:shout" not in plugins.generators


def test_unknown_generator_lists_the_known_ids() -> None:
    plugins = load_plugins(use_entry_points=False, extra=[("acme", _acme())])
    registry = GeneratorRegistry(plugins.generators)
    with pytest.raises(Exception, match="acme:shout"):
        registry.get("acme:whisper")


def test_register_template_dirs_adds_a_plugin_folder_below_user_folders(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from contentgen.templates import TemplateLibrary

    plugin_dir = tmp_path / "plugin"
    (plugin_dir / "marketing").mkdir(parents=True)
    (plugin_dir / "marketing" / "flyer.j2").write_text(
        '+++\nchannel = "sms"\n+++\nFlyer for {{ product.name }}\n'
    )
    (plugin_dir / "marketing" / "sms.j2").write_text('+++\nchannel = "sms"\n+++\nplugin sms\n')
    user_dir = tmp_path / "user"
    (user_dir / "marketing").mkdir(parents=True)
    (user_dir / "marketing" / "sms.j2").write_text('+++\nchannel = "sms"\n+++\nuser sms\n')
    module = plugin_module("flyers", register_template_dirs=lambda register: register(plugin_dir))
    plugins = load_plugins(use_entry_points=False, extra=[("flyers", module)])
    assert plugins.template_dirs == [plugin_dir]
    library = TemplateLibrary.with_builtins([user_dir], plugins.template_dirs)
    assert library.get("marketing/flyer").path.parent == plugin_dir / "marketing"
    assert library.get("marketing/sms").path.parent == user_dir / "marketing"
    assert library.get("marketing/search_ad").path.parent.parent.name == "_templates"


def test_register_evaluators_rejects_objects_without_evaluate() -> None:
    module = plugin_module("odd", register_evaluators=lambda register: register(object()))
    plugins = load_plugins(use_entry_points=False, extra=[("odd", module)])
    assert "evaluator needs a name" in (plugins.infos["odd"].error or "")
