"""builtin:composer: the image generator that lays out ad creatives (Pillow; no model)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from pydantic import Field

from contentgen.generator import Generator
from contentgen.generator_options import GeneratorOptions, PathText
from contentgen.types import Candidate, ModelInfo, Prompt, Task

TASK = Task("creative")


class ComposerOptions(GeneratorOptions):
    """The options of builtin:composer."""

    brand_kit: PathText | None = Field(
        None,
        description="brand kit TOML whose [visual] table styles creatives whose request names "
        "none (requests made by make_creatives carry the engine's brand_kit)",
    )
    text_share_limit: float | None = Field(
        None,
        ge=0,
        le=1,
        description="the most of a social creative text may cover (default: the brand kit's, "
        "else 0.2)",
    )
    batch_size: int = Field(8, ge=1, description="requests per generate() call")


class Composer(Generator):
    """Composes ad creatives from a product image, copy and the brand kit, for every placement."""

    id: ClassVar[str] = "builtin:composer"
    version: ClassVar[str] = "1.0"
    modality = "image"
    tasks: ClassVar[frozenset[Task]] = frozenset({TASK})
    Options = ComposerOptions
    settings: ComposerOptions

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """For each prompt, its request's first `n` creatives, drawn and checked."""
        from contentgen.creatives.render import render_request

        return [
            render_request(
                p.data,
                p.n,
                default_kit=self.settings.brand_kit,
                share_override=self.settings.text_share_limit,
            )
            for p in prompts
        ]

    def model_info(self) -> ModelInfo:
        """No model: layouts drawn with Pillow."""
        return ModelInfo(model_id="composer", backend="pillow")
