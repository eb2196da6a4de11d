"""Generators for the reliability tests: a prompt parrot and deliberately bad ones.

They live in an importable module because untrusted generators run in a spawned child process,
which imports the class again by module path.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from typing import Any, ClassVar

from contentgen.errors import TransientGeneratorError
from contentgen.generator import Generator
from contentgen.plugins import plugin_module
from contentgen.testing import EchoGenerator, NoiseImageGenerator
from contentgen.types import Candidate, ModelInfo, Prompt, Task

TEXT = frozenset({Task.MARKETING, Task.NEWS_SUMMARY, Task.CUSTOMER_SERVICE})
log = logging.getLogger("contentgen.tests.reliability")


class ParrotGenerator(Generator):
    """The worst model for privacy: repeats everything it was shown (system, prompt, data)."""

    id: ClassVar[str] = "canary:parrot"
    tasks: ClassVar[frozenset[Task]] = TEXT
    options: ClassVar[dict[str, Any]] = {"batch_size": 32, "fail_every": 0}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Each candidate is the whole input; every `fail_every`-th batch raises quoting it."""
        self.calls = getattr(self, "calls", 0) + 1
        everything = [
            f"{p.system or ''}\n{p.text}\n{json.dumps(p.data, default=str)}" for p in prompts
        ]
        for text in everything:
            log.debug("parrot saw %s", text)
        every = int(self.config["fail_every"])
        if every and self.calls % every == 0:
            raise RuntimeError(f"parrot choked on: {everything[0][-300:]}")
        return [
            [Candidate(text=text) for _ in range(p.n)]
            for p, text in zip(prompts, everything, strict=True)
        ]


class RaisingGenerator(Generator):
    """Always raises a plain (non-transient) error: must fail at once, never retried."""

    id: ClassVar[str] = "hostile:raises"
    tasks: ClassVar[frozenset[Task]] = TEXT

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Raise."""
        self.calls = getattr(self, "calls", 0) + 1
        raise ValueError("tokenizer exploded on byte 0xFF")


class HangingGenerator(EchoGenerator):
    """Sleeps far beyond any timeout before answering."""

    id: ClassVar[str] = "hostile:hangs"
    options: ClassVar[dict[str, Any]] = {**EchoGenerator.options, "hang_s": 60.0}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Hang, then answer (too late)."""
        time.sleep(float(self.config["hang_s"]))
        return super().generate(prompts)


class InProcessHangingGenerator(HangingGenerator):
    """The same hang in a trusted (in-process) generator: only a thread timeout can help."""

    id: ClassVar[str] = "hostile:hangs-inprocess"
    options: ClassVar[dict[str, Any]] = {**EchoGenerator.options, "hang_s": 4.0}


class CrashingGenerator(Generator):
    """Kills its own process (as a segfaulting native library would)."""

    id: ClassVar[str] = "hostile:crashes"
    tasks: ClassVar[frozenset[Task]] = TEXT

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Exit the process without cleanup."""
        os._exit(3)


class FlakyGenerator(EchoGenerator):
    """Fails transiently the first time it sees each prompt, then answers: retries must win."""

    id: ClassVar[str] = "hostile:flaky"

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Raise TransientGeneratorError for unseen prompts, answer seen ones."""
        self.calls = getattr(self, "calls", 0) + 1
        seen: set[str] = self.__dict__.setdefault("seen", set())
        fresh = [p.text for p in prompts if p.text not in seen]
        if fresh:
            seen.update(fresh)
            raise TransientGeneratorError(f"device busy (call {self.calls})")
        return super().generate(prompts)


class MoodyGenerator(EchoGenerator):
    """Misbehaves per product: names containing CRASH, HANG, RAISE or FLAKY; others are fine."""

    id: ClassVar[str] = "hostile:moody"
    options: ClassVar[dict[str, Any]] = {**EchoGenerator.options, "batch_size": 4, "hang_s": 60.0}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Crash, hang, raise or fail once for the marked products in this batch."""
        names = [str(p.data.get("product", {}).get("name", "")) for p in prompts]
        seen: set[str] = self.__dict__.setdefault("seen", set())
        if any("CRASH" in n for n in names):
            os._exit(3)
        if any("HANG" in n for n in names):
            time.sleep(float(self.config["hang_s"]))
        if any("RAISE" in n for n in names):
            raise ValueError("weights produced NaN logits")
        flaky = [n for n in names if "FLAKY" in n and n not in seen]
        if flaky:
            seen.update(flaky)
            raise TransientGeneratorError("CUDA out of memory, try again")
        return super().generate(prompts)

    def model_info(self) -> ModelInfo:
        """Reports the process it runs in (the isolated child, when untrusted)."""
        return ModelInfo(model_id="moody", backend=f"pid-{os.getpid()}")


HOSTILE = (
    RaisingGenerator,
    HangingGenerator,
    InProcessHangingGenerator,
    CrashingGenerator,
    FlakyGenerator,
    MoodyGenerator,
)


def reliability_plugin() -> object:
    """An in-memory plugin with the echo, parrot and hostile generators."""

    def register_generators(register):  # type: ignore[no-untyped-def]
        for cls in (EchoGenerator, NoiseImageGenerator, ParrotGenerator, *HOSTILE):
            register(cls)

    return plugin_module("reliability", register_generators=register_generators)
