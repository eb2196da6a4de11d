"""Generators for contentgen's own class-conditional VAE and GAN ("builtin:vae", "builtin:gan")."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from contentgen.errors import ValidationError
from contentgen.generator import Generator
from contentgen.image_classes import ClassChoice, resolve_class
from contentgen.image_support import ImageSupport
from contentgen.training.pretrained import read_config, shipped_checkpoint
from contentgen.types import Candidate, ModelInfo, Prompt, Task

# Per-image seeds stay valid request seeds, so `--seed <an image's seed>` draws that image again.
SEED_LIMIT = 2**32
MAX_SCALE = 32


class _TrainedImageGenerator(Generator):
    """Shared code: load a checkpoint, map the prompt to a class, sample seeded images."""

    modality = "image"
    tasks = frozenset({Task.IMAGE})
    checkpoint: ClassVar[str]
    model_type: ClassVar[str]

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        scale = self.config["scale"]
        if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= MAX_SCALE:
            raise ValidationError(
                f"generators.{self.id}.scale", f"must be 1 to {MAX_SCALE}, got {scale!r}"
            )
        self._model: Any = None
        self._revision: str | None = None
        self._support: ImageSupport | None = None

    def _model_dir(self) -> Path:
        return Path(self.config["model"] or shipped_checkpoint(self.checkpoint)).expanduser()

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
            scale = int(self.config["scale"])
            self._support = ImageSupport(
                classes=tuple(config["class_names"]),
                native_size=(side, side),
                default_size=(side * scale, side * scale),
                max_side=side * MAX_SCALE,
            )
        return self._support

    def _load(self) -> None:
        import torch

        from contentgen.training.pretrained import WEIGHTS_NAME, load_pretrained

        if self.config["torch_threads"]:
            torch.set_num_threads(int(self.config["torch_threads"]))
        path = self._model_dir()
        model = load_pretrained(path, device=str(self.config["device"]))
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
        """Sample `prompt.n` images of the prompt's class; image i uses seed `seed + i`."""
        from contentgen.images import to_png
        from contentgen.training.sampling import sample_images

        support = self.image_support()
        plans, labels, seeds = [], [], []
        for prompt in prompts:  # every prompt is checked before the model loads or samples
            choice = self.choose_class(prompt)
            size = support.output_size(prompt.params.get("width"), prompt.params.get("height"))
            base = prompt.seed if prompt.seed is not None else secrets.randbelow(SEED_LIMIT)
            image_seeds = [(base + i) % SEED_LIMIT for i in range(prompt.n)]
            plans.append((choice, size, image_seeds))
            labels += [choice.index] * prompt.n
            seeds += image_seeds
        self.load()
        images: Any = sample_images(self._model, labels, seeds).cpu() if seeds else []
        native_w, native_h = support.native_size or support.default_size or (0, 0)
        results: list[list[Candidate]] = []
        offset = 0
        for choice, (asked_w, asked_h), image_seeds in plans:
            width, height = asked_w or native_w, asked_h or native_h
            resized = {}
            if (width, height) != (native_w, native_h):
                resized = {"resized_from": f"{native_w}x{native_h}", "resample": support.resample}
            batch = []
            for seed in image_seeds:
                png = to_png(images[offset], (width, height))
                offset += 1
                meta = {**choice.as_meta(), "seed": seed, "width": width, "height": height}
                batch.append(Candidate(image_png=png, meta={**meta, **resized}))
            results.append(batch)
        return results

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
        return int(self.config["batch_size"])

    def close(self) -> None:
        """Drop the model (and the cached config, which may change on disk)."""
        self._model = self._support = None
        self._loaded = False


_COMMON_OPTIONS = {
    "model": None,  # None -> the checkpoint shipped with contentgen
    "device": "cpu",
    "torch_threads": None,
    "batch_size": 32,
    "scale": 1,  # default output size: the model's own times this, by Lanczos resizing
}


class GanGenerator(_TrainedImageGenerator):
    """Class-conditional DCGAN trained by contentgen on Fashion-MNIST (28x28 grayscale products)."""

    id = "builtin:gan"
    version = "0.1"
    description = (
        "Product images (10 Fashion-MNIST classes) from contentgen's own conditional DCGAN."
    )
    checkpoint = "gan"
    model_type = "conditional-dcgan"
    options = {**_COMMON_OPTIONS, "model": str(shipped_checkpoint("gan"))}


class VaeGenerator(_TrainedImageGenerator):
    """Class-conditional VAE trained by contentgen on Fashion-MNIST (28x28 grayscale products)."""

    id = "builtin:vae"
    version = "0.1"
    description = "Product images (10 Fashion-MNIST classes) from contentgen's own conditional VAE."
    checkpoint = "vae"
    model_type = "conditional-vae"
    options = {**_COMMON_OPTIONS, "model": str(shipped_checkpoint("vae"))}
