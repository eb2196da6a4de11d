"""Fast deterministic fakes for tests: the echo text generator, the noise image generator and an
engine wired to them (no model, no network)."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from contentgen.checks.channels import CHANNELS
from contentgen.confidence import LOGPROBS_PARAM, TOKEN_LOGPROBS, LogprobsFlag, as_meta, wanted
from contentgen.generator import Generator
from contentgen.generator_options import GeneratorOptions
from contentgen.types import ALL_TASKS, Candidate, ModelInfo, Prompt, PromptError, Task

if TYPE_CHECKING:
    from contentgen.engine import Engine

_OPENERS = ("Meet", "Discover", "Try", "Say hello to", "Get", "Enjoy", "Choose", "Love", "Explore",
            "Pick", "Find", "Grab", "Shop", "See", "Welcome", "Unbox")  # fmt: skip


def _pick(seed: int | None, i: int, options: Sequence[str]) -> str:
    """The i-th variant's option for a seed: variants of one prompt never share one (up to
    len(options) variants), as a model's sampled variants seldom say the same words."""
    digest = hashlib.sha256(f"{seed}".encode()).digest()
    return options[(digest[0] + i) % len(options)]


class EchoOptions(GeneratorOptions):
    """The options of testing:echo."""

    batch_size: int = Field(64, ge=1, description="prompts per generate() call")
    fail_on: str | None = Field(
        None, description="raise when a prompt contains this text (fault injection)"
    )
    delay_s: float = Field(0.0, ge=0, description="seconds to sleep per call (latency)")
    reply: str | None = Field(
        None, description="answer every prompt with exactly this text (a misbehaving model)"
    )
    refuse_on: str | None = Field(
        None, description="answer a PromptError for a prompt containing this text (one refusal)"
    )


class NoiseOptions(GeneratorOptions):
    """The options of testing:noise."""

    size: int = Field(8, ge=1, le=1024, description="image side in pixels")


class EchoGenerator(Generator):
    """Fast, deterministic text generator that writes well-formed copy from the prompt's data."""

    id: ClassVar[str] = "testing:echo"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[frozenset[Task]] = ALL_TASKS
    Options = EchoOptions
    settings: EchoOptions
    extra_params: ClassVar[dict[str, Any]] = {LOGPROBS_PARAM: LogprobsFlag}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate] | PromptError]:
        """One candidate per variant, built from the product name / article / message."""
        if self.settings.delay_s:
            import time

            time.sleep(self.settings.delay_s)  # stands in for a model's latency per batch
        refuse = self.settings.refuse_on
        return [
            PromptError(f"echo generator told to refuse {refuse!r}")
            if refuse and refuse in p.text
            else [_scored(self._one(p, i), p) for i in range(p.n)]
            for p in prompts
        ]

    def _one(self, prompt: Prompt, i: int) -> Candidate:
        data = prompt.data
        fail_on = self.settings.fail_on
        if fail_on and fail_on in prompt.text:
            raise RuntimeError(f"echo generator told to fail on {fail_on!r}")
        if self.settings.reply is not None:
            return Candidate(text=self.settings.reply, meta={"finish_reason": "stop"})
        opener = _pick(prompt.seed, i, _OPENERS)
        # What to write follows the prompt's data, so plugin tasks get text too.
        if "channel" in data and "product" in data:
            text = _channel_copy(data, opener)
        elif "article" in data:
            text = str(data.get("article", "")).split(".")[0].strip() + "."
        elif "message" in data:
            text = (
                "Thank you for your message, we are sorry about the trouble.\n\n"
                f"{opener} a quick fix: we will look into it right away.\n\n"
                "We will email you as soon as it is resolved."
            )
        else:
            text = f"{opener}: " + "; ".join(_facts(data)) + "."
        return Candidate(text=text, meta={"new_tokens": len(text.split()), "finish_reason": "stop"})

    def model_info(self) -> ModelInfo:
        """No model: rule-based."""
        return ModelInfo(model_id="echo", backend="rules")


def _scored(found: Candidate, prompt: Prompt) -> Candidate:
    """With params={"logprobs": True}: each word (with the space before it) a token; a word with
    a digit gets p = 0.05 (low), any other p >= 0.37 from its hash, so tests know which to expect."""
    if not wanted(prompt.params) or found.text is None:
        return found
    tokens = re.findall(r"\s*\S+", found.text)
    logprobs = [
        -3.0
        if any(c.isdigit() for c in t)
        else -(hashlib.sha256(t.encode()).digest()[0] % 100) / 100
        for t in tokens
    ]
    meta = {**found.meta, TOKEN_LOGPROBS: as_meta(tokens, logprobs)}
    return Candidate(text=found.text, meta=meta)


def _channel_copy(data: Mapping[str, Any], opener: str) -> str:
    """Copy in the channel's fields, each within its length limits."""
    product = data.get("product", {})
    name = str(product.get("name") or product.get("title") or "it")
    spec = CHANNELS[str(data.get("channel", "search_ad"))]
    lines = []
    for f in spec.fields:
        base = f"{opener} {name}. Made for {data.get('audience', 'you')}, ready when you are."
        while len(base) < f.min_chars:
            base += " Order today."
        lines.append(
            f"{f.title}: {base[: f.max_chars].rsplit(' ', 1)[0] if len(base) > f.max_chars else base}"
        )
    return "\n".join(lines) if len(spec.fields) > 1 else lines[0].split(": ", 1)[1]


def _facts(data: Mapping[str, Any], limit: int = 6) -> list[str]:
    """'key value' for the first leaves of the structured (mapping or list) variables.

    Top-level scalars are left out: they are usually instructions (a length, a tone), not facts.
    """
    found: list[str] = []
    stack: list[tuple[str, Any]] = [
        (k, v) for k, v in reversed(list(data.items())) if isinstance(v, Mapping | list)
    ]
    while stack and len(found) < limit:
        key, value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend((str(k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((key, v) for v in reversed(value))
        elif value is not None and not isinstance(value, bool):
            found.append(f"{key} {value}")
    return found or ["all done"]


def _png(width: int, height: int, gray: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    raw = b"".join(b"\x00" + gray[r * width : (r + 1) * width] for r in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class NoiseImageGenerator(Generator):
    """Fast, seeded grayscale-noise image generator (no torch) for tests of the image path."""

    id: ClassVar[str] = "testing:noise"
    version: ClassVar[str] = "1.0"
    modality = "image"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task("image")})
    Options = NoiseOptions
    settings: NoiseOptions

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """`prompt.n` seeded noise PNGs per prompt."""
        size = self.settings.size
        out = []
        for p in prompts:
            images = []
            for i in range(p.n):
                seed = (p.seed or 0) + i  # image i's own seed: asking for it alone redraws it
                stream = io.BytesIO()
                counter = 0
                while stream.tell() < size * size:
                    stream.write(hashlib.sha256(f"{seed}:{counter}".encode()).digest())
                    counter += 1
                images.append(
                    Candidate(
                        image_png=_png(size, size, stream.getvalue()[: size * size]),
                        meta={"seed": seed, "class_name": "noise"},
                    )
                )
            out.append(images)
        return out


def echo_plugin() -> object:
    """An in-memory plugin registering EchoGenerator and NoiseImageGenerator (no entry point)."""
    from contentgen.plugins import plugin_module

    def register_generators(register):  # type: ignore[no-untyped-def]
        register(EchoGenerator)
        register(NoiseImageGenerator)

    return plugin_module("testing", register_generators=register_generators)


def echo_engine(
    data_dir: str | Path,
    *,
    database_url: str | None = None,
    generators: dict[str, dict[str, Any]] | None = None,
    plugins: Sequence[tuple[str, object]] = (),
    evaluators: Sequence[Any] | None = None,
) -> Engine:
    """An Engine routing text tasks to EchoGenerator and images to noise, with no evaluators.

    `plugins` adds (name, plugin) pairs, e.g. a plugin's own module: its text tasks are routed
    to EchoGenerator too. `evaluators` replaces the (empty) evaluator list.
    Module-level and picklable by reference, so `functools.partial(echo_engine, dir)` also
    serves as the engine factory of Ray workers and subprocesses in tests and benchmarks.
    """
    from contentgen.config import Route, Settings
    from contentgen.engine import Engine
    from contentgen.plugins import load_plugins

    found = load_plugins((), use_entry_points=False, extra=[("testing", echo_plugin()), *plugins])
    routes = {
        name: Route("testing:echo") for name, t in found.tasks.items() if t.modality == "text"
    }
    routes.update(
        {
            "news_summary": Route("testing:echo", fallback="builtin:extractive"),
            "customer_service": Route("testing:echo", template="customer_service/reply"),
            "image": Route("testing:noise"),
        }
    )
    settings = Settings(
        data_dir=Path(data_dir),
        database_url=database_url,
        routes=routes,
        generators=generators or {},
        use_entry_points=False,
        torch_threads=1,
    )
    return Engine(settings, found, evaluators=list(evaluators or []))
