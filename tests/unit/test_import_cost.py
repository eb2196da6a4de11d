"""`import contentgen` and `contentgen --help` never import the heavy ML stack."""

from __future__ import annotations

import subprocess
import sys

ML = ("torch", "transformers", "diffusers", "ctranslate2", "openvino", "openvino_genai")
HEAVY = (*ML, "numpy", "sklearn", "sqlalchemy")


def _imported_after(code: str) -> set[str]:
    probe = (
        f"import sys\n{code}\nprint('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    line = [x for x in out.stdout.splitlines() if x.startswith("HEAVY=")][-1]
    return {m for m in line.removeprefix("HEAVY=").split(",") if m}


def test_import_contentgen_imports_no_heavy_library() -> None:
    assert _imported_after("import contentgen") == set()


def test_import_contentgen_leaves_pydantic_for_first_use() -> None:
    """Generator options and settings validation import pydantic when they first run."""
    probe = "import sys\nimport contentgen\nprint('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_help_imports_no_heavy_library_and_lists_commands() -> None:
    code = (
        "from contentgen.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert _imported_after(code) == set()
    out = subprocess.run(
        [sys.executable, "-m", "contentgen", "--help"], capture_output=True, text=True
    )
    for command in ("generate", "rate", "export", "plugins", "db", "templates", "stats"):
        assert command in out.stdout


def test_the_builtin_plugin_registers_without_importing_torch() -> None:
    code = "from contentgen.plugins import load_plugins\nload_plugins(use_entry_points=False)"
    assert _imported_after(code) & set(ML) == set()


def test_the_template_render_worker_starts_without_the_engine_or_its_checks() -> None:
    """Every template render starts in a worker process; the package's public names load lazily,
    so the worker imports Jinja and the sandbox, not the engine (0.35 -> 0.09 CPU-s a start)."""
    probe = (
        "import sys\nimport contentgen.safety.render_worker\n"
        "print(sorted(m for m in ('contentgen.engine', 'contentgen.checks.detectors', "
        "'contentgen.storage.store') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_public_names_still_come_from_the_package_and_a_wrong_one_is_an_attribute_error() -> None:
    import pytest

    import contentgen
    from contentgen.engine import Engine

    assert contentgen.Engine is Engine
    assert set(contentgen.__all__) <= set(dir(contentgen))
    with pytest.raises(AttributeError, match="no attribute 'Engin'"):
        _ = contentgen.Engin  # type: ignore[attr-defined]
