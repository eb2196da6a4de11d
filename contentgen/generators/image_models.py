"""Generators for contentgen's own class-conditional VAE and GAN ("builtin:vae", "builtin:gan")."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from contentgen.errors import ValidationError
from contentgen.generator import Generator
from contentgen.image_classes import ClassChoice, resolve_class
from contentgen.training.pretrained import shipped_checkpoint
from contentgen.types import Candidate, ModelInfo, Prompt, Task

SEED_LIMIT = 2**63


def _output_size(params: Mapping[str, Any], native: int) -> tuple[int, int] | None:
    """(width, height) when the prompt asks for a size other than the model's, else None."""
    width, height = params.get("width"), params.get("height")
    if width is None and height is None:
        return None
    size = (int(width or height or native), int(height or width or native))
    return None if size == (native, native) else size


class _TrainedImageGenerator(Generator):
    """Shared code: load a checkpoint, map the prompt to a class, sample seeded images."""

    modality = "image"
    tasks = frozenset({Task.IMAGE})
    checkpoint: ClassVar[str]
    model_type: ClassVar[str]

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        scale = self.config["scale"]
        if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 32:
            raise ValidationError(f"generators.{self.id}.scale", f"must be 1 to 32, got {scale!r}")
        self._model: Any = None
        self._revision: str | None = None

    def _model_dir(self) -> Path:
        return Path(self.config["model"] or shipped_checkpoint(self.checkpoint)).expanduser()

    def _load(self) -> None:
        import torch

        from contentgen.training.pretrained import WEIGHTS_NAME, load_pretrained

        if self.config["torch_threads"]:
            torch.set_num_threads(int(self.config["torch_threads"]))
        path = self._model_dir()
        model = load_pretrained(path, device=str(self.config["device"]))
        if model.model_type != self.model_type:
            raise ValidationError(
                f"generators.{self.id}.model",
                f"{path} holds a {model.model_type!r} checkpoint, not a {self.model_type!r}",
            )
        self._model = model
        self._revision = hashlib.sha256((path / WEIGHTS_NAME).read_bytes()).hexdigest()[:16]

    @property
    def class_names(self) -> list[str]:
        """The classes the loaded model can draw."""
        self.load()
        return list(self._model.class_names)

    def choose_class(self, prompt: Prompt) -> ClassChoice:
        """The class a prompt asks for: data["class_name"] > keyword > MiniLM similarity."""
        return resolve_class(prompt.text, prompt.data.get("class_name"), self.class_names)

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Sample `prompt.n` images of the prompt's class; image i uses seed `seed + i`."""
        from contentgen.images import to_png
        from contentgen.training.sampling import sample_images

        self.load()
        plans, labels, seeds = [], [], []
        for prompt in prompts:
            choice = self.choose_class(prompt)
            base = prompt.seed if prompt.seed is not None else secrets.randbelow(2**32)
            image_seeds = [(base + i) % SEED_LIMIT for i in range(prompt.n)]
            plans.append((prompt, choice, image_seeds))
            labels += [choice.index] * prompt.n
            seeds += image_seeds
        images = sample_images(self._model, labels, seeds).cpu()
        native = int(self._model.config["image_size"])
        scale = int(self.config["scale"])
        results: list[list[Candidate]] = []
        offset = 0
        for prompt, choice, image_seeds in plans:
            size = _output_size(prompt.params, native) or (
                (native * scale, native * scale) if scale > 1 else None
            )
            width, height = size or (native, native)
            batch = []
            for seed in image_seeds:
                png = to_png(images[offset], size)
                offset += 1
                meta = {**choice.as_meta(), "seed": seed, "width": width, "height": height}
                batch.append(Candidate(image_png=png, meta=meta))
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
        """Drop the model."""
        self._model = None
        self._loaded = False


_COMMON_OPTIONS = {
    "model": None,  # None -> the checkpoint shipped with contentgen
    "device": "cpu",
    "torch_threads": None,
    "batch_size": 32,
    "scale": 1,
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
