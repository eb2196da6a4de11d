"""Image requests are checked against what the generator can draw before any model loads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from contentgen.config import Route, Settings
from contentgen.engine import Engine
from contentgen.errors import ModelNotAvailableError, ValidationError
from contentgen.generator import Generator
from contentgen.generators.diffusers_gen import DiffusersGenerator
from contentgen.image_classes import FASHION_MNIST_CLASSES
from contentgen.image_support import ImageSupport
from contentgen.plugins import load_plugins, plugin_module
from contentgen.testing import NoiseImageGenerator
from contentgen.types import Candidate, ImageRequest, NewsSummaryRequest, Prompt, Task

GAN = "builtin:gan"


class UnloadableImages(Generator):
    """Declares what it draws (so validation passes) but its weights are missing."""

    id: ClassVar[str] = "broken:images"
    modality = "image"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.IMAGE})

    def image_support(self) -> ImageSupport:
        """Any prompt, any size."""
        return ImageSupport()

    def _load(self) -> None:
        raise ModelNotAvailableError("its weights are not on this machine")

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Never reached: loading fails."""
        raise AssertionError("generate() after a failed load")


def _engine(
    tmp_path: Path,
    image_route: Route | None = None,
    generators: dict[str, dict[str, Any]] | None = None,
) -> Engine:
    routes = {Task.IMAGE: image_route} if image_route else {}
    settings = Settings(
        data_dir=tmp_path / "data",
        routes=routes,
        generators=generators or {},
        use_entry_points=False,
        torch_threads=1,
    )

    def register_generators(register):  # type: ignore[no-untyped-def]
        register(NoiseImageGenerator)
        register(UnloadableImages)

    plugin = plugin_module("testing", register_generators=register_generators)
    return Engine(settings, load_plugins((), use_entry_points=False, extra=[("testing", plugin)]))


@pytest.mark.parametrize(
    ("fields", "wrong_field", "quoted"),
    [
        ({"class_name": "spaceship"}, "class_name", "'spaceship'"),
        ({"prompt": "a red sports car"}, "prompt", "'a red sports car'"),
        ({"prompt": "laptop"}, "prompt", "'laptop'"),
        ({"prompt": "1234"}, "prompt", "'1234'"),
        ({"prompt": "top quality laptop"}, "prompt", "'top quality laptop'"),
        ({"prompt": "a red dress", "class_name": "sofa"}, "class_name", "'sofa'"),
    ],
)
@pytest.mark.parametrize("generator", [None, "builtin:gan", "builtin:vae"])
def test_a_request_outside_the_models_classes_is_refused_before_loading(
    tmp_path: Path, fields: dict[str, str], wrong_field: str, quoted: str, generator: str | None
) -> None:
    engine = _engine(tmp_path)
    with pytest.raises(ValidationError) as info:
        engine.prepare(ImageRequest(**fields, generator=generator))
    assert info.value.field == wrong_field and info.value.exit_code == 2
    assert info.value.choices is not None and set(info.value.choices) == set(FASHION_MNIST_CLASSES)
    assert quoted in str(info.value)
    if wrong_field == "prompt":
        assert "--nearest-class" in str(info.value) and "'trainers'" in str(info.value)
    assert not any(engine.registry.get(g).loaded for g in ("builtin:gan", "builtin:vae"))


@pytest.mark.parametrize(
    "prompt", ["white sneakers", "A red TEE", "leather handbag", "trainers", "summer tops"]
)
def test_prompts_naming_a_class_or_synonym_pass(tmp_path: Path, prompt: str) -> None:
    work = _engine(tmp_path).prepare(ImageRequest(prompt=prompt))
    assert work.generator_id == GAN and work.variables["match"] == "strict"


def test_nearest_class_is_an_explicit_opt_in(tmp_path: Path) -> None:
    work = _engine(tmp_path).prepare(ImageRequest(prompt="laptop", match="nearest"))
    assert work.variables["match"] == "nearest"
    with pytest.raises(ValidationError, match="'nearest', 'strict'"):
        ImageRequest(prompt="laptop", match="closest")


def test_the_shipped_models_make_resized_square_images_and_plan_their_real_size(
    tmp_path: Path,
) -> None:
    engine = _engine(tmp_path)
    assert engine.prepare(ImageRequest(prompt="dress")).plan.params == {"width": 28, "height": 28}
    planned = engine.prepare(ImageRequest(prompt="dress", width=512)).plan.params
    assert planned == {"width": 512, "height": 512}
    scaled = _engine(tmp_path, generators={GAN: {"scale": 4}}).prepare(ImageRequest(prompt="dress"))
    assert scaled.plan.params == {"width": 112, "height": 112}


@pytest.mark.parametrize(
    ("width", "height", "field"),
    [(512, 300, "size"), (1000, None, "width"), (None, 4000, "height")],
)
def test_a_size_the_model_cannot_make_is_refused_naming_the_sizes(
    tmp_path: Path, width: int | None, height: int | None, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        _engine(tmp_path).prepare(ImageRequest(prompt="dress", width=width, height=height))
    assert info.value.field == field
    assert "28x28 as drawn, or square sizes from 8 to 896 pixels a side" in str(info.value)


def test_free_size_pipelines_take_multiples_of_eight() -> None:
    support = ImageSupport(size_multiple=8)
    assert support.output_size(None, None) == (None, None)
    assert support.output_size(24, 16) == (24, 16)
    with pytest.raises(ValidationError, match="width: 30 is not a size .* multiples of 8"):
        support.output_size(30, 16)


def test_a_named_generator_that_cannot_run_fails_instead_of_falling_back(tmp_path: Path) -> None:
    engine = _engine(tmp_path)  # the default image route falls back from the GAN to the VAE
    with pytest.raises(ValidationError) as info:
        engine.prepare(ImageRequest(prompt="dress", generator="builtin:diffusers"))
    assert info.value.field == "generators.builtin:diffusers.model"
    assert '[generators."builtin:diffusers"]' in str(info.value)
    assert engine.prepare(ImageRequest(prompt="dress", generator=GAN)).plan.fallback_id is None
    assert engine.prepare(ImageRequest(prompt="dress")).plan.fallback_id == "builtin:vae"


def test_a_named_generator_that_fails_to_load_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    engine = _engine(tmp_path, Route("broken:images", fallback="testing:noise"))
    [named] = engine.stream([ImageRequest(prompt="x", count=1, generator="broken:images")])
    assert named.outputs == ()
    assert "broken:images failed to load" in named.notes[0]
    assert "not on this machine" in named.notes[0]
    [routed] = engine.stream([ImageRequest(prompt="x", count=1)])
    assert [o.provenance.generator_id for o in routed.outputs] == ["testing:noise"]
    assert routed.outputs[0].provenance.fallback_from == "broken:images"


def test_named_text_generators_get_no_fallback_either(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    article = "The council approved the new bridge on Monday. Work starts in May."
    named = engine.prepare(NewsSummaryRequest(article=article, generator="builtin:extractive"))
    assert named.plan.fallback_id is None


def test_a_configured_route_that_cannot_run_keeps_its_fallback(tmp_path: Path) -> None:
    engine = _engine(tmp_path, Route("builtin:diffusers", fallback="builtin:vae"))
    work = engine.prepare(ImageRequest(prompt="dress"))
    assert (work.generator_id, work.plan.fallback_id) == ("builtin:diffusers", "builtin:vae")
    with pytest.raises(ValidationError, match="spaceship"):  # checked against what will serve it
        engine.prepare(ImageRequest(class_name="spaceship"))


def test_a_fallback_that_cannot_serve_the_request_is_dropped(tmp_path: Path) -> None:
    options = {"builtin:diffusers": {"model": str(tmp_path / "pipeline")}}
    engine = _engine(tmp_path, Route(GAN, fallback="builtin:diffusers"), options)
    # 28x28 is no multiple of 8: the pipeline could not make the size the GAN was asked for
    assert engine.prepare(ImageRequest(prompt="dress")).plan.fallback_id is None
    assert engine.prepare(ImageRequest(prompt="dress", width=64)).plan.fallback_id == (
        "builtin:diffusers"
    )


def test_each_image_stores_the_seed_that_redraws_it(tmp_path: Path) -> None:
    engine = _engine(tmp_path, Route("testing:noise"))
    batch = engine.generate(ImageRequest(prompt="noise", count=3, seed=41))
    assert [o.provenance.seed for o in batch.outputs] == [41, 42, 43]
    for output in batch.outputs:
        alone = engine.generate(ImageRequest(prompt="noise", count=1, seed=output.provenance.seed))
        assert [o.image_sha256 for o in alone.outputs] == [output.image_sha256]


def test_diffusers_configuration_is_checked_without_importing_torch() -> None:
    with pytest.raises(ValidationError, match=r'is not set.*\[generators."builtin:diffusers"\]'):
        DiffusersGenerator().image_support()
    with pytest.raises(ValidationError, match="dtype 'float8' is an unknown value"):
        DiffusersGenerator(model="some/pipeline", dtype="float8").image_support()
    with pytest.raises(ValidationError, match="needs a CUDA device"):
        DiffusersGenerator(model="some/pipeline", cpu_offload=True).image_support()
    support = DiffusersGenerator(model="some/pipeline").image_support()
    assert support.classes is None and support.size_multiple == 8
