"""`builtin:ctranslate2`: the same models decoded by CTranslate2 (int8 on CPU by default).

CTranslate2 samples from one random stream per worker thread and offers no per-row seeds, and
grouping prompts by seed would give up batching (the engine gives each request its own seed).
So rows are grouped by sampling settings only, and a group whose prompts all carry seeds is
decoded by a fresh worker seeded from all of those seeds (creating one takes ~0.1 s for
SmolLM2). The guarantee: the same prompts with the same seeds, in the same call, give the same
texts; a seeded prompt may sample differently when batched with other prompts than alone (use
builtin:transformers for per-prompt reproducibility). Greedy prompts (temperature 0) never
depend on the seed. `Candidate.meta["seed"]` is the prompt's seed (None when it had none).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import weakref
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from contentgen.errors import GeneratorError
from contentgen.generator import Generator
from contentgen.generators.text_options import HubTextOptions
from contentgen.generators.textrows import (
    Row,
    candidate,
    common_prefix_length,
    cut_at_stop,
    make_rows,
    model_eos_ids,
    sort_for_batching,
)
from contentgen.modelfiles import resolve_text_model
from contentgen.modelfiles.adapters import (
    ADAPTER_DESCRIPTION,
    AdapterSpec,
    ResolvedAdapter,
    merged_checkpoint,
    prompts_for_adapter,
    resolve_adapter,
)
from contentgen.modelfiles.ct2 import ensure_ct2_model
from contentgen.modelfiles.resolve import quiet_progress_bars
from contentgen.types import TEXT_TASKS, Candidate, ModelInfo, Prompt, Task

log = logging.getLogger(__name__)

# set_random_seed only reaches worker threads created after it, so seeding + creating is one step.
_SEED_LOCK = threading.Lock()
# A CTranslate2 worker keeps the last Python callback alive; destroying the worker during
# interpreter shutdown then aborts the process. Closing every loaded generator at exit avoids it.
_LIVE: weakref.WeakSet[CTranslate2Generator] = weakref.WeakSet()


# The values of contentgen.modelfiles.ct2.QUANTIZATIONS (a test keeps the two equal).
ComputeType = Literal[
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float32",
    "float16",
    "bfloat16",
]


class CTranslate2Options(HubTextOptions):
    """The options of builtin:ctranslate2 (contentgen.toml `[generators."builtin:ctranslate2"]`)."""

    device: Literal["cpu", "cuda", "auto"] = Field(
        "cpu", description="where the model runs (CTranslate2 has no mps backend)"
    )
    compute_type: ComputeType = Field(
        "int8", description="the CTranslate2 compute type (int8 is the fast one on CPU)"
    )
    inter_threads: int = Field(1, ge=0, description="batches decoded in parallel (0 counts as 1)")
    intra_threads: int = Field(0, ge=0, description="threads per batch (0: torch_threads)")
    batch_size: int = Field(32, ge=1, description="prompts decoded together")
    adapter: AdapterSpec = Field("auto", description=ADAPTER_DESCRIPTION)


@atexit.register
def _close_all() -> None:
    for generator in list(_LIVE):
        generator.close()


class CTranslate2Generator(Generator):
    """Text from a local model converted to CTranslate2: several times faster on CPU."""

    id: ClassVar[str] = "builtin:ctranslate2"
    version: ClassVar[str] = "0.1"
    modality = "text"
    tasks: ClassVar[frozenset[Task]] = TEXT_TASKS
    description: ClassVar[str] = (
        "CTranslate2 decoding (int8 on CPU) of a converted local model; default SmolLM2."
    )
    Options = CTranslate2Options
    settings: CTranslate2Options

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._engine: Any = None
        self._tokenizer: Any = None
        self._info: ModelInfo | None = None
        self._adapter: ResolvedAdapter | None = None

    def _load(self) -> None:
        import ctranslate2
        from transformers import AutoConfig, AutoTokenizer

        resolved = resolve_text_model(
            self.settings.model,
            cache_dir=self.settings.cache_dir,
            revision=self.settings.revision,
            local_files_only=self.settings.local_files_only,
        )
        adapter = self._adapter = resolve_adapter(self.settings.adapter, resolved)
        if adapter is not None:  # converted from a checkpoint with the adapter merged in
            resolved = merged_checkpoint(resolved, adapter, self.settings.cache_dir)
        device = self.settings.device
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        compute_type = self.settings.compute_type
        supported = ctranslate2.get_supported_compute_types(device)
        if compute_type not in supported:
            raise GeneratorError(
                f"compute_type {compute_type!r} is not supported on {device} "
                f"(valid: {', '.join(sorted(supported))})"
            )
        with quiet_progress_bars():
            config = AutoConfig.from_pretrained(resolved.path)
            self._tokenizer = AutoTokenizer.from_pretrained(resolved.path)
        self._seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        self._model_dir = ensure_ct2_model(resolved, compute_type, self.settings.cache_dir)
        self._engine_args = {
            "device": device,
            "compute_type": compute_type,
            "inter_threads": max(1, self.settings.inter_threads),
            "intra_threads": self.settings.intra_threads or self.settings.torch_threads,
        }
        self._engine = self._new_engine()
        _LIVE.add(self)
        self._eos = model_eos_ids(resolved.path, self._tokenizer)
        self._info = ModelInfo(
            model_id=resolved.model_id,
            revision=resolved.revision,
            backend=f"ctranslate2 {ctranslate2.__version__}",
            extra={
                "compute_type": compute_type,
                "device": device,
                "path": str(self._model_dir),
                **(adapter.provenance() if adapter else {}),
            },
        )

    def _new_engine(self, seed: int | None = None) -> Any:
        import ctranslate2

        kind = ctranslate2.Translator if self._seq2seq else ctranslate2.Generator
        if seed is None:
            return kind(str(self._model_dir), **self._engine_args)
        with _SEED_LOCK:
            ctranslate2.set_random_seed(seed % 2**32)
            return kind(str(self._model_dir), **{**self._engine_args, "inter_threads": 1})

    def model_info(self) -> ModelInfo:
        """The model id and revision (after `load()`; the configured spec before)."""
        return self._info or ModelInfo(model_id=self.settings.model, backend="ctranslate2")

    def continues_answer(self) -> bool:
        """True for decoder-only models: `encode_prompt` ends their prompt with the prefill."""
        return self.loaded and not self._seq2seq

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """`prompt.n` texts per prompt; prompts grouped by sampling settings, then length-sorted."""
        self.load()
        prompts = prompts_for_adapter(self._adapter, prompts)
        rows = make_rows(self._tokenizer, prompts, seq2seq=self._seq2seq)
        firsts = [rows[i] for i in sort_for_batching(rows) if rows[i].variant == 0]
        groups: dict[tuple[float, int, float, int], list[Row]] = {}
        for row in firsts:
            p = row.prompt
            # Greedy variants are identical: decode once and copy.
            key = (0.0, 1, 1.0, 1) if p.greedy else (p.temperature, p.top_k, p.top_p, p.n)
            groups.setdefault(key, []).append(row)
        done: dict[tuple[int, int], Candidate] = {}
        for key, members in groups.items():
            for row, cands in zip(members, self._decode(members, key), strict=True):
                for variant in range(row.prompt.n):
                    done[(row.index, variant)] = cands[variant % len(cands)]
        return [[done[(i, v)] for v in range(p.n)] for i, p in enumerate(prompts)]

    def _decode(self, rows: list[Row], key: tuple[float, int, float, int]) -> list[list[Candidate]]:
        """Decode one group: each row is a distinct prompt; `key[3]` samples per prompt."""
        temperature, top_k, top_p, n = key
        greedy = key == (0.0, 1, 1.0, 1)
        tracker = _Tracker(rows, n, self._eos, self._tokenizer)
        tokens = [self._tokenizer.convert_ids_to_tokens(list(row.ids)) for row in rows]
        options: dict[str, Any] = {
            "max_batch_size": self.settings.batch_size,
            "num_hypotheses": n,
            "beam_size": 1,
            "sampling_temperature": 1.0 if greedy else temperature,
            "sampling_topk": top_k,
            "sampling_topp": top_p,
            "callback": tracker,
            "end_token": self._eos or None,
        }
        budget = max(row.prompt.max_new_tokens for row in rows)
        seed = None if greedy else _group_seed(rows)
        engine = self._engine if seed is None else self._new_engine(seed)
        try:
            if self._seq2seq:
                engine.translate_batch(tokens, max_decoding_length=budget, **options)
            else:
                prefix = _shared_prefix(tokens)
                if prefix:  # e.g. the chat template's system turn: computed once and cached
                    tokens = [t[len(prefix) :] for t in tokens]
                    options.update(static_prompt=prefix, cache_static_prompt=True)
                engine.generate_batch(
                    tokens, max_length=budget, include_prompt_in_result=False, **options
                )
        except (RuntimeError, ValueError) as exc:
            raise GeneratorError(f"{self.id} failed to generate: {exc}") from exc
        out = []
        for r, row in enumerate(rows):
            cands = []
            for h in range(n):
                ids = [i for i in tracker.ids[(r, h)] if i not in tracker.eos]
                text, _ = cut_at_stop(
                    self._tokenizer.decode(ids, skip_special_tokens=True), row.prompt.stop
                )
                reason = tracker.reasons.get((r, h)) or "length"
                variant = Row(row.index, h, row.prompt, row.ids, row.seed)
                cands.append(
                    candidate(text, variant, len(tracker.ids[(r, h)]), reason, seed=row.prompt.seed)
                )
            out.append(cands)
        return out

    def close(self) -> None:
        """Drop the CTranslate2 model so its memory can be freed."""
        self._engine = None
        self._loaded = False


def _group_seed(rows: Sequence[Row]) -> int | None:
    """One seed for a CTranslate2 call: None unless every prompt in it has a seed."""
    if any(row.prompt.seed is None for row in rows):
        return None
    key = ",".join(f"{row.prompt.seed}:{row.prompt.n}" for row in rows)
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little")


def _shared_prefix(tokens: Sequence[Sequence[str]], minimum: int = 8) -> list[str]:
    """The longest prefix all prompts share (keeping one token of each), if worth caching."""
    size = common_prefix_length(tokens)
    return list(tokens[0][:size]) if size >= minimum else []


class _Tracker:
    """CTranslate2 step callback: collects each hypothesis's tokens; stops it on a stop or budget.

    CTranslate2 may return hypotheses in any order, so the texts are built from what this saw.
    """

    def __init__(self, rows: Sequence[Row], n: int, eos: Sequence[int], tokenizer: Any) -> None:
        self.rows = rows
        self.eos = set(eos)
        self.tokenizer = tokenizer
        self.ids: dict[tuple[int, int], list[int]] = {
            (r, h): [] for r in range(len(rows)) for h in range(n)
        }
        self.reasons: dict[tuple[int, int], str] = {}

    def __call__(self, step: Any) -> bool:
        key = (step.batch_id, step.hypothesis_id)
        if key in self.reasons:
            return True
        ids = self.ids[key]
        ids.append(step.token_id)
        prompt = self.rows[step.batch_id].prompt
        if step.token_id in self.eos or (
            prompt.stop
            and cut_at_stop(self.tokenizer.decode(ids, skip_special_tokens=True), prompt.stop)[1]
        ):
            self.reasons[key] = "stop"
        elif len(ids) >= prompt.max_new_tokens:
            self.reasons[key] = "length"
        return key in self.reasons
