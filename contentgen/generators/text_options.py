"""The options the local text generators share (transformers, CTranslate2, OpenVINO)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from contentgen.generator_options import GeneratorOptions, PathText

_MODEL_TEXT = "'smollm2', a checkpoint directory, a .gguf file or a hub id"


class LocalTextOptions(GeneratorOptions):
    """Which model, where it runs, how many threads and prompts per batch, where files go."""

    model: PathText = Field("smollm2", description=f"the model: {_MODEL_TEXT}")
    device: Literal["cpu", "cuda", "mps", "auto"] = Field(
        "cpu", description="where the model runs ('auto': cuda, then mps, then cpu)"
    )
    torch_threads: int = Field(1, ge=1, description="CPU threads for the model")
    batch_size: int = Field(16, ge=1, description="prompts decoded together")
    cache_dir: PathText | None = Field(
        None, description="where downloaded and converted models are kept (unset: the default)"
    )

    @field_validator("model")
    @classmethod
    def _names_a_model(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(f"must name a model: {_MODEL_TEXT}")
        return value


class HubTextOptions(LocalTextOptions):
    """Local text options plus the hub revision and whether to stay offline."""

    revision: str | None = Field(None, description="the hub revision (branch, tag or commit)")
    local_files_only: bool = Field(
        True, description="never download: use files already on this machine"
    )
