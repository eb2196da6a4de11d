"""Settings come from defaults < contentgen.toml < CONTENTGEN_* variables < keyword overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.config import load_settings
from contentgen.errors import ConfigError
from contentgen.types import Task


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contentgen.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_route_text_to_transformers_and_images_to_the_gan() -> None:
    settings = load_settings(env={})
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
    settings = load_settings(path, env={})
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


def test_unknown_task_in_routes_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown task 'poems'"):
        load_settings(_write(tmp_path, '[routes.poems]\ngenerator = "x:y"\n'), env={})


def test_bad_toml_and_bad_numbers_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_write(tmp_path, "routes = [\n"), env={})
    with pytest.raises(ConfigError, match="CONTENTGEN_TORCH_THREADS"):
        load_settings(env={"CONTENTGEN_TORCH_THREADS": "many"})
    with pytest.raises(ConfigError, match="device 'tpu'"):
        load_settings(env={"CONTENTGEN_DEVICE": "tpu"})
