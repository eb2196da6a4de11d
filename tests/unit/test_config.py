"""Settings come from defaults < contentgen.toml < CONTENTGEN_* variables < keyword overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.config import Settings, load_settings
from contentgen.engine import Engine
from contentgen.errors import ConfigError
from contentgen.tasks.registry import builtin_tasks
from contentgen.types import Task


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contentgen.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _with_task_routes(settings: Settings) -> Settings:
    """The settings as an engine serving the built-in tasks completes them."""
    return settings.with_task_routes(builtin_tasks().default_routes())


def test_defaults_route_text_to_transformers_and_images_to_the_gan() -> None:
    settings = _with_task_routes(load_settings(env={}))
    assert settings.route(Task.MARKETING).generator == "builtin:transformers"
    assert settings.route(Task.IMAGE).generator == "builtin:gan"
    assert settings.db_url.startswith("sqlite:///")


def test_toml_routes_override_defaults_and_keep_other_tasks(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
data_dir = "data"
[routes.marketing]
generator = "builtin:ctranslate2"
fallback = "builtin:transformers"
params = { temperature = 0.5 }
[generators."builtin:ctranslate2"]
compute_type = "int8"
""",
    )
    settings = _with_task_routes(load_settings(path, env={}))
    route = settings.route(Task.MARKETING)
    assert (route.generator, route.fallback) == ("builtin:ctranslate2", "builtin:transformers")
    assert route.params["temperature"] == 0.5 and route.params["max_new_tokens"] == 80
    assert settings.route(Task.IMAGE).generator == "builtin:gan"
    assert settings.data_dir == (tmp_path / "data").resolve()
    assert settings.options_for("builtin:ctranslate2") == {"compute_type": "int8"}


def test_environment_beats_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[routes.marketing]\ngenerator = "builtin:ctranslate2"\n')
    env = {
        "CONTENTGEN_MARKETING_GENERATOR": "seasonal:phrasebook",
        "CONTENTGEN_DATABASE_URL": "postgresql://postgres@127.0.0.1/x",
        "CONTENTGEN_BLOCK_PLUGINS": "bad, worse",
        "CONTENTGEN_TORCH_THREADS": "2",
    }
    settings = load_settings(path, env=env)
    assert settings.route(Task.MARKETING).generator == "seasonal:phrasebook"
    assert settings.database_url == "postgresql://postgres@127.0.0.1/x"
    assert settings.blocked_plugins == ("bad", "worse")
    assert settings.torch_threads == 2


def test_unknown_setting_names_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting 'databse_url'.*database_url"):
        load_settings(_write(tmp_path, 'databse_url = "x"\n'), env={})


def test_a_route_for_an_unknown_task_fails_when_the_tasks_are_known(tmp_path: Path) -> None:
    # A plugin's task is known only once the engine has loaded the plugins, so the file parses.
    settings = load_settings(_write(tmp_path, '[routes.poems]\ngenerator = "x:y"\n'), env={})
    with pytest.raises(
        ConfigError, match=r"unknown task 'poems' \(valid: creative, customer_service, image"
    ):
        _with_task_routes(settings)
    with pytest.raises(ConfigError, match="unknown task 'poems'"):
        Engine.from_config(
            _write(tmp_path, '[routes.poems]\ngenerator = "x:y"\n'), use_entry_points=False
        )


def test_a_task_name_that_is_no_name_fails_at_parse_time(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="snake_case"):
        load_settings(_write(tmp_path, '[routes."po ems!"]\ngenerator = "x:y"\n'), env={})


def test_the_environment_routes_any_task_and_only_changes_what_it_names() -> None:
    env = {"CONTENTGEN_NEWS_SUMMARY_TEMPLATE": "news_summary/bullets"}
    route = _with_task_routes(load_settings(env=env)).route(Task.NEWS_SUMMARY)
    assert route.template == "news_summary/bullets"
    assert (route.generator, route.fallback) == ("builtin:transformers", "builtin:extractive")
    assert route.params["max_new_tokens"] == 96
    with pytest.raises(ConfigError, match="unknown task 'data_report'"):
        _with_task_routes(load_settings(env={"CONTENTGEN_DATA_REPORT_GENERATOR": "x:y"}))


def test_bad_toml_and_bad_numbers_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_write(tmp_path, "routes = [\n"), env={})
    with pytest.raises(ConfigError, match="CONTENTGEN_TORCH_THREADS"):
        load_settings(env={"CONTENTGEN_TORCH_THREADS": "many"})
    with pytest.raises(ConfigError, match="device 'tpu'"):
        load_settings(env={"CONTENTGEN_DEVICE": "tpu"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # bool("false") used to switch reranking on: a wrong type is refused, never coerced.
        ('rerank = "false"\n', "rerank: must be true or false, got 'false'"),
        ('torch_threads = "2"\n', "torch_threads: must be a whole number >= 1, got '2'"),
        ("torch_threads = 0\n", "torch_threads: must be a whole number >= 1, got 0"),
        ("repair_attempts = -1\n", "repair_attempts: must be a whole number >= 0, got -1"),
        ("generator_timeout_s = 0\n", "generator_timeout_s: must be a number > 0, got 0"),
        ('device = "tpu"\n', r"device 'tpu' is an unknown value \(valid: cpu, cuda, mps, auto\)"),
        ('template_dirs = "mine"\n', "template_dirs: must be a list of text, got 'mine'"),
        ("generators = 3\n", "generators must be a table"),
    ],
)
def test_a_file_value_of_the_wrong_type_or_range_names_the_setting(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(_write(tmp_path, text), env={})


def test_variables_are_text_converted_to_the_settings_type_and_checked() -> None:
    env = {"CONTENTGEN_GENERATOR_TIMEOUT_S": "2.5", "CONTENTGEN_DEVICE": "auto"}
    settings = load_settings(env=env)
    assert (settings.generator_timeout_s, settings.device) == (2.5, "auto")
    with pytest.raises(ConfigError, match="CONTENTGEN_TORCH_THREADS: must be a whole number >= 1"):
        load_settings(env={"CONTENTGEN_TORCH_THREADS": "0"})
    with pytest.raises(ConfigError, match="CONTENTGEN_GENERATOR_TIMEOUT_S: must be a number > 0"):
        load_settings(env={"CONTENTGEN_GENERATOR_TIMEOUT_S": "-1"})


def test_the_file_keeps_its_precedence_under_the_environment_and_overrides(tmp_path: Path) -> None:
    path = _write(tmp_path, 'torch_threads = 3\ndevice = "cuda"\nrerank = true\n')
    assert load_settings(path, env={}).torch_threads == 3
    settings = load_settings(path, env={"CONTENTGEN_TORCH_THREADS": "2"}, device="cpu")
    assert (settings.torch_threads, settings.device, settings.rerank) == (2, "cpu", True)


def test_settings_import_neither_the_feedback_package_nor_pydantic() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\nimport contentgen.config\n"
        "print(sorted(m for m in sys.modules if m.startswith(('contentgen.feedback', 'pydantic'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
