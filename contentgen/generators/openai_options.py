"""The options of builtin:openai as one pydantic model, checked before anything connects."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from contentgen.field_text import show
from contentgen.generator_options import GeneratorOptions
from contentgen.generators.openai_wire import normalise_base_url

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class OpenAIOptions(GeneratorOptions):
    """The options of builtin:openai (contentgen.toml `[generators."builtin:openai"]`)."""

    base_url: str = Field(
        "http://127.0.0.1:8000/v1",
        description="the server's OpenAI API root, e.g. http://host:8000/v1",
    )
    model: str | None = Field(
        None, min_length=1, description="the model to ask for (unset: the first the server lists)"
    )
    api_key_env: str | None = Field(
        None, description="name of the environment variable holding the API key"
    )
    endpoint: Literal["chat", "completions"] = Field(
        "chat", description="/chat/completions (chat turns) or /completions (plain text)"
    )
    concurrency: int = Field(16, ge=1, le=1024, description="requests in flight at once")
    timeout_s: float = Field(60.0, gt=0, le=3600, description="seconds to wait for one answer")
    max_retries: int = Field(
        4, ge=0, le=20, description="retries of a request (429, 5xx, timeouts, broken answers)"
    )
    backoff_s: float = Field(
        0.5, gt=0, le=60, description="first wait between retries (doubling, plus jitter)"
    )
    max_wait_s: float = Field(
        60.0, gt=0, le=3600, description="the longest single wait, Retry-After included"
    )
    native_n: Literal["auto"] | bool = Field(
        "auto", description='ask for n choices in one request: "auto", true or false'
    )
    batch_size: int = Field(
        16, ge=1, le=100_000, description="prompts per generate() call (at least concurrency/2)"
    )

    @field_validator("native_n", mode="before")
    @classmethod
    def _native_n(cls, value: object) -> object:
        if value == "auto" or isinstance(value, bool):
            return value
        raise ValueError(f'must be "auto", true or false, got {show(value)}')

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return normalise_base_url(value)

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.fullmatch(value):
            # The value is not echoed: a key pasted here by mistake must not reach the log.
            raise ValueError("must be the NAME of an environment variable, e.g. OPENAI_API_KEY")
        return value
