"""The image generators register through the built-in plugin and stay cheap to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import contentgen
from contentgen.generator import Generator
from contentgen.generators.builtin import register_generators
from contentgen.testing import ImageGeneratorContract, NoiseImageGenerator
from contentgen.types import Task

HEAVY = ("torch", "diffusers", "transformers", "numpy", "safetensors")


def test_builtin_plugin_registers_vae_gan_and_diffusers() -> None:
    found: list[type] = []
    register_generators(found.append)
    by_id = {cls.id: cls for cls in found}
    for gid in ("builtin:gan", "builtin:vae", "builtin:diffusers"):
        assert by_id[gid].modality == "image"
        assert Task.IMAGE in by_id[gid].tasks


def test_vae_and_gan_default_to_the_shipped_checkpoints() -> None:
    found: list[type] = []
    register_generators(found.append)
    by_id = {cls.id: cls for cls in found}
    package = Path(contentgen.__file__).parent
    assert Path(by_id["builtin:gan"].options["model"]) == package / "_checkpoints" / "gan"
    assert Path(by_id["builtin:vae"].options["model"]) == package / "_checkpoints" / "vae"
    assert by_id["builtin:diffusers"].options["model"] is None


def test_image_modules_and_train_help_import_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "import contentgen.generators.trained_images, contentgen.generators.diffusers_gen\n"
        "import contentgen.images, contentgen.image_classes\n"
        "from contentgen.cli import main\n"
        "try:\n    main(['train', '--help'])\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--checkpoint-every" in out.stdout and "--resume" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "HEAVY="


class TestNoiseImageContract(ImageGeneratorContract):
    """The image fake honours the contract it ships with, per-image seeds included."""

    @pytest.fixture
    def generator(self) -> Generator:
        """A small noise generator."""
        return NoiseImageGenerator(size=4)
