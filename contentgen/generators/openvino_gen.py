"""`builtin:openvino`: GGUF models decoded by OpenVINO GenAI's continuous-batching pipeline on CPU.

The fast CPU backend for batch jobs. Unlike CTranslate2, which re-allocates and copies every
sequence's whole KV cache at each step, OpenVINO keeps the cache in preallocated blocks (paged
attention) and schedules all prompts of a call together, so a catalogue's rows x variants share
each step's int8 matrix products. Prompts are encoded with the model's own transformers tokenizer
and chat template, exactly as builtin:transformers encodes them, and each prompt gets its own
generation settings and random stream: with the defaults `precision = "f32"` and
`kv_cache_precision = "f32"` a prompt's output (greedy, or sampled with its seed) does not depend on
what else is in the batch, on AVX2-only and AVX-512 CPUs alike. OpenVINO's own default KV cache is
u8, quantized per cache block; on AVX2-only CPUs its kernels then give a prompt different text
alone and in a batch (seen on an AMD EPYC host and reproduced on an AVX-512 host with the ISA
capped to AVX2), so u8 is an opt-in that records `batch_invariant = False` in provenance.

Prefix caching is on (`prefix_caching = true`): computed KV blocks stay in the paged cache, so a
template's shared start (~250 of a catalogue prompt's ~350 tokens) is computed once per process
and a repair attempt reuses its whole prompt (about 2x fewer CPU-seconds on the real job, on
AVX-512 and AVX2 kernels alike). A prompt whose start comes from the cache runs the rest through
other attention kernels than a whole prompt, so at a near-tie its greedy text can differ from the
text computed whole, or alone: every token stays the fp32 reference's choice or a near-tie, but
the batch guarantee above needs `prefix_caching = false`, and provenance records
`batch_invariant = False` while it is on.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from contentgen.errors import GeneratorError
from contentgen.generator import Generator
from contentgen.generators.text_options import LocalTextOptions
from contentgen.generators.textrows import (
    Row,
    candidate,
    cut_at_stop,
    make_rows,
    model_eos_ids,
)
from contentgen.hostinfo import host_cpu
from contentgen.modelfiles import resolve_text_model
from contentgen.modelfiles.adapters import (
    ADAPTER_DESCRIPTION,
    AdapterSpec,
    ResolvedAdapter,
    prompts_for_adapter,
    resolve_adapter,
    revision_with_adapter,
)
from contentgen.modelfiles.gguf_requant import ensure_q8_gguf
from contentgen.modelfiles.resolve import quiet_progress_bars
from contentgen.types import TEXT_TASKS, Candidate, ModelInfo, Prompt, Task


class OpenVINOOptions(LocalTextOptions):
    """The options of builtin:openvino (contentgen.toml `[generators."builtin:openvino"]`)."""

    device: Literal["cpu", "auto"] = Field(
        "cpu", description="where the model runs (OpenVINO has no CUDA or MPS backend)"
    )
    precision: Literal["f32", "bf16"] = Field(
        "f32", description="inference precision (bf16 makes a prompt's text depend on its batch)"
    )
    kv_cache_precision: Literal["f32", "u8"] = Field(
        "f32", description="KV cache precision (u8 is batch-dependent on AVX2-only CPUs)"
    )
    weights: Literal["q8_0", "source"] = Field(
        "q8_0", description="decode Q8_0 weights (requantized once) or the GGUF file's own"
    )
    threads: int = Field(0, ge=0, description="inference threads (0: torch_threads)")
    batch_size: int = Field(64, ge=1, description="prompts per generate() call")
    max_sequences: int = Field(256, ge=1, description="sequences the scheduler runs at once")
    kv_cache_gb: int = Field(1, ge=1, description="KV cache size in GB")
    prefix_caching: bool = Field(
        True,
        description="reuse computed prompt blocks for prompts that start the same way "
        "(false: a prompt's text never depends on its batch)",
    )
    adapter: AdapterSpec = Field("auto", description=ADAPTER_DESCRIPTION)


class OpenVINOGenerator(Generator):
    """Text from a GGUF model through OpenVINO GenAI: continuous batching, paged KV cache, int8."""

    id: ClassVar[str] = "builtin:openvino"
    version: ClassVar[str] = "0.1"
    modality = "text"
    tasks: ClassVar[frozenset[Task]] = TEXT_TASKS
    description: ClassVar[str] = (
        "OpenVINO GenAI continuous batching of a GGUF model (int8 weights); default SmolLM2."
    )
    Options = OpenVINOOptions
    settings: OpenVINOOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pipeline: Any = None
        self._tokenizer: Any = None
        self._eos: list[int] = []
        self._info: ModelInfo | None = None
        self._adapter: ResolvedAdapter | None = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        resolved = resolve_text_model(self.settings.model, cache_dir=self.settings.cache_dir)
        if resolved.gguf is None:
            raise GeneratorError(
                f"builtin:openvino decodes GGUF models ('smollm2' or a .gguf file), and "
                f"{self.config['model']!r} is a transformers checkpoint; use builtin:ctranslate2 "
                "or builtin:transformers for it"
            )
        from importlib.metadata import version

        import openvino_genai
        from transformers import AutoTokenizer

        gguf = resolved.gguf
        adapter = self._adapter = resolve_adapter(self.settings.adapter, resolved)
        if adapter is not None and self.settings.weights == "source":
            raise GeneratorError(
                f"adapter {adapter.name!r} is merged into the Q8_0 weights: set weights = "
                "'q8_0', or adapter = 'none' to decode the GGUF file's own weights"
            )
        if self.settings.weights == "q8_0":
            gguf = ensure_q8_gguf(resolved, self.settings.cache_dir, adapter)
        with quiet_progress_bars():
            self._tokenizer = AutoTokenizer.from_pretrained(resolved.path)
        self._eos = model_eos_ids(resolved.path, self._tokenizer)
        properties = {
            # 0 follows the project-wide thread setting, as CTranslate2's intra_threads does.
            "INFERENCE_NUM_THREADS": self.settings.threads or self.settings.torch_threads,
            # bf16 (the default on CPUs with AMX) makes a prompt's output depend on its batch.
            "INFERENCE_PRECISION_HINT": self.settings.precision,
            # A u8 cache makes a prompt's output depend on its batch on AVX2-only CPUs.
            "KV_CACHE_PRECISION": self.settings.kv_cache_precision,
        }
        try:
            self._pipeline = openvino_genai.ContinuousBatchingPipeline(
                str(gguf), self._scheduler(), "CPU", properties
            )
        except (RuntimeError, ValueError, IndexError, KeyError, OSError) as exc:
            # OpenVINO's GGUF reader reports a missing metadata key as a bare IndexError.
            raise GeneratorError(f"OpenVINO cannot load {gguf}: {exc}") from exc
        self._info = ModelInfo(
            model_id=resolved.model_id,
            revision=revision_with_adapter(resolved.revision, adapter),
            backend=f"openvino-genai {version('openvino-genai')}",
            extra={
                "precision": self.settings.precision,
                "kv_cache_precision": self.settings.kv_cache_precision,
                "weights": self.settings.weights,
                "prefix_caching": self.settings.prefix_caching,
                "device": "cpu",
                "cpu": host_cpu().describe(),
                "batch_invariant": self.batch_invariant,
                "path": str(gguf),
                **(adapter.provenance() if adapter else {}),
            },
        )

    def _scheduler(self) -> Any:
        """The continuous-batching scheduler: cache size, sequences, chunked prefill, prefixes."""
        import openvino_genai

        scheduler = openvino_genai.SchedulerConfig()
        scheduler.cache_size = self.settings.kv_cache_gb
        scheduler.max_num_seqs = self.settings.max_sequences
        scheduler.max_num_batched_tokens = 4096
        scheduler.dynamic_split_fuse = True
        # A template's shared start (system prompt, instructions, few-shot turns) and a repair
        # attempt's whole prompt are computed once and reused from the paged cache.
        scheduler.enable_prefix_caching = self.settings.prefix_caching
        return scheduler

    @property
    def batch_invariant(self) -> bool:
        """True when a prompt's text (greedy, or sampled with its seed) is the same in any batch.

        Measured: f32 compute with an f32 KV cache and no prefix caching holds on AVX-512+AMX
        and on AVX2-only kernels; bf16 compute, a u8 cache or prefix caching does not on every
        CPU or prompt (a cached start is reused through other kernels), so none is promised.
        """
        return (
            self.settings.precision == "f32"
            and self.settings.kv_cache_precision == "f32"
            and not self.settings.prefix_caching
        )

    def model_info(self) -> ModelInfo:
        """The model id and revision (after `load()`; the configured spec before)."""
        return self._info or ModelInfo(model_id=self.settings.model, backend="openvino")

    def continues_answer(self) -> bool:
        """True: GGUF models are decoder-only, and prompts go through `encode_prompt`'s prefill."""
        return True

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """`prompt.n` texts per prompt, every prompt of the call scheduled together."""
        if not prompts:
            return []
        self.load()
        prompts = prompts_for_adapter(self._adapter, prompts)
        import numpy as np
        import openvino

        firsts = [row for row in make_rows(self._tokenizer, prompts) if row.variant == 0]
        inputs = [openvino.Tensor(np.array([row.ids], dtype=np.int64)) for row in firsts]
        configs = [self._config(row) for row in firsts]
        with self._lock:
            try:
                results = self._pipeline.generate(inputs, configs)
            except RuntimeError as exc:
                raise GeneratorError(f"{self.id} failed to generate: {exc}") from exc
        return [self._candidates(row, result) for row, result in zip(firsts, results, strict=True)]

    def _config(self, row: Row) -> Any:
        """OpenVINO generation settings for one prompt (greedy prompts decode once)."""
        import openvino_genai

        prompt = row.prompt
        config = openvino_genai.GenerationConfig()
        config.max_new_tokens = prompt.max_new_tokens
        config.stop_token_ids = set(self._eos)
        if prompt.stop:
            config.stop_strings = set(prompt.stop)
        if prompt.greedy:
            config.do_sample = False
            return config
        config.do_sample = True
        config.temperature = prompt.temperature
        config.top_p = prompt.top_p
        if prompt.top_k > 0:
            config.top_k = prompt.top_k
        config.num_return_sequences = prompt.n
        config.rng_seed = row.seed % 2**63
        return config

    def _candidates(self, row: Row, result: Any) -> list[Candidate]:
        """The prompt's `n` candidates from OpenVINO's sequences (one, copied, when greedy)."""
        import openvino_genai

        stopped = openvino_genai.GenerationFinishReason.STOP
        found = []
        for ids, reason in zip(result.m_generation_ids, result.finish_reasons, strict=True):
            kept = [i for i in ids if i not in self._eos]
            text, cut = cut_at_stop(
                self._tokenizer.decode(kept, skip_special_tokens=True), row.prompt.stop
            )
            finish = "stop" if cut or reason == stopped else "length"
            found.append((text, len(ids), finish))
        out = []
        for variant in range(row.prompt.n):
            text, new_tokens, finish = found[variant % len(found)]
            variant_row = Row(row.index, variant, row.prompt, row.ids, row.seed)
            out.append(candidate(text, variant_row, new_tokens, finish, seed=row.prompt.seed))
        return out

    def max_batch_size(self) -> int:
        """Prompts per `generate()` call: OpenVINO schedules all of them together."""
        return self.settings.batch_size

    def close(self) -> None:
        """Drop the OpenVINO pipeline so its memory can be freed."""
        self._pipeline = None
        self._loaded = False
