"""What the text generators share: prompt encoding, variant rows, stops, seeds, prompt checks."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contentgen.errors import ValidationError
from contentgen.types import Candidate, Prompt


@dataclass(frozen=True)
class Row:
    """One sequence to decode: variant `variant` of prompt number `index`."""

    index: int
    variant: int
    prompt: Prompt
    ids: tuple[int, ...]
    seed: int

    @property
    def row_seed(self) -> int:
        """A 63-bit seed for this variant alone, so variants never share a random stream."""
        digest = hashlib.sha256(f"{self.seed}:{self.variant}".encode()).digest()
        return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def encode_prompt(tokenizer: Any, prompt: Prompt, *, seq2seq: bool = False) -> list[int]:
    """Token ids for `prompt`: through the chat template when the model has one.

    `prompt.examples` become earlier (user, assistant) turns, so the model sees the format done.
    A `prompt.prefill` is the start of the assistant's answer, which the model continues (a
    seq2seq model's answer is its decoder's, so it cannot be prefilled there).
    """
    if not seq2seq and getattr(tokenizer, "chat_template", None):
        messages = [{"role": "system", "content": prompt.system}] if prompt.system else []
        for asked, answered in prompt.examples:
            messages.append({"role": "user", "content": asked})
            messages.append({"role": "assistant", "content": answered})
        messages.append({"role": "user", "content": prompt.text})
        prefill = bool(prompt.prefill)
        if prefill:
            messages.append({"role": "assistant", "content": prompt.prefill})
        encoded = tokenizer.apply_chat_template(
            messages,
            add_generation_prompt=not prefill,
            continue_final_message=prefill,
            tokenize=True,
            return_dict=True,
        )
        return list(encoded["input_ids"])
    parts = [prompt.system] if prompt.system else []
    parts += [f"{asked}\n{answered}" for asked, answered in prompt.examples]
    parts.append(prompt.text)
    text = "\n\n".join(parts) + (f"\n{prompt.prefill}" if prompt.prefill and not seq2seq else "")
    return list(tokenizer(text, add_special_tokens=True)["input_ids"])


def make_rows(tokenizer: Any, prompts: Sequence[Prompt], *, seq2seq: bool = False) -> list[Row]:
    """One Row per requested variant, prompts encoded once; unseeded prompts get a fresh seed."""
    rows: list[Row] = []
    for index, prompt in enumerate(prompts):
        check_prompt(prompt)
        ids = tuple(encode_prompt(tokenizer, prompt, seq2seq=seq2seq))
        seed = prompt.seed if prompt.seed is not None else secrets.randbits(32)
        rows.extend(Row(index, v, prompt, ids, seed) for v in range(prompt.n))
    return rows


def check_prompt(prompt: Prompt) -> None:
    """Reject sampling parameters a decoder cannot honour, naming the valid range."""
    if prompt.n < 1:
        raise ValidationError("n", f"must be at least 1, got {prompt.n}")
    if prompt.max_new_tokens < 1:
        raise ValidationError("max_new_tokens", f"must be at least 1, got {prompt.max_new_tokens}")
    if not 0 < prompt.top_p <= 1:
        raise ValidationError("top_p", f"must be in (0, 1], got {prompt.top_p}")
    if prompt.top_k < 0:
        raise ValidationError("top_k", f"must be 0 (no limit) or more, got {prompt.top_k}")


def sort_for_batching(rows: Sequence[Row]) -> list[int]:
    """Row positions ordered by prompt length (then token budget) so batches need little padding."""
    return sorted(range(len(rows)), key=lambda i: (len(rows[i].ids), rows[i].prompt.max_new_tokens))


def prompt_batches(rows: Sequence[Row], size: int) -> Iterable[list[Row]]:
    """Length-sorted batches holding all variants of at most `size` prompts each."""
    batch: list[Row] = []
    prompts: set[int] = set()
    for i in sort_for_batching(rows):
        row = rows[i]
        if row.index not in prompts and len(prompts) == size:
            yield batch
            batch, prompts = [], set()
        batch.append(row)
        prompts.add(row.index)
    if batch:
        yield batch


def common_prefix_length(sequences: Sequence[Sequence[Any]]) -> int:
    """How many leading items all `sequences` share, leaving each at least one of its own."""
    shortest = min(len(s) for s in sequences) - 1
    first = sequences[0]
    length = 0
    while length < shortest and all(s[length] == first[length] for s in sequences):
        length += 1
    return length


def cut_at_stop(text: str, stops: Iterable[str]) -> tuple[str, bool]:
    """`text` up to the earliest stop string, and whether one was found."""
    cut = min((pos for pos in (text.find(s) for s in stops if s) if pos >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def candidate(text: str, row: Row, new_tokens: int, finish_reason: str, **extra: Any) -> Candidate:
    """A Candidate with the metadata both generators record."""
    meta: Mapping[str, Any] = {
        "prompt_tokens": len(row.ids),
        "new_tokens": new_tokens,
        "finish_reason": finish_reason,
        "seed": row.seed,
        **extra,
    }
    return Candidate(text=text.strip(), meta=meta)


def eos_token_ids(tokenizer: Any, generation_config: Any | None) -> list[int]:
    """Every token id that ends a sequence for this model."""
    found: list[int] = []
    configured = getattr(generation_config, "eos_token_id", None)
    for value in (configured, getattr(tokenizer, "eos_token_id", None)):
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, int) and item not in found:
                found.append(item)
    return found


def model_eos_ids(path: Any, tokenizer: Any) -> list[int]:
    """Every end-of-sequence id of the checkpoint at `path` (its generation config, if any)."""
    from transformers import GenerationConfig

    try:
        generation_config = GenerationConfig.from_pretrained(path)
    except OSError:
        generation_config = None
    return eos_token_ids(tokenizer, generation_config)
