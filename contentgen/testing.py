"""Test kit for plugin authors: a contract suite to subclass, and fast deterministic generators.

from contentgen.testing import GeneratorContract

class TestMyGenerator(GeneratorContract):
    @pytest.fixture
    def generator(self):
        return MyGenerator(model="tiny")
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from contentgen.channels import CHANNELS
from contentgen.errors import ValidationError
from contentgen.generator import Generator, GeneratorSpec
from contentgen.types import TEXT_TASKS, Candidate, ModelInfo, Prompt, Task

if TYPE_CHECKING:
    from contentgen.engine import Engine

_OPENERS = ("Meet", "Discover", "Try", "Say hello to", "Get", "Enjoy", "Choose", "Love")


def _pick(seed: int | None, i: int, options: Sequence[str]) -> str:
    digest = hashlib.sha256(f"{seed}:{i}".encode()).digest()
    return options[digest[0] % len(options)]


class EchoGenerator(Generator):
    """Fast, deterministic text generator that writes well-formed copy from the prompt's data."""

    id: ClassVar[str] = "testing:echo"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[frozenset[Task]] = TEXT_TASKS
    options: ClassVar[dict[str, Any]] = {"batch_size": 64, "fail_on": None, "delay_s": 0.0}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """One candidate per variant, built from the product name / article / message."""
        if self.config["delay_s"]:
            import time

            time.sleep(float(self.config["delay_s"]))  # stands in for a model's latency per batch
        return [[self._one(p, i) for i in range(p.n)] for p in prompts]

    def _one(self, prompt: Prompt, i: int) -> Candidate:
        data = prompt.data
        fail_on = self.config["fail_on"]
        if fail_on and fail_on in prompt.text:
            raise RuntimeError(f"echo generator told to fail on {fail_on!r}")
        opener = _pick(prompt.seed, i, _OPENERS)
        if prompt.task is Task.MARKETING:
            product = data.get("product", {})
            name = str(product.get("name") or product.get("title") or "it")
            spec = CHANNELS[str(data.get("channel", "search_ad"))]
            lines = []
            for f in spec.fields:
                base = (
                    f"{opener} {name}. Made for {data.get('audience', 'you')}, ready when you are."
                )
                while len(base) < f.min_chars:
                    base += " Order today."
                lines.append(
                    f"{f.title}: {base[: f.max_chars].rsplit(' ', 1)[0] if len(base) > f.max_chars else base}"
                )
            text = "\n".join(lines) if len(spec.fields) > 1 else lines[0].split(": ", 1)[1]
        elif prompt.task is Task.NEWS_SUMMARY:
            text = str(data.get("article", "")).split(".")[0].strip() + "."
        else:
            text = (
                "Thank you for your message, we are sorry about the trouble.\n\n"
                f"{opener} a quick fix: we will look into it right away.\n\n"
                "We will email you as soon as it is resolved."
            )
        return Candidate(text=text, meta={"new_tokens": len(text.split()), "finish_reason": "stop"})

    def model_info(self) -> ModelInfo:
        """No model: rule-based."""
        return ModelInfo(model_id="echo", backend="rules")


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
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.IMAGE})
    options: ClassVar[dict[str, Any]] = {"size": 8}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """`prompt.n` seeded noise PNGs per prompt."""
        size = int(self.config["size"])
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
) -> Engine:
    """An Engine routing text tasks to EchoGenerator and images to noise, with no evaluators.

    Module-level and picklable by reference, so `functools.partial(echo_engine, dir)` also
    serves as the engine factory of Ray workers and subprocesses in tests and benchmarks.
    """
    from contentgen.config import Route, Settings
    from contentgen.engine import Engine
    from contentgen.plugins import load_plugins

    routes = {
        Task.MARKETING: Route("testing:echo"),
        Task.NEWS_SUMMARY: Route("testing:echo", fallback="builtin:extractive"),
        Task.CUSTOMER_SERVICE: Route("testing:echo", template="customer_service/reply"),
        Task.IMAGE: Route("testing:noise"),
    }
    settings = Settings(
        data_dir=Path(data_dir),
        database_url=database_url,
        routes=routes,
        generators=generators or {},
        use_entry_points=False,
        torch_threads=1,
    )
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", echo_plugin())])
    return Engine(settings, plugins, evaluators=[])


class GeneratorContract:
    """Subclass in your tests and provide a `generator` fixture; every test must pass."""

    # Image generators: a class your model draws, asked for by name in every image prompt.
    image_class: ClassVar[str] = ""

    @pytest.fixture
    def generator(self) -> Generator:
        """Override: return an instance of your generator (tiny config)."""
        raise NotImplementedError("define a `generator` fixture returning your generator")

    def _prompt(self, generator: Generator, text: str, n: int = 1, seed: int = 1) -> Prompt:
        task = sorted(generator.tasks, key=lambda t: t.value)[0]
        if task is Task.IMAGE and self.image_class:
            text = f"{text} {self.image_class}"
        data: Any = {
            Task.MARKETING: {"product": {"name": text}, "channel": "search_ad", "audience": "all"},
            Task.NEWS_SUMMARY: {
                "article": f"{text}. More text.",
                "target_words": 20,
                "style": "brief",
            },
            Task.CUSTOMER_SERVICE: {"message": text, "context": {}, "policy": ""},
            Task.IMAGE: {"prompt": text, "class_name": ""},
        }[task]
        return Prompt(task=task, text=text, n=n, seed=seed, max_new_tokens=8, data=data)

    def test_id_names_plugin_and_generator(self, generator: Generator) -> None:
        """Ids look like '<plugin>:<name>' and the class describes itself."""
        spec = GeneratorSpec.from_class(type(generator), "contract")
        assert spec.id.count(":") == 1 and all(spec.id.split(":"))
        assert spec.tasks, "declare at least one task"
        assert generator.modality in ("text", "image")

    def test_load_is_idempotent(self, generator: Generator) -> None:
        """Calling load() twice is safe and leaves the generator loaded."""
        generator.load()
        generator.load()
        assert generator.loaded

    def test_empty_batch_gives_empty_result(self, generator: Generator) -> None:
        """No prompts, no candidates."""
        generator.load()
        assert generator.generate([]) == []

    def test_one_list_of_n_candidates_per_prompt_in_order(self, generator: Generator) -> None:
        """Each prompt gets exactly its own n candidates, in input order."""
        generator.load()
        prompts = [self._prompt(generator, "alpha", n=2), self._prompt(generator, "beta", n=1)]
        result = generator.generate(prompts)
        assert [len(c) for c in result] == [2, 1]
        for candidates in result:
            for candidate in candidates:
                assert isinstance(candidate, Candidate)
                if generator.modality == "text":
                    assert isinstance(candidate.text, str)
                else:
                    assert candidate.image_png and candidate.image_png.startswith(b"\x89PNG")

    def test_same_seed_same_output(self, generator: Generator) -> None:
        """A seed makes generation reproducible."""
        generator.load()
        first = generator.generate([self._prompt(generator, "gamma", seed=7)])
        second = generator.generate([self._prompt(generator, "gamma", seed=7)])
        assert first == second

    def test_model_info_for_provenance(self, generator: Generator) -> None:
        """model_info() names the model for provenance."""
        info = generator.model_info()
        assert isinstance(info, ModelInfo) and info.model_id

    def test_unknown_option_is_a_clear_error(self, generator: Generator) -> None:
        """A misspelt option names the valid ones."""
        with pytest.raises(ValidationError, match="not an option"):
            type(generator)(no_such_option_xyz=1)


class ImageGeneratorContract(GeneratorContract):
    """The contract plus what image generators promise; set `image_class` if you draw classes."""

    def test_an_image_seed_alone_redraws_that_image(self, generator: Generator) -> None:
        """Image i records the seed it was drawn from; asking for that seed alone redraws it."""
        assert generator.modality == "image", "use GeneratorContract for text generators"
        generator.load()
        [images] = generator.generate([self._prompt(generator, "delta", n=3, seed=11)])
        for image in images:
            seed = image.meta.get("seed")
            assert isinstance(seed, int), "put each image's own seed in Candidate.meta['seed']"
            [[alone]] = generator.generate([self._prompt(generator, "delta", seed=seed)])
            assert alone.image_png == image.image_png
