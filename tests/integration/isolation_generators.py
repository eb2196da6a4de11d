"""Deliberately bad generators for the isolation tests (importable by a spawned child)."""

from __future__ import annotations

import ctypes
import os
import time
from collections.abc import Sequence
from typing import Any, ClassVar

from contentgen.errors import TransientGeneratorError
from contentgen.generator import Generator
from contentgen.types import Candidate, ModelInfo, Prompt, Task

TEXT = frozenset({Task.MARKETING, Task.NEWS_SUMMARY, Task.CUSTOMER_SERVICE})


class Misbehaving(Generator):
    """Echoes prompts; the prompt text picks a failure: raise, hang, exit, segfault, flaky."""

    id: ClassVar[str] = "bad:misbehaving"
    tasks: ClassVar[frozenset[Task]] = TEXT
    options: ClassVar[dict[str, Any]] = {"flaky_failures": 2, "hang_s": 30.0, "fail_load": False}

    def _load(self) -> None:
        if self.config["fail_load"]:
            raise RuntimeError("weights file is corrupt")
        self.calls = 0

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Behave according to the first prompt's text."""
        self.calls = getattr(self, "calls", 0) + 1
        command = prompts[0].text
        if command == "raise":
            raise ValueError("tokenizer exploded")
        if command == "hang":
            time.sleep(self.config["hang_s"])
        if command == "exit":
            os._exit(1)
        if command == "segfault":
            ctypes.string_at(0)
        if command == "flaky" and self.calls <= self.config["flaky_failures"]:
            raise TransientGeneratorError(f"device busy (call {self.calls})")
        if command == "timeout-error" and self.calls == 1:
            raise TimeoutError("backend timed out")
        if command == "short":
            return []
        return [
            [
                Candidate(text=f"{p.text}#{i}", meta={"pid": os.getpid(), "calls": self.calls})
                for i in range(p.n)
            ]
            for p in prompts
        ]

    def model_info(self) -> ModelInfo:
        """Reports the process it loaded in."""
        return ModelInfo(model_id="misbehaving", backend=f"pid-{os.getpid()}")
