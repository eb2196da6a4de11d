"""Generators for contentgen's own class-conditional VAE and GAN ("builtin:vae", "builtin:gan")."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from contentgen.errors import ValidationError
from contentgen.generator import Generator
from contentgen.generator_options import GeneratorOptions, PathText
from contentgen.image_classes import ClassChoice, resolve_class
from contentgen.image_colours import match_colour
from contentgen.image_support import ImageSupport
from contentgen.training.pretrained import read_config, shipped_checkpoint
from contentgen.types import Candidate, ModelInfo, Prompt, Task

# Per-image seeds stay valid request seeds, so `--seed <an image's seed>` draws that image again.
SEED_LIMIT = 2**32
MAX_SCALE = 32
_MODEL_TEXT = "a checkpoint folder from `contentgen train` (unset: the shipped one)"


class TrainedImageOptions(GeneratorOptions):
    """The options of builtin:vae and builtin:gan."""

    model: PathText | None = Field(None, description=_MODEL_TEXT)
    device: str = Field("cpu", min_length=1, description="the torch device, e.g. cpu or cuda:0")
    torch_threads: int | None = Field(
        None, ge=1, description="CPU threads (unset: torch's own choice)"
    )
    batch_size: int = Field(32, ge=1, description="prompts per generate() call")
    scale: int = Field(
        1,
        ge=1,
        le=MAX_SCALE,
        description="default output size: the model's own times this (resized by `upscaler`)",
    )
    upscaler: Literal["lanczos", "lanczos-sharpen"] = Field(
        "lanczos",
        description="how images are brought to other sizes, recorded with each image "
        "(lanczos-sharpen: an unsharp mask after enlarging)",
    )
    copy_check: bool = Field(
        True,
        description="reject an image within copy_threshold of a training image (memorisation)",
    )
    copy_threshold: float = Field(
        0.04, gt=0, le=1, description="RMS pixel distance in [0, 1] counted as a copy"
    )


class _TrainedImageGenerator(Generator):
    """Shared code: load a checkpoint, map the prompt to a class, sample seeded images."""

    modality = "image"
    tasks = frozenset({Task("image")})
    checkpoint: ClassVar[str]
    model_type: ClassVar[str]
    Options = TrainedImageOptions
    settings: TrainedImageOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._model: Any = None
        self._revision: str | None = None
        self._support: ImageSupport | None = None

    def _model_dir(self) -> Path:
        return Path(self.settings.model or shipped_checkpoint(self.checkpoint)).expanduser()

    def _check_model_type(self, found: object, path: Path) -> None:
        if found != self.model_type:
            raise ValidationError(
                f"generators.{self.id}.model",
                f"{path} holds a {found!r} checkpoint, not a {self.model_type!r}",
            )

    def image_support(self) -> ImageSupport:
        """Classes and sizes from the checkpoint's config.json (no torch, no weights read)."""
        if self._support is None:
            path = self._model_dir()
            config = read_config(path)
            self._check_model_type(config["model_type"], path)
            side = int(config["image_size"])
            scale = self.settings.scale
            self._support = ImageSupport(
                classes=tuple(config["class_names"]),
                native_size=(side, side),
                default_size=(side * scale, side * scale),
                max_side=side * MAX_SCALE,
                resample=self.settings.upscaler,
            )
        return self._support

    def _load(self) -> None:
        import torch

        from contentgen.training.pretrained import WEIGHTS_NAME, load_pretrained

        if self.settings.torch_threads:
            torch.set_num_threads(self.settings.torch_threads)
        path = self._model_dir()
        model = load_pretrained(path, device=self.settings.device)
        self._check_model_type(model.model_type, path)
        self._model = model
        self._revision = hashlib.sha256((path / WEIGHTS_NAME).read_bytes()).hexdigest()[:16]

    @property
    def class_names(self) -> list[str]:
        """The classes the model can draw (read from its config, without loading it)."""
        return list(self.image_support().classes or ())

    def choose_class(self, prompt: Prompt) -> ClassChoice:
        """The class a prompt asks for: data["class_name"] > keyword > (opted in) MiniLM."""
        return resolve_class(
            prompt.text,
            prompt.data.get("class_name"),
            self.class_names,
            match=prompt.data.get("match", "strict"),
        )

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Sample `prompt.n` images of the prompt's class; image i uses seed `seed + i`.

        A colour word in the prompt tints grey images; other sizes go through the upscaler.
        """
        from contentgen.image_finish import finish
        from contentgen.images import to_png
        from contentgen.training.sampling import sample_images

        support = self.image_support()
        plans, labels, seeds = [], [], []
        for prompt in prompts:  # every prompt is checked before the model loads or samples
            choice = self.choose_class(prompt)
            size = support.output_size(prompt.params.get("width"), prompt.params.get("height"))
            base = prompt.seed if prompt.seed is not None else secrets.randbelow(SEED_LIMIT)
            image_seeds = [(base + i) % SEED_LIMIT for i in range(prompt.n)]
            plans.append((choice, match_colour(prompt.text), size, image_seeds))
            labels += [choice.index] * prompt.n
            seeds += image_seeds
        self.load()
        images: Any = sample_images(self._model, labels, seeds).cpu() if seeds else []
        checked = self._copy_verdicts(images) if seeds else []
        native_w, native_h = support.native_size or support.default_size or (0, 0)
        results: list[list[Candidate]] = []
        offset = 0
        for choice, colour, (asked_w, asked_h), image_seeds in plans:
            width, height = asked_w or native_w, asked_h or native_h
            resized = {}
            if (width, height) != (native_w, native_h):
                resized = {"resized_from": f"{native_w}x{native_h}", "resample": support.resample}
            batch = []
            for seed in image_seeds:
                picture, finished = finish(
                    images[offset], colour, (width, height), support.resample
                )
                meta = {**choice.as_meta(), "seed": seed, "width": width, "height": height}
                if checked:  # parse_candidate turns a failed verdict into a rejection
                    meta["evaluations"] = (checked[offset],)
                offset += 1
                batch.append(
                    Candidate(image_png=to_png(picture), meta={**meta, **finished, **resized})
                )
            results.append(batch)
        return results

    def _copy_verdicts(self, images: Any) -> list[Any]:
        """The memorisation check's verdicts (none when it is off or the training data is absent)."""
        from contentgen.checks.image_copying import image_verdicts, training_index, training_source

        source = training_source(self._model_dir()) if self.settings.copy_check else None
        if source is None:
            return []
        config = read_config(self._model_dir())
        index = training_index(source, int(config["image_size"]), int(config.get("channels", 1)))
        if index is None:
            return []
        return image_verdicts(index, images.numpy(), self.settings.copy_threshold)

    def model_info(self) -> ModelInfo:
        """The checkpoint folder, a hash of its weights, and its class list."""
        extra: dict[str, Any] = {"model_type": self.model_type}
        if self._model is not None:
            extra["class_names"] = list(self._model.class_names)
        return ModelInfo(
            model_id=str(self._model_dir()), revision=self._revision, backend="torch", extra=extra
        )

    def max_batch_size(self) -> int:
        """Prompts per `generate()` call; sampling is cheap, so the engine may send many."""
        return self.settings.batch_size

    def close(self) -> None:
        """Drop the model (and the cached config, which may change on disk)."""
        self._model = self._support = None
        self._loaded = False


class GanOptions(TrainedImageOptions):
    """The options of builtin:gan: the shipped GAN checkpoint by default."""

    model: PathText | None = Field(str(shipped_checkpoint("gan")), description=_MODEL_TEXT)


class VaeOptions(TrainedImageOptions):
    """The options of builtin:vae: the shipped VAE checkpoint by default."""

    model: PathText | None = Field(str(shipped_checkpoint("vae")), description=_MODEL_TEXT)


class GanGenerator(_TrainedImageGenerator):
    """Class-conditional DCGAN trained by contentgen on Fashion-MNIST (28x28 grayscale products)."""

    id = "builtin:gan"
    version = "0.1"
    description = (
        "Product images (10 Fashion-MNIST classes) from contentgen's own conditional DCGAN."
    )
    checkpoint = "gan"
    model_type = "conditional-dcgan"
    Options = GanOptions


class VaeGenerator(_TrainedImageGenerator):
    """Class-conditional VAE trained by contentgen on Fashion-MNIST (28x28 grayscale products)."""

    id = "builtin:vae"
    version = "0.1"
    description = "Product images (10 Fashion-MNIST classes) from contentgen's own conditional VAE."
    checkpoint = "vae"
    model_type = "conditional-vae"
    Options = VaeOptions
