"""Text-to-image with any local diffusers pipeline ("builtin:diffusers"); flagged images kept."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from contentgen.errors import GeneratorError, ModelNotAvailableError, ValidationError
from contentgen.generator import Generator
from contentgen.generator_options import GeneratorOptions, PathText
from contentgen.image_support import ImageSupport
from contentgen.types import Candidate, ModelInfo, Prompt, Task

logger = logging.getLogger(__name__)

SEED_LIMIT = 2**32  # per-image seeds stay valid request seeds
# Latents are 1/8 of the image side, so every diffusers pipeline needs multiples of 8.
SUPPORT = ImageSupport(size_multiple=8)
# ImageRequest field (as the engine puts it in Prompt.params) -> pipeline keyword.
CALL_PARAMS = {
    "negative_prompt": "negative_prompt",
    "width": "width",
    "height": "height",
    "steps": "num_inference_steps",
    "guidance": "guidance_scale",
}


class _NoBlackImageNotice(logging.Filter):
    """Hide diffusers' 'a black image will be returned' warning: contentgen keeps the image."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "black image" not in record.getMessage()


class DiffusersOptions(GeneratorOptions):
    """The options of builtin:diffusers (contentgen.toml `[generators."builtin:diffusers"]`)."""

    model: PathText | None = Field(
        None,
        description="a folder saved with save_pretrained, or a model id in the local "
        "Hugging Face cache (required before generating)",
    )
    device: str = Field("cpu", min_length=1, description="the torch device, e.g. cpu or cuda")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = Field(
        "auto", description="weight precision ('auto': float16 on CUDA, else float32)"
    )
    torch_threads: int | None = Field(
        None, ge=1, description="CPU threads (unset: torch's own choice)"
    )
    cpu_offload: bool = Field(
        False, description="keep weights on the CPU until each part runs (needs CUDA)"
    )
    cache_dir: PathText | None = Field(
        None, description="the Hugging Face cache to look in (unset: the default)"
    )
    batch_size: int = Field(1, ge=1, description="prompts per pipeline call")


class DiffusersGenerator(Generator):
    """Any diffusers text-to-image pipeline from a local folder or the local model cache.

    The pipeline's safety checker is run by this generator after generation: a flagged image is
    kept and marked `meta["flagged"] = True` instead of being replaced by a black square.
    """

    id = "builtin:diffusers"
    version = "0.1"
    modality = "image"
    tasks = frozenset({Task("image")})
    description = "Text-to-image with a local diffusers pipeline (Stable Diffusion and friends)."
    Options = DiffusersOptions
    settings: DiffusersOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pipe: Any = None
        self._checker: Any = None
        self._extractor: Any = None

    def _dtype(self, torch: Any) -> Any:
        name = self.settings.dtype
        if name == "auto":
            name = "float16" if self.settings.device.startswith("cuda") else "float32"
        return getattr(torch, name)

    def image_support(self) -> ImageSupport:
        """Any prompt, sizes in multiples of 8; a configuration that cannot load is an error now."""
        if not self.settings.model:
            raise ValidationError(
                f"generators.{self.id}.model",
                "is not set, so there is no pipeline to run: in contentgen.toml, under "
                f'[generators."{self.id}"], set model = "<a folder saved with save_pretrained, '
                'or a model id in your local Hugging Face cache>"',
            )
        device = self.settings.device
        if self.settings.cpu_offload and not device.startswith("cuda"):
            raise ValidationError(
                f"generators.{self.id}.cpu_offload", f"needs a CUDA device, got {device!r}"
            )
        return SUPPORT

    def _load(self) -> None:
        self.image_support()  # configuration errors before the slow imports
        import torch
        from diffusers import AutoPipelineForText2Image, DiffusionPipeline

        model = self.settings.model
        if self.settings.torch_threads:
            torch.set_num_threads(self.settings.torch_threads)
        device = self.settings.device
        kwargs = {
            "dtype": self._dtype(torch),
            "local_files_only": True,
            "cache_dir": self.settings.cache_dir,
        }
        try:
            try:
                pipe = AutoPipelineForText2Image.from_pretrained(str(model), **kwargs)
            except ValueError:  # a pipeline class AutoPipeline does not map: load it as saved
                pipe = DiffusionPipeline.from_pretrained(str(model), **kwargs)
        except OSError as exc:
            raise ModelNotAvailableError(
                f"diffusers pipeline {model!r} is not on this machine "
                f"(no downloads are attempted): {exc}"
            ) from exc
        # Run the safety checker ourselves: the pipeline's own call blacks flagged images out.
        self._checker = getattr(pipe, "safety_checker", None)
        self._extractor = getattr(pipe, "feature_extractor", None)
        if self._checker is not None:
            pipe.safety_checker = None
            logging.getLogger(type(self._checker).__module__).addFilter(_NoBlackImageNotice())
            self._checker.to(device)
        if self.settings.cpu_offload:
            pipe.enable_model_cpu_offload(device=device)
        else:
            pipe.to(device)
        pipe.set_progress_bar_config(disable=True)
        self._pipe = pipe

    def _flags(self, images: list[Any]) -> list[bool]:
        """Run the pipeline's safety checker on copies of the images; never alter the originals."""
        if self._checker is None or self._extractor is None:
            return [False] * len(images)
        import numpy as np
        import torch

        inputs = self._extractor(images, return_tensors="pt")
        param = next(self._checker.parameters())
        copies = np.stack([np.asarray(image, dtype=np.float32) / 255.0 for image in images])
        with torch.no_grad():
            _, flags = self._checker(
                images=copies, clip_input=inputs.pixel_values.to(param.device, param.dtype)
            )
        return [bool(f) for f in flags]

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """`prompt.n` images per prompt; image i is drawn from a generator seeded `seed + i`."""
        import torch

        from contentgen.images import to_png

        for prompt in prompts:  # a size the pipeline cannot make fails before any image is drawn
            SUPPORT.output_size(prompt.params.get("width"), prompt.params.get("height"))
        self.load()
        results = []
        for prompt in prompts:
            seed = prompt.seed if prompt.seed is not None else secrets.randbelow(SEED_LIMIT)
            seeds = [(seed + i) % SEED_LIMIT for i in range(prompt.n)]
            call = {
                CALL_PARAMS[k]: v
                for k, v in prompt.params.items()
                if k in CALL_PARAMS and v is not None
            }
            # CPU generators give the same noise on every device, so a seed reproduces anywhere.
            generators = [torch.Generator("cpu").manual_seed(s) for s in seeds]
            try:
                output = self._pipe(
                    prompt=prompt.text,
                    num_images_per_prompt=prompt.n,
                    generator=generators,
                    output_type="pil",
                    **call,
                )
            except (RuntimeError, ValueError, TypeError) as exc:
                raise GeneratorError(
                    f"{self.id} failed on prompt {prompt.text[:60]!r}: {exc}"
                ) from exc
            images = list(output.images)
            flags = self._flags(images)
            pipeline_flags = getattr(output, "nsfw_content_detected", None) or [False] * len(images)
            batch = []
            for image, image_seed, flag, pipe_flag in zip(
                images, seeds, flags, pipeline_flags, strict=True
            ):
                flagged = bool(flag or pipe_flag)
                if flagged:
                    logger.warning(
                        "safety checker flagged image (seed %d); kept and marked flagged",
                        image_seed,
                    )
                meta = {
                    "width": image.width,
                    "height": image.height,
                    "seed": image_seed,
                    "flagged": flagged,
                }
                batch.append(Candidate(image_png=to_png(image), meta=meta))
            results.append(batch)
        return results

    def model_info(self) -> ModelInfo:
        """The pipeline folder or id, and its pipeline class."""
        model = self.settings.model
        extra: dict[str, Any] = {"device": self.settings.device, "dtype": self.settings.dtype}
        if self._pipe is not None:
            extra["pipeline"] = type(self._pipe).__name__
            extra["safety_checker"] = self._checker is not None
        model_id = (
            str(Path(model).expanduser())
            if model and Path(str(model)).expanduser().exists()
            else str(model)
        )
        return ModelInfo(model_id=model_id, backend="diffusers", extra=extra)

    def max_batch_size(self) -> int:
        """Prompts per call; each prompt already asks for `n` images in one pipeline call."""
        return self.settings.batch_size

    def close(self) -> None:
        """Drop the pipeline."""
        self._pipe = self._checker = self._extractor = None
        self._loaded = False
