"""`builtin:transformers`: a local causal or seq2seq language model with true batched decoding.

Reproducibility: every variant samples from its own random stream, seeded from its prompt's
seed and variant number only, so a prompt with a seed gets the same texts whether it is
generated alone or batched with other prompts, provided the model's numbers come out the same
(on CPU in float32 they do in our tests; batched GPU kernels may differ in the last bits, which
can rarely change a token). A prompt without a seed gets a fresh one, recorded in
`Candidate.meta["seed"]` so the output can be made again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from contentgen.confidence import LOGPROBS_PARAM, TOKEN_LOGPROBS, LogprobsFlag, as_meta, wanted
from contentgen.errors import GeneratorError
from contentgen.generator import Generator
from contentgen.generators.text_options import HubTextOptions
from contentgen.generators.textrows import (
    Row,
    candidate,
    cut_at_stop,
    encode_prompt,
    eos_token_ids,
    make_rows,
    prompt_batches,
)
from contentgen.modelfiles import resolve_text_model
from contentgen.modelfiles.adapters import (
    ADAPTER_DESCRIPTION,
    AdapterSpec,
    ResolvedAdapter,
    merge_adapter,
    prompts_for_adapter,
    resolve_adapter,
    revision_with_adapter,
)
from contentgen.modelfiles.resolve import quiet_progress_bars
from contentgen.types import TEXT_TASKS, Candidate, ModelInfo, Prompt, Task

log = logging.getLogger(__name__)

_DTYPE_ALIASES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}


class TransformersOptions(HubTextOptions):
    """The options of builtin:transformers (contentgen.toml `[generators."builtin:transformers"]`)."""

    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto",
        description="weight precision; also fp32, bf16, fp16 ('auto': float32 on CPU, "
        "bfloat16 or float16 on GPUs)",
    )
    fast_decoder: bool = Field(
        True, description="decode Llama-family models on CPU with contentgen's lean decoder"
    )
    adapter: AdapterSpec = Field("auto", description=ADAPTER_DESCRIPTION)
    logprobs: bool = Field(
        False,
        description="record each generated token's log-probability (shown by `explain`); "
        "a request's params={'logprobs': ...} overrides it",
    )

    @field_validator("dtype", mode="before")
    @classmethod
    def _short_names(cls, value: object) -> object:
        return _DTYPE_ALIASES.get(value, value) if isinstance(value, str) else value


class TransformersGenerator(Generator):
    """Text from a local transformers model (default SmolLM2-135M-Instruct), batched."""

    id: ClassVar[str] = "builtin:transformers"
    version: ClassVar[str] = "0.1"
    modality = "text"
    tasks: ClassVar[frozenset[Task]] = TEXT_TASKS
    description: ClassVar[str] = (
        "Local transformers model (causal or seq2seq), batched; default SmolLM2-135M-Instruct."
    )
    Options = TransformersOptions
    settings: TransformersOptions
    extra_params: ClassVar[dict[str, Any]] = {LOGPROBS_PARAM: LogprobsFlag}

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._model: Any = None
        self._fast: Any = None
        self._tokenizer: Any = None
        self._seq2seq = False
        self._info: ModelInfo | None = None
        self._adapter: ResolvedAdapter | None = None

    def _load(self) -> None:
        import torch
        from transformers import (
            AutoConfig,
            AutoModelForCausalLM,
            AutoModelForSeq2SeqLM,
            AutoTokenizer,
        )

        torch.set_num_threads(self.settings.torch_threads)
        resolved = resolve_text_model(
            self.settings.model,
            cache_dir=self.settings.cache_dir,
            revision=self.settings.revision,
            local_files_only=self.settings.local_files_only,
        )
        adapter = self._adapter = resolve_adapter(self.settings.adapter, resolved)
        self._device = torch.device(_pick_device(self.settings.device))
        dtype = _pick_dtype(self.settings.dtype, self._device.type)
        try:
            with quiet_progress_bars():
                config = AutoConfig.from_pretrained(resolved.path)
                self._seq2seq = bool(getattr(config, "is_encoder_decoder", False))
                model_class = AutoModelForSeq2SeqLM if self._seq2seq else AutoModelForCausalLM
                self._tokenizer = AutoTokenizer.from_pretrained(resolved.path)
                model: Any = model_class.from_pretrained(resolved.path, dtype=getattr(torch, dtype))
            if adapter is not None:  # merged before the lean decoder lays out the weights
                model = merge_adapter(model, adapter)
        except (OSError, ValueError, KeyError) as exc:
            raise GeneratorError(
                f"cannot load {resolved.model_id} from {resolved.path}: {exc}"
            ) from exc
        self._model = model.to(self._device).eval()
        self._fast = self._fast_decoder()
        self._eos = eos_token_ids(self._tokenizer, self._model.generation_config)
        pad = self._tokenizer.pad_token_id
        self._pad = pad if pad is not None else (self._eos[0] if self._eos else 0)
        self._info = ModelInfo(
            model_id=resolved.model_id,
            revision=revision_with_adapter(resolved.revision, adapter),
            backend=f"transformers {_version('transformers')} / torch {torch.__version__}",
            extra={
                "architecture": type(self._model).__name__,
                "device": str(self._device),
                "dtype": dtype,
                "path": str(resolved.path),
                **(adapter.provenance() if adapter else {}),
                "decoder": "contentgen lean llama" if self._fast else "transformers generate",
            },
        )
        log.info("loaded %s on %s (%s)", resolved.model_id, self._device, dtype)

    def _fast_decoder(self) -> Any:
        """The lean Llama decoder on CPU, or None: then transformers' generate does the work."""
        from contentgen.generators import llama_decoder

        # Measured on CPU only: CUDA and MPS keep transformers' generate.
        if not self.settings.fast_decoder or self._device.type != "cpu":
            return None
        if self._seq2seq or not llama_decoder.supports(self._model):
            return None
        return llama_decoder.LlamaDecoder(self._model)

    def model_info(self) -> ModelInfo:
        """The model id and revision (after `load()`; the configured spec before)."""
        return self._info or ModelInfo(model_id=self.settings.model, backend="transformers")

    def continues_answer(self) -> bool:
        """True for decoder-only models: the prefilled answer is the start of their output."""
        return not self._seq2seq

    def greedy_gaps(self, prompts: Sequence[Prompt], texts: Sequence[str]) -> list[float]:
        """Per prompt: how many nats its text's worst token falls below this model's best choice.

        The model is teacher-forced along each text (after the prompt's prefill, if any): 0 means
        every token is this model's own greedy choice; a small gap is a near-tie broken the
        other way (e.g. by another backend's int8 weights).
        """
        import torch

        self.load()
        if self._seq2seq:
            raise GeneratorError("greedy gaps are measured on decoder-only models only")
        gaps = []
        for prompt, text in zip(prompts_for_adapter(self._adapter, prompts), texts, strict=True):
            ids, new = _continuation_ids(self._tokenizer, prompt, text)
            if not new:
                gaps.append(0.0)
                continue
            with torch.inference_mode():
                batch = torch.tensor([ids + new], device=self._device)
                logits = self._model(batch).logits[0, len(ids) - 1 : -1].float()
            logprobs = logits.log_softmax(-1)
            chosen = logprobs[torch.arange(len(new)), torch.tensor(new)]
            gaps.append(float((logprobs.max(-1).values - chosen).max()))
        return gaps

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """`prompt.n` texts per prompt; length-sorted batches of `batch_size` prompts x variants."""
        self.load()
        prompts = prompts_for_adapter(self._adapter, prompts)
        rows = make_rows(self._tokenizer, prompts, seq2seq=self._seq2seq)
        done: dict[tuple[int, int], Candidate] = {}
        for picked in prompt_batches(rows, self.settings.batch_size):
            for row, cand in zip(picked, self._decode(picked), strict=True):
                done[(row.index, row.variant)] = cand
        return [[done[(i, v)] for v in range(p.n)] for i, p in enumerate(prompts)]

    def _decode(self, rows: list[Row]) -> list[Candidate]:
        if self._fast is not None:
            return self._decode_fast(rows)
        import torch
        from transformers import GenerationConfig, LogitsProcessorList, StoppingCriteriaList

        from contentgen.generators.hf_decoding import (
            ChosenLogprobs,
            RowSampler,
            RowStopper,
            pad_batch,
            shared_prefill,
        )

        ids, mask = pad_batch(
            [row.ids for row in rows], self._pad, left=not self._seq2seq, device=self._device
        )
        start = 1 if self._seq2seq else ids.shape[1]
        stopper = RowStopper(rows, start, self._eos, self._tokenizer)
        scored = ChosenLogprobs() if self._wants_logprobs(rows) else None
        settings = GenerationConfig(
            max_new_tokens=max(row.prompt.max_new_tokens for row in rows),
            do_sample=False,
            num_beams=1,
            pad_token_id=self._pad,
            eos_token_id=self._eos or None,
            decoder_start_token_id=getattr(
                self._model.generation_config, "decoder_start_token_id", None
            ),
        )
        try:
            with torch.inference_mode():
                extra: dict[str, Any] = {}
                if (
                    not self._seq2seq
                    and ids.shape[1] > 1
                    and len({r.index for r in rows}) < len(rows)
                ):
                    try:
                        extra["cache"] = shared_prefill(self._model, ids, mask, rows)
                    except (AttributeError, TypeError, ValueError) as exc:
                        # Caches without batch selection: every variant runs its own prompt.
                        log.debug("no shared prefill for %s: %s", type(self._model).__name__, exc)
                output = self._model.generate(
                    input_ids=ids,
                    attention_mask=mask,
                    **extra,
                    generation_config=settings,
                    logits_processor=LogitsProcessorList(
                        [p for p in (scored, RowSampler(rows, self._device)) if p is not None]
                    ),
                    stopping_criteria=StoppingCriteriaList([stopper]),
                )
        except RuntimeError as exc:
            raise GeneratorError(f"{self.id} failed to generate: {exc}") from exc
        if scored is not None:
            scored.finish(output)
        return self._candidates(rows, output[:, start:].tolist(), stopper, scored)

    def _decode_fast(self, rows: list[Row]) -> list[Candidate]:
        """The batch through the lean Llama decoder: same sampler, same stopper, same outputs."""
        import torch

        from contentgen.generators.hf_decoding import ChosenLogprobs, RowSampler, RowStopper

        prompts: dict[int, tuple[int, ...]] = {}
        for row in rows:
            prompts.setdefault(row.index, row.ids)
        slot = {index: i for i, index in enumerate(prompts)}
        sampler = RowSampler(rows, self._device)
        stopper = RowStopper(
            rows, max(len(p) for p in prompts.values()), self._eos, self._tokenizer
        )
        scored = ChosenLogprobs() if self._wants_logprobs(rows) else None

        def pick(seen: Any, logits: Any) -> Any:
            chosen = sampler(seen, logits).argmax(-1)
            if scored is not None:
                scored.add(logits, chosen)
            return chosen

        try:
            with torch.inference_mode():
                new = self._fast.decode(
                    list(prompts.values()),
                    [slot[row.index] for row in rows],
                    max(row.prompt.max_new_tokens for row in rows),
                    pick=pick,
                    finished=lambda seen: stopper(seen, None),
                )
        except RuntimeError as exc:
            raise GeneratorError(f"{self.id} failed to generate: {exc}") from exc
        return self._candidates(rows, new, stopper, scored)

    def _wants_logprobs(self, rows: Sequence[Row]) -> bool:
        return any(wanted(row.prompt.params, self.settings.logprobs) for row in rows)

    def _candidates(
        self, rows: list[Row], new: list[list[int]], stopper: Any, scored: Any = None
    ) -> list[Candidate]:
        """Each row's new tokens cut at its stop point, decoded into a Candidate."""
        results = []
        logprobs = scored.rows() if scored is not None else []
        for r, row in enumerate(rows):
            length = stopper.lengths[r] or len(new[r])
            tokens = new[r][:length]
            if tokens and tokens[-1] in self._eos:
                tokens = tokens[:-1]
            text = self._tokenizer.decode(tokens, skip_special_tokens=True)
            text, _ = cut_at_stop(text, row.prompt.stop)
            extra: dict[str, Any] = {}
            if logprobs and wanted(row.prompt.params, self.settings.logprobs):
                pieces = [self._tokenizer.decode([t]) for t in tokens]
                extra[TOKEN_LOGPROBS] = as_meta(pieces, logprobs[r][: len(tokens)])
            results.append(candidate(text, row, length, stopper.reasons[r] or "length", **extra))
        return results

    def close(self) -> None:
        """Drop the model so its memory can be freed."""
        self._model = None
        self._fast = None
        self._tokenizer = None
        self._loaded = False


def _continuation_ids(tokenizer: Any, prompt: Prompt, text: str) -> tuple[list[int], list[int]]:
    """The prompt's ids and `text`'s ids as the model would have written them after it."""
    from dataclasses import replace

    ids = encode_prompt(tokenizer, prompt)
    if prompt.prefill and text:
        # A stripped continuation lost the space after the prefill ("Headline:" + " Mug").
        glue = "" if prompt.prefill[-1].isspace() else " "
        whole = encode_prompt(tokenizer, replace(prompt, prefill=prompt.prefill + glue + text))
        if whole[: len(ids)] == ids:
            return ids, whole[len(ids) :]
    return ids, list(tokenizer.encode(text, add_special_tokens=False))


def _pick_device(wanted: str) -> str:
    import torch

    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    if wanted == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (wanted == "cuda" and not cuda) or (wanted == "mps" and not mps):
        present = ["cpu"] + (["cuda"] if cuda else []) + (["mps"] if mps else [])
        raise GeneratorError(
            f"device {wanted!r} is not available on this machine "
            f"(available: {', '.join(present)}, auto)"
        )
    return wanted


def _pick_dtype(wanted: str, device: str) -> str:
    import torch

    if wanted != "auto":
        return wanted
    if device == "cuda":
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if device == "mps":
        return "float16"
    # CPUs without native bf16 run bf16 matmuls ~80x slower than fp32.
    return "float32"


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)
