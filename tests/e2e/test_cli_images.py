"""`contentgen generate image` as a user types it: clean refusals, openable paths, seeds that redraw."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the CLI and reports, after it exits, whether torch was ever imported (i.e. a model loaded).
RUN_CLI = """
import sys
from contentgen.cli import main
try:
    main(sys.argv[1:])
    code = 0
except SystemExit as exc:
    code = exc.code
print(f"exit={code} torch={'torch' in sys.modules}", file=sys.stderr)
sys.exit(code)
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "contentgen.toml").write_text('data_dir = "data"\n', encoding="utf-8")
    return tmp_path


def run(workdir: Path, command: str) -> subprocess.CompletedProcess[str]:
    """`contentgen <command>` in `workdir`, the command split as a shell would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")}
    env["CONTENTGEN_TORCH_THREADS"] = "1"
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *shlex.split(command)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


CLASSES = "(valid: 'ankle boot', 'bag', 'coat', 'dress', 'pullover', 'sandal', 'shirt',"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("--class-name spaceship", f"class_name: unknown class 'spaceship' {CLASSES}"),
        ("'a red sports car'", "(CLI: --nearest-class) " + CLASSES),
        ("laptop", "'laptop' names none of the classes"),
        ("1234", "'1234' names none of the classes"),
        ("sneaker --width 512 --height 300", "or square sizes from 8 to 896 pixels a side"),
        ("sneaker --generator builtin:diffusers", '[generators."builtin:diffusers"]'),
    ],
)
def test_image_request_errors_exit_2_before_any_model_loads(
    workdir: Path, args: str, expected: str
) -> None:
    done = run(workdir, f"generate image {args}")
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert "exit=2 torch=False" in done.stderr


def test_printed_paths_open_from_the_working_directory_and_each_seed_redraws_its_image(
    workdir: Path,
) -> None:
    done = run(workdir, "generate image 'white sneakers' --count 2 --seed 7")
    assert done.returncode == 0, done.stderr
    facts = r"class sneaker, chosen by keyword; 28x28; tinted white \(#ffffff\)"
    line = rf"^  image: (\S+\.png) \({facts}\)$"
    paths = re.findall(line, done.stdout, flags=re.M)
    seeds = re.findall(r"· seed (\d+)$", done.stdout, flags=re.M)
    assert len(paths) == 2 and seeds == ["7", "8"], done.stdout
    assert all((workdir / p).is_file() and Path(p).is_absolute() for p in paths)

    again = run(workdir, "generate image 'white sneakers' --count 1 --seed 8 --width 56 --json")
    assert again.returncode == 0, again.stderr
    [output] = json.loads(again.stdout)["outputs"]
    assert Path(output["image_path"]).is_absolute() and Path(output["image_path"]).is_file()
    assert output["provenance"]["seed"] == 8
    assert output["provenance"]["params"] == {"width": 56, "height": 56}
    assert output["fields"] == {
        "class_name": "sneaker",
        "mapped_by": "keyword",
        "width": "56",
        "height": "56",
        "resized_from": "28x28",
        "resample": "lanczos",
        "tint": "white",
        "tint_rgb": "#ffffff",
    }
    redrawn = run(workdir, "generate image 'white sneakers' --count 1 --seed 8")
    [redrawn_path] = re.findall(r"^  image: (\S+\.png)", redrawn.stdout, flags=re.M)
    digest = hashlib.sha256(Path(redrawn_path).read_bytes()).hexdigest()
    assert digest == hashlib.sha256(Path(paths[1]).read_bytes()).hexdigest()


@pytest.mark.slow
def test_nearest_class_is_an_opt_in_recorded_with_its_similarity(workdir: Path) -> None:
    done = run(workdir, "generate image laptop --nearest-class --count 1 --json")
    assert done.returncode == 0, done.stderr
    [output] = json.loads(done.stdout)["outputs"]
    assert output["fields"]["mapped_by"] == "embedding"
    assert 0 < float(output["fields"]["similarity"]) <= 1
    shown = run(workdir, f"show {output['id']}")
    assert shown.returncode == 0 and output["image_path"] in shown.stdout
