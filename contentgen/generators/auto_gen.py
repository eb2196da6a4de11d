"""`builtin:auto`: the local text backend measured fastest on this host among the equivalent ones.

It runs the configured model (default SmolLM2 with the shipped copywriter adapter) on whichever of
builtin:transformers, builtin:openvino and builtin:ctranslate2 contentgen.generators.backend_choice
picked for this host. With no choice cached, the first call that brings at least
`MIN_PROBE_PROMPTS` distinct prompts (a batch job's or the demo's first model batch) measures them
once on a few of its own prompts and caches the choice; a smaller call (a one-shot request) runs
builtin:transformers without measuring, so it is never slowed down by a probe. `backend = ...`
overrides the choice; `measure = false` (or CONTENTGEN_BACKEND_PROBE=0) never measures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from contentgen.errors import ContentgenError
from contentgen.generator import Generator
from contentgen.generator_options import GeneratorOptions, PathText
from contentgen.generators import backend_choice as bc
from contentgen.modelfiles.adapters import ADAPTER_DESCRIPTION, AdapterSpec
from contentgen.types import TEXT_TASKS, Candidate, ModelInfo, Prompt, PromptError, Task

Backend = Literal["auto", "builtin:transformers", "builtin:openvino", "builtin:ctranslate2"]


class AutoOptions(GeneratorOptions):
    """The options of builtin:auto (contentgen.toml `[generators."builtin:auto"]`)."""

    model: PathText = Field("smollm2", description="the model, as for builtin:transformers")
    adapter: AdapterSpec = Field("auto", description=ADAPTER_DESCRIPTION)
    backend: Backend = Field(
        "auto", description="'auto': the measured choice; or the backend to use regardless"
    )
    measure: bool = Field(
        True, description="measure the backends on the first batch when no choice is cached"
    )
    device: Literal["cpu", "cuda", "mps", "auto"] = Field(
        "cpu", description="where the model runs (off the CPU: builtin:transformers, unmeasured)"
    )
    torch_threads: int = Field(1, ge=1, description="CPU threads for the model")
    cache_dir: PathText | None = Field(
        None, description="where converted models and the measured choice are kept"
    )


class AutoGenerator(Generator):
    """The default model on the fastest local backend that writes builtin:transformers' text."""

    id: ClassVar[str] = "builtin:auto"
    version: ClassVar[str] = "0.1"
    modality = "text"
    tasks: ClassVar[frozenset[Task]] = TEXT_TASKS
    description: ClassVar[str] = (
        "The fastest equivalent local backend on this host (measured once, cached); default SmolLM2."
    )
    Options = AutoOptions
    settings: AutoOptions
    # The probe's CPU-time clock (a test gives its fake backends a fake one).
    clock: Callable[[], float] = staticmethod(time.process_time)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._inner: Generator | None = None
        self._reference: Generator | None = None
        self._choice: bc.BackendChoice | None = None
        self._fields: dict[str, str] = {}
        self._how = ""
        self._lock = threading.Lock()

    def backend(self, generator_id: str) -> Generator:
        """A (not yet loaded) generator `generator_id` with this generator's model and options."""
        from contentgen.generators.ctranslate2_gen import CTranslate2Generator
        from contentgen.generators.openvino_gen import OpenVINOGenerator
        from contentgen.generators.transformers_gen import TransformersGenerator

        kinds: dict[str, type[Generator]] = {
            "builtin:transformers": TransformersGenerator,
            "builtin:openvino": OpenVINOGenerator,
            "builtin:ctranslate2": CTranslate2Generator,
        }
        s = self.settings
        common = {"model": s.model, "adapter": s.adapter, "torch_threads": s.torch_threads}
        if s.cache_dir is not None:
            common["cache_dir"] = s.cache_dir
        if generator_id == bc.REFERENCE:
            common["device"] = s.device
        return kinds[generator_id](**common)

    def _load(self) -> None:
        from contentgen.modelfiles import resolve_text_model
        from contentgen.modelfiles.adapters import resolve_adapter, revision_with_adapter

        s = self.settings
        resolved = resolve_text_model(s.model, cache_dir=s.cache_dir)
        revision = revision_with_adapter(resolved.revision, resolve_adapter(s.adapter, resolved))
        self._fields = bc.host_fields(f"{resolved.model_id}@{revision}")
        if s.backend != "auto":
            self._use(s.backend, "configured (backend option)")
        elif s.device != "cpu":
            self._use(bc.REFERENCE, f"device {s.device!r}: the int8 backends are CPU-only here")
        else:
            self._choice = bc.read_choice(self._cache_dir(), bc.host_key(self._fields))
            if self._choice is not None:
                self._use(self._choice.chosen, "measured on this host")
            else:  # decided on the first call; the reference answers continues_answer() till then
                self._reference = self.backend(bc.REFERENCE)
                self._reference.load()

    def _cache_dir(self) -> Path:
        from contentgen.modelfiles.resolve import cache_root

        return cache_root(self.settings.cache_dir)

    def _use(self, generator_id: str, how: str, loaded: Generator | None = None) -> None:
        inner = loaded or self.backend(generator_id)
        inner.load()
        self._inner, self._how = inner, how

    def generate(self, prompts: Sequence[Prompt]) -> Sequence[Sequence[Candidate] | PromptError]:
        """The chosen backend's answers (the first call may measure the backends first)."""
        self.load()
        with self._lock:
            if self._inner is None:
                self._decide(prompts)
        assert self._inner is not None
        return self._inner.generate(prompts)

    def _decide(self, prompts: Sequence[Prompt]) -> None:
        """Measure on this call's prompts when allowed and worth it; else run the reference."""
        reference = self._reference or self.backend(bc.REFERENCE)
        probe = bc.probe_prompts(prompts)
        if not (self.settings.measure and bc.probe_allowed()):
            self._use(bc.REFERENCE, "not measured (measuring is switched off)", reference)
            return
        if len(probe) < bc.MIN_PROBE_PROMPTS:
            self._use(bc.REFERENCE, "not measured yet (waits for a batch)", reference)
            return
        backends = {gid: self.backend(gid) for gid in bc.CANDIDATES if gid != bc.REFERENCE}
        backends = {bc.REFERENCE: reference, **backends}
        gaps = getattr(reference, "greedy_gaps")  # noqa: B009 - TransformersGenerator's
        try:
            found = bc.measure(backends, probe, gaps, self.clock)
        except ContentgenError:
            self._use(bc.REFERENCE, "not measured (the reference failed on the probe)", reference)
            return
        self._choice = bc.new_choice(self._fields, len(probe), found)
        bc.write_choice(self._cache_dir(), self._choice)
        for gid, gen in backends.items():
            if gid != self._choice.chosen:
                gen.close()
        self._use(self._choice.chosen, "measured on this host", backends[self._choice.chosen])
        self._reference = None

    def choice_lines(self) -> list[str]:
        """What `contentgen generators` shows: the backend in use or cached, and its figures."""
        if self._inner is not None and self._choice is None:
            return [f"backend: {self._inner.id} ({self._how})"]
        if self._choice is not None:
            return self._choice.lines()
        if self.settings.backend != "auto":
            return [f"backend: {self.settings.backend} (configured)"]
        cached = bc.choices_for_this_host(self._cache_dir())
        if not cached:
            return ["backend: not measured on this host yet (the first batch measures it)"]
        return [line for choice in cached for line in choice.lines()]

    def model_info(self) -> ModelInfo:
        """The chosen backend's model info, naming the backend and how it was chosen."""
        if self._inner is None:
            return ModelInfo(model_id=self.settings.model, backend="auto (not chosen yet)")
        info = self._inner.model_info()
        extra = {**info.extra, "backend_id": self._inner.id, "backend_chosen": self._how}
        return replace(info, extra=extra)

    def max_batch_size(self) -> int:
        """The chosen backend's batch (64 prompts until it is chosen: the probe wants a batch)."""
        return self._inner.max_batch_size() if self._inner is not None else 64

    def continues_answer(self) -> bool:
        """Whether the backend (or, until one is chosen, the reference) continues a prefill."""
        current = self._inner or self._reference
        return current.continues_answer() if current is not None else False

    def close(self) -> None:
        """Close the chosen backend (and the reference, if it is still held)."""
        for gen in (self._inner, self._reference):
            if gen is not None:
                gen.close()
        self._inner = self._reference = None
        self._loaded = False
