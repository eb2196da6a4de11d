"""Generated backgrounds: builtin:diffusers draws the size asked (and says so), creatives use it.

On a tiny Stable Diffusion pipeline built from configs and saved with save_pretrained (no
weights ship anywhere); the copy is given, so no text model runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from contentgen.cli.generate import generate
from contentgen.creatives import GeneratedBackground, make_creatives
from contentgen.creatives.backgrounds import background_size
from contentgen.creatives.placements import PLACEMENTS
from contentgen.engine import Engine
from contentgen.errors import ValidationError
from contentgen.tasks.image import ImageRequest
from contentgen.testing import echo_engine
from tests.integration.tiny_diffusers import save_tiny_pipelines

ROOT = Path(__file__).resolve().parents[2]
CUTOUT = str(ROOT / "examples" / "photos" / "SKU-1021.png")
COPY = {"headline": "Cold for 24 hours", "cta": "Shop now"}
PRODUCT = {"name": "Insulated Water Bottle"}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pipelines(tmp_path_factory.mktemp("tiny-sd"))["no-checker"]


@pytest.fixture
def engine(tmp_path: Path, pipeline: Path) -> Iterator[Engine]:
    options = {"builtin:diffusers": {"model": str(pipeline), "torch_threads": 1}}
    with echo_engine(tmp_path / "data", generators=options) as built:
        yield built


def _pixels(engine: Engine, image_path: str | None) -> np.ndarray:
    assert image_path is not None
    with Image.open(engine.store.artifacts.path(image_path)) as opened:
        return np.asarray(opened.convert("RGB"), dtype=np.int16)


def test_the_diffusers_generator_draws_the_size_asked_and_records_it(engine: Engine) -> None:
    request = ImageRequest(prompt="a forest trail", count=1, width=48, height=32, steps=2,
                           generator="builtin:diffusers", seed=5)  # fmt: skip
    [output] = engine.generate(request).outputs
    assert _pixels(engine, output.image_path).shape == (32, 48, 3)
    p = output.provenance
    assert p.generator_id == "builtin:diffusers" and p.model_id is not None
    assert (p.params["width"], p.params["height"], p.seed) == (48, 32, 5)


def test_background_sizes_keep_the_placement_shape_in_multiples_of_8() -> None:
    assert background_size(PLACEMENTS["1080x1920"], 768) == (432, 768)
    assert background_size(PLACEMENTS["728x90"], 768) == (728, 96)
    assert background_size(PLACEMENTS["300x250"], 128) == (128, 112)


def test_creatives_use_a_background_drawn_for_each_placement_shape(engine: Engine) -> None:
    common = {"product": PRODUCT, "image": CUTOUT, "placements": ["300x250", "728x90"],
              "layout": "text_left", "seed": 3, **COPY}  # fmt: skip
    spec = GeneratedBackground("a forest trail at dawn", longest_side=128, steps=2)
    made = make_creatives(engine, background=spec, **common)
    plain = make_creatives(engine, **common)
    drawn = [r.outputs[0] for r in made.backgrounds]
    assert [(o.provenance.params["width"], o.provenance.params["height"]) for o in drawn] == [
        (128, 112),
        (128, 16),
    ]  # one per placement shape, each drawn at the size asked
    by_digest = {o.image_sha256: o for o in drawn}
    assert len(made.outputs) == len(plain.outputs) == 2
    for creative, without in zip(made.outputs, plain.outputs, strict=True):
        f = creative.fields
        background = by_digest[f["background_sha256"]]  # the creative names its background
        size = background_size(PLACEMENTS[f["placement"]], 128)
        assert f["background_size"] == f"{size[0]}x{size[1]}"
        assert background.provenance.generator_id == "builtin:diffusers"
        assert creative.evaluations[0].passed  # contrast, safe zone, logo: checked as ever
        # The image panel (right of the text column) shows the background; the text does not move.
        new, old = _pixels(engine, creative.image_path), _pixels(engine, without.image_path)
        panel = (slice(2, -2), slice(new.shape[1] * 2 // 3, -2))
        assert (np.abs(new[panel] - old[panel]).sum(axis=2) > 24).mean() > 0.3
        assert f["font_sizes"] == without.fields["font_sizes"]


def test_a_background_prompt_without_a_pipeline_fails_before_any_copy(tmp_path: Path) -> None:
    with echo_engine(tmp_path / "data") as engine:
        result = CliRunner().invoke(
            generate,
            ["creative", "--product", "name=Insulated Water Bottle", "--image", CUTOUT,
             "--placement", "300x250", "--background-prompt", "a forest trail"],
            obj={"engine": engine},
        )  # fmt: skip
        assert isinstance(result.exception, ValidationError)
        assert 'set model = "' in str(result.exception)
        assert engine.list_outputs() == []  # no copy was written, nothing was stored
