"""`pip install .` into a fresh venv: templates, migrations and a third-party plugin work from wheels."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the contentgen wheel and the example plugin's wheel installed."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    for project in (ROOT, ROOT / "plugins" / "contentgen-seasonal"):
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "--no-build-isolation",
                "-w",
                str(wheels),
                str(project),
            ],
            cwd=base,
        )
    target = base / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    _run(
        [str(python), "-m", "pip", "install", "-q", *map(str, sorted(wheels.glob("*.whl")))],
        cwd=base,
    )
    return target


def test_the_wheel_ships_templates_and_migrations(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")}
    env["CONTENTGEN_DATA_DIR"] = str(tmp_path / "data")
    cli = str(installed / "bin" / "contentgen")
    assert "is at revision" in _run([cli, "db", "upgrade"], cwd=tmp_path, env=env)
    templates = _run([cli, "templates"], cwd=tmp_path, env=env)
    assert "marketing/search_ad" in templates and "site-packages" in templates
    assert "marketing/seasonal_sms" in templates


def test_the_installed_plugin_generates_through_the_engine(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")}
    env["CONTENTGEN_DATA_DIR"] = str(tmp_path / "data")
    cli = str(installed / "bin" / "contentgen")
    assert re.search(r"seasonal\s+0\.2\.0\s+ok", _run([cli, "plugins"], cwd=tmp_path, env=env))
    out = _run(
        [
            cli,
            "generate",
            "marketing",
            "--product",
            "name=Wool Throw",
            "--channel",
            "sms",
            "--generator",
            "seasonal:phrasebook",
            "--template",
            "marketing/seasonal_sms",
            "--param",
            "season=autumn",
            "--variants",
            "2",
        ],
        cwd=tmp_path,
        env=env,
    )
    assert out.count("Wool Throw") == 2 and "2 output(s)" in out
    assert (tmp_path / "data" / "contentgen.db").is_file()
