"""builtin:gan and builtin:vae: class mapping, seeded PNGs, and the shipped checkpoints."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from contentgen.errors import ValidationError  # noqa: E402
from contentgen.generator import Generator  # noqa: E402
from contentgen.generators.trained_images import GanGenerator, VaeGenerator  # noqa: E402
from contentgen.image_classes import FASHION_MNIST_CLASSES  # noqa: E402
from contentgen.testing import ImageGeneratorContract  # noqa: E402
from contentgen.training.gan import ConditionalDCGAN  # noqa: E402
from contentgen.training.pretrained import load_pretrained, read_card, shipped_checkpoint  # noqa: E402
from contentgen.training.vae import ConditionalVAE  # noqa: E402
from contentgen.types import Prompt, Task  # noqa: E402

CLASSES = list(FASHION_MNIST_CLASSES)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("image-models")
    ConditionalDCGAN(class_names=CLASSES, latent_dim=8, g_width=8, d_width=8).save_pretrained(
        root / "gan"
    )
    ConditionalVAE(
        class_names=CLASSES, latent_dim=4, base_channels=4, hidden_dim=16
    ).save_pretrained(root / "vae")
    return {"gan": root / "gan", "vae": root / "vae"}


def _prompt(text: str = "a product", n: int = 2, seed: int | None = 5, **data: str) -> Prompt:
    return Prompt(task=Task.IMAGE, text=text, n=n, seed=seed, data=data)


def _image(png: bytes | None) -> Image.Image:
    assert png is not None and png[:4] == b"\x89PNG"
    return Image.open(io.BytesIO(png))


@pytest.mark.parametrize(("cls", "kind"), [(GanGenerator, "gan"), (VaeGenerator, "vae")])
def test_explicit_class_seeded_pngs_and_meta(
    cls: type, kind: str, tiny_dirs: dict[str, Path]
) -> None:
    generator = cls(model=str(tiny_dirs[kind]))
    [candidates] = generator.generate([_prompt(n=3, class_name="sneaker")])
    assert len(candidates) == 3
    assert [c.meta["seed"] for c in candidates] == [5, 6, 7]
    assert candidates[0].meta == {
        "class_name": "sneaker",
        "class_index": 7,
        "mapped_by": "class_name",
        "seed": 5,
        "width": 28,
        "height": 28,
    }
    picture = _image(candidates[0].image_png)
    assert picture.size == (28, 28) and picture.mode == "L"
    [again] = generator.generate([_prompt(n=3, class_name="sneaker")])
    assert [c.image_png for c in again] == [c.image_png for c in candidates]
    [alone] = generator.generate([_prompt(n=1, seed=6, class_name="sneaker")])
    assert alone[0].image_png == candidates[1].image_png
    [other] = generator.generate([_prompt(n=1, seed=500, class_name="sneaker")])
    assert other[0].image_png != candidates[0].image_png


def test_keyword_prompt_and_batched_prompts(tiny_dirs: dict[str, Path]) -> None:
    generator = GanGenerator(model=str(tiny_dirs["gan"]))
    bag, boots = generator.generate(
        [_prompt("Leather tote for work", n=2), _prompt("chelsea boots", n=1, seed=9)]
    )
    assert [c.meta["class_name"] for c in bag] == ["bag", "bag"]
    assert bag[0].meta["mapped_by"] == "keyword"
    assert (boots[0].meta["class_name"], boots[0].meta["seed"]) == ("ankle boot", 9)


def test_unknown_class_is_a_validation_error_listing_classes(tiny_dirs: dict[str, Path]) -> None:
    with pytest.raises(ValidationError, match="'ankle boot'.*'trouser'"):
        VaeGenerator(model=str(tiny_dirs["vae"])).generate([_prompt(class_name="sofa")])


def test_other_sizes_are_a_stated_resize_and_stretching_is_refused(
    tiny_dirs: dict[str, Path],
) -> None:
    prompt = Prompt(task=Task.IMAGE, text="dress", n=1, seed=1, params={"width": 64, "height": 64})
    [[candidate]] = GanGenerator(model=str(tiny_dirs["gan"])).generate([prompt])
    assert _image(candidate.image_png).size == (64, 64)
    assert {k: candidate.meta[k] for k in ("width", "height", "resized_from", "resample")} == {
        "width": 64,
        "height": 64,
        "resized_from": "28x28",
        "resample": "lanczos",
    }
    [[big]] = GanGenerator(model=str(tiny_dirs["gan"]), scale=4).generate([_prompt("dress", n=1)])
    assert _image(big.image_png).size == (112, 112) and big.meta["resized_from"] == "28x28"
    [[native]] = GanGenerator(model=str(tiny_dirs["gan"])).generate([_prompt("dress", n=1)])
    assert "resized_from" not in native.meta
    stretched = Prompt(task=Task.IMAGE, text="dress", n=1, params={"width": 64, "height": 96})
    generator = GanGenerator(model=str(tiny_dirs["gan"]))
    with pytest.raises(ValidationError, match="would stretch"):
        generator.generate([stretched])
    assert not generator.loaded


def test_a_colour_word_tints_the_image_and_is_recorded(tiny_dirs: dict[str, Path]) -> None:
    generator = GanGenerator(model=str(tiny_dirs["gan"]))
    red, grey = generator.generate(
        [_prompt("a red sneaker", n=1, seed=3), _prompt("a sneaker", n=1, seed=3)]
    )
    tinted, plain = _image(red[0].image_png), _image(grey[0].image_png)
    assert (tinted.mode, plain.mode) == ("RGB", "L")
    assert (red[0].meta["tint"], red[0].meta["tint_rgb"]) == ("red", "#ff0000")
    assert "tint" not in grey[0].meta
    rgb = np.asarray(tinted).astype(int)
    assert (rgb[..., 1:] == 0).all()  # pure red: only the red channel is lit
    assert np.abs(rgb[..., 0] - np.asarray(plain).astype(int)).max() <= 1  # same shading


def test_the_upscaler_is_an_option_and_recorded(tiny_dirs: dict[str, Path]) -> None:
    prompt = Prompt(task=Task.IMAGE, text="dress", n=1, seed=1, params={"width": 112})
    generator = GanGenerator(model=str(tiny_dirs["gan"]), upscaler="lanczos-sharpen")
    assert "lanczos-sharpen" in generator.image_support().describe_sizes()
    [[sharp]] = generator.generate([prompt])
    [[plain]] = GanGenerator(model=str(tiny_dirs["gan"])).generate([prompt])
    assert (sharp.meta["resample"], plain.meta["resample"]) == ("lanczos-sharpen", "lanczos")
    assert sharp.meta["resized_from"] == "28x28" and _image(sharp.image_png).size == (112, 112)
    with pytest.raises(ValidationError, match="upscaler"):
        GanGenerator(model=str(tiny_dirs["gan"]), upscaler="magic")


def test_classes_and_sizes_are_known_without_loading(tiny_dirs: dict[str, Path]) -> None:
    generator = VaeGenerator(model=str(tiny_dirs["vae"]), scale=2)
    support = generator.image_support()
    assert support.classes == tuple(CLASSES) and support.native_size == (28, 28)
    assert support.default_size == (56, 56) and generator.class_names == CLASSES
    with pytest.raises(ValidationError, match="conditional-vae"):
        GanGenerator(model=str(tiny_dirs["vae"])).image_support()
    assert not generator.loaded


def test_a_prompt_naming_no_class_fails_before_the_model_loads(tiny_dirs: dict[str, Path]) -> None:
    generator = GanGenerator(model=str(tiny_dirs["gan"]))
    with pytest.raises(ValidationError, match="'a red sports car' names none of the classes"):
        generator.generate([_prompt("a red sports car")])
    assert not generator.loaded


def test_per_image_seeds_wrap_within_valid_request_seeds(tiny_dirs: dict[str, Path]) -> None:
    generator = GanGenerator(model=str(tiny_dirs["gan"]))
    [pair] = generator.generate([_prompt("bag", n=2, seed=2**32 - 1)])
    assert [c.meta["seed"] for c in pair] == [2**32 - 1, 0]
    [[alone]] = generator.generate([_prompt("bag", n=1, seed=0)])
    assert alone.image_png == pair[1].image_png


def test_wrong_checkpoint_kind_is_rejected(tiny_dirs: dict[str, Path]) -> None:
    with pytest.raises(ValidationError, match="conditional-vae"):
        GanGenerator(model=str(tiny_dirs["vae"])).load()


def test_model_info_identifies_the_weights(tiny_dirs: dict[str, Path]) -> None:
    generator = VaeGenerator(model=str(tiny_dirs["vae"]))
    generator.load()
    info = generator.model_info()
    assert info.model_id == str(tiny_dirs["vae"]) and info.backend == "torch"
    assert info.revision is not None and len(info.revision) == 16
    assert info.extra["class_names"] == CLASSES


@pytest.mark.parametrize("kind", ["gan", "vae"])
def test_shipped_checkpoint_draws_the_requested_classes(kind: str) -> None:
    """A fresh install draws recognisable products: the shipped classifier agrees with requests."""
    generator = (GanGenerator if kind == "gan" else VaeGenerator)()
    classifier = load_pretrained(shipped_checkpoint("classifier"))
    prompts = [_prompt(n=8, seed=100 * i, class_name=name) for i, name in enumerate(CLASSES)]
    results = generator.generate(prompts)
    pixels = np.stack([np.asarray(_image(c.image_png)) for batch in results for c in batch])
    images = torch.from_numpy(pixels).float().div(255).unsqueeze(1)
    with torch.inference_mode():
        predicted = classifier(images).argmax(1).tolist()
    wanted = [i for i in range(len(CLASSES)) for _ in range(8)]
    agreement = np.mean([p == w for p, w in zip(predicted, wanted, strict=True)])
    card = read_card(shipped_checkpoint(kind))
    assert agreement >= 0.6, f"only {agreement:.0%} of {kind} samples look like the requested class"
    assert card["metrics"]["conditional_accuracy"] >= (0.8 if kind == "gan" else 0.7)
    assert (
        card["data"]["source"] == "fashion-mnist"
        and "contentgen train" in card["training"]["command"]
    )


def test_shipped_classifier_card_reports_test_accuracy() -> None:
    card = read_card(shipped_checkpoint("classifier"))
    assert card["metrics"]["test_accuracy"] >= 0.9 and card["metrics"]["test_images"] == 10_000


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("elegant evening wear for a gala", "dress"),
        ("footwear for hot summer days at the beach", "sandal"),
        ("something warm to wear over everything in winter", "coat"),
    ],
)
def test_prompt_without_keywords_maps_by_minilm_similarity(
    text: str, expected: str, tiny_dirs: dict[str, Path]
) -> None:
    generator = GanGenerator(model=str(tiny_dirs["gan"]))
    [[candidate]] = generator.generate([_prompt(text, n=1, match="nearest")])
    assert (candidate.meta["class_name"], candidate.meta["mapped_by"]) == (expected, "embedding")
    assert 0.3 < candidate.meta["similarity"] <= 1.0


@pytest.mark.parametrize("kind", ["gan", "vae"])
class TestTrainedImageContract(ImageGeneratorContract):
    """Both trained-model generators honour the plugin contract, per-image seeds included."""

    image_class = "sneakers"

    @pytest.fixture
    def generator(self, kind: str, tiny_dirs: dict[str, Path]) -> Generator:
        """The generator on a tiny checkpoint."""
        return (GanGenerator if kind == "gan" else VaeGenerator)(model=str(tiny_dirs[kind]))
