"""Tasks are specs registered through `register_tasks`: built-in and plugin tasks alike."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from contentgen.batch.mapping import RowMapping
from contentgen.cli.generate import task_command
from contentgen.config import Route, Settings
from contentgen.engine import Engine
from contentgen.errors import ConfigError, PluginError, ValidationError
from contentgen.plugins import load_plugins, plugin_module
from contentgen.requests_io import prompt_variables, request_from_dict, request_payload
from contentgen.tasks.registry import TaskRegistry, builtin_tasks
from contentgen.tasks.spec import RowSpec, TaskSpec
from contentgen.testing import echo_engine, echo_plugin
from contentgen.types import BaseRequest, MarketingRequest, Task, require_text
from tests.unit.test_fuzz_cli import run_cli


@dataclass(frozen=True, kw_only=True)
class HaikuRequest(BaseRequest):
    """A haiku about a subject (a task no core module knows)."""

    task: ClassVar[Task] = Task("haiku")
    subject: str = field(metadata={"help": "What the haiku is about."})
    season: str = field(default="spring", metadata={"choices": ("spring", "autumn")})
    lines: int = 3
    notes: dict[str, Any] = field(default_factory=dict, metadata={"help": "A note (repeat)."})
    email: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        require_text(self.subject, "subject", max_chars=200)

    def variables(self) -> dict[str, Any]:
        """The subject, season and notes; the poet's email is personal data."""
        return {
            "subject": self.subject,
            "season": self.season,
            "notes": dict(self.notes),
            "email": self.email or "",
        }


HAIKU = TaskSpec(
    name="haiku",
    request_type=HaikuRequest,
    description="A haiku about a subject.",
    default_route=Route("testing:echo"),
    example={"subject": "rain on the harbour"},
    default_template=lambda request: "haiku/plain",
    redacted_fields=("email",),
    fact_fields=("subject", "notes"),
    row_mapping=RowSpec(fields=("subject", "season"), nested="notes", required=("subject",)),
)


def _plugin(name: str = "poetry", *specs: TaskSpec, templates: Path | None = None) -> object:
    def register_tasks(register: Callable[[Any], None]) -> None:
        for spec in specs or (HAIKU,):
            register(spec)

    def register_template_dirs(register: Callable[[Path], None]) -> None:
        if templates is not None:
            register(templates)

    return plugin_module(
        name, register_tasks=register_tasks, register_template_dirs=register_template_dirs
    )


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin's template folder: haiku/plain.j2."""
    folder = tmp_path_factory.mktemp("task_templates")
    (folder / "haiku").mkdir()
    (folder / "haiku" / "plain.j2").write_text(
        "Write a {{ season }} haiku about {{ subject | data }}.\n{{ notes | data }}\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def engine(tmp_path: Path, templates: Path) -> Iterator[Engine]:
    plugin = _plugin(templates=templates)
    with echo_engine(tmp_path / "data", plugins=[("poetry", plugin)]) as built:
        yield built


def test_the_builtin_tasks_register_through_the_builtin_plugin() -> None:
    plugins = load_plugins(use_entry_points=False)
    expected = ("marketing", "news_summary", "customer_service", "image", "creative")
    assert plugins.infos["builtin"].tasks == expected
    assert sorted(plugins.tasks) == sorted(builtin_tasks().names())


def test_a_plugin_task_is_served_like_a_builtin_one(engine: Engine) -> None:
    assert engine.plugins.infos["poetry"].tasks == ("haiku",)
    assert "haiku" in engine.tasks.names()
    result = engine.generate(HaikuRequest(subject="rain on the harbour", notes={"mood": "calm"}))
    assert result.outputs and result.task == "haiku"
    assert engine.get_output(result.outputs[0].id).provenance.template_id == "haiku/plain"


def test_two_plugins_claiming_one_task_fail_naming_both() -> None:
    with pytest.raises(
        PluginError, match=r"'haiku' is registered by both plugin '[ab]' and plugin '[ab]'"
    ):
        load_plugins((), use_entry_points=False, extra=[("a", _plugin("a")), ("b", _plugin("b"))])


def test_a_spec_whose_example_is_invalid_is_the_plugins_error_not_the_hosts() -> None:
    broken = dataclasses.replace(HAIKU, name="haiku", example={"subject": ""})
    plugins = load_plugins((), use_entry_points=False, extra=[("poetry", _plugin("p", broken))])
    assert "haiku" not in plugins.tasks
    assert "subject: must not be empty" in (plugins.infos["poetry"].error or "")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "Haiku Poems"}, "snake_case"),
        ({"name": "tanka"}, r"needs `task: ClassVar\[Task\] = Task\('tanka'\)`"),
        ({"variant_field": "count"}, "names 'count', not a request field"),
        ({"row_mapping": RowSpec(fields=("colour",))}, "names 'colour', not a request field"),
    ],
)
def test_a_spec_that_contradicts_its_request_type_is_refused(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        dataclasses.replace(HAIKU, **changes)


def test_redacted_and_fact_fields_must_be_template_variables() -> None:
    with pytest.raises(ValidationError, match="names 'phone', not a template variable"):
        dataclasses.replace(HAIKU, redacted_fields=("phone",)).check()


def test_an_unknown_task_names_the_known_ones(engine: Engine) -> None:
    with pytest.raises(ValidationError, match=r"unknown task 'limerick' \(valid: .*'haiku'"):
        engine.tasks.get("limerick")
    with pytest.raises(ValidationError, match="unknown task 'limerick'"):
        request_from_dict("limerick", {}, engine.tasks)
    assert request_from_dict("haiku", {"subject": "snow"}, engine.tasks) == HaikuRequest(
        subject="snow"
    )


def test_a_request_of_an_unregistered_task_fails_before_any_work(tmp_path: Path) -> None:
    with echo_engine(tmp_path / "data") as engine, pytest.raises(ValidationError, match="haiku"):
        engine.generate(HaikuRequest(subject="snow"))


def test_routes_for_a_plugin_task_are_checked_when_the_engine_knows_it(
    tmp_path: Path, templates: Path
) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text('[routes.haiku]\ntemplate = "haiku/plain"\n', encoding="utf-8")
    plugins = [("testing", echo_plugin()), ("poetry", _plugin(templates=templates))]
    with Engine.from_config(config, use_entry_points=False, extra_plugins=plugins) as engine:
        route = engine.settings.route("haiku")
    # The file changes the template; the generator comes from the task's default route.
    assert (route.generator, route.template) == ("testing:echo", "haiku/plain")
    with pytest.raises(ConfigError, match=r"routes: unknown task 'haiku' \(valid: "):
        Engine.from_config(config, use_entry_points=False)


def test_personal_data_named_by_the_spec_is_redacted_in_prompt_and_storage() -> None:
    request = HaikuRequest(subject="rain", email="ana@example.com")
    variables = prompt_variables(request, HAIKU)
    assert "ana@example.com" not in str(variables) and "[EMAIL_1]" in variables["email"]
    assert request_payload(request, variables, HAIKU)["email"] == variables["email"]


def test_the_cli_command_comes_from_the_request_fields() -> None:
    help_text = CliRunner().invoke(task_command(HAIKU), ["--help"]).output
    for option in ("--subject", "--season [spring|autumn]", "--lines", "--notes KEY=VALUE"):
        assert option in help_text
    assert "--notes-json" in help_text and "What the haiku is about." in help_text


def test_a_batch_row_maps_by_the_specs_row_mapping(engine: Engine) -> None:
    mapping = RowMapping.build("haiku", ["subject=topic"], tasks=engine.tasks)
    request = mapping.to_request({"topic": "frost", "notes.mood": "still", "season": "autumn"}, {})
    assert request == HaikuRequest(subject="frost", season="autumn", notes={"mood": "still"})
    unmapped = RowMapping.build("haiku", tasks=engine.tasks)
    with pytest.raises(
        ValidationError, match="no subject in this row; map one with --map subject="
    ):
        unmapped.to_request({"season": "autumn"}, {})


def test_task_is_an_open_string_compared_by_value() -> None:
    assert Task("haiku") == "haiku" and Task.MARKETING == "marketing"
    assert MarketingRequest.task == Task.parse("Marketing") and Task.MARKETING.value == "marketing"
    registry = TaskRegistry([HAIKU])
    assert registry.get("haiku") is HAIKU and registry.names() == ["haiku"]


def test_without_an_engine_the_builtin_tasks_answer(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, use_entry_points=False)
    assert settings.routes == {}  # the engine completes them from the tasks' default routes
    with pytest.raises(ConfigError, match="no route for task 'marketing'"):
        settings.route("marketing")
    routes = settings.with_task_routes(builtin_tasks().default_routes()).routes
    assert routes["news_summary"].fallback == "builtin:extractive"


def test_generate_lists_every_task_and_names_them_when_one_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("CONTENTGEN_")]:
        monkeypatch.delenv(name)
    code, output, escaped = run_cli(["generate", "--help"])
    assert (code, escaped) == (0, None)
    assert all(t in output for t in ("marketing", "news-summary", "customer-service", "image"))
    code, output, escaped = run_cli(["generate", "limerick"])
    assert (code, escaped) == (2, None)
    assert "unknown task 'limerick' (tasks: creative, customer-service, " in output
