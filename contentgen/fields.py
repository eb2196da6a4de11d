"""Writing a channel's answer field by field, so that its format holds by construction.

With `fields = "each"` (a request, route or template parameter) and a generator that continues a
prefilled answer (`Generator.continues_answer()`), each field of the channel is generated as its
own continuation of the assistant's answer so far: the answer is prefilled with the field's label
("Subject:"), the model writes until the end of the line (the last field of a long-form channel,
an email's body, until another field's label), and the next round prefills the answer with that
line and the next label. A one-field channel (sms, social_post, product_description) is one round
whose token budget is sized from its limit. Every answer therefore has each field exactly once, in order, under its
label; each field's token budget is sized from its character limit, and a value still over its
limit is cut at a sentence, clause or word boundary, and one that ran out of tokens mid-sentence
keeps the sentences it finished (both recorded in `meta["cut"]`).

A model batch costs one `generate()` call per field round, whatever its number of prompts and
variants. A variant's random stream in each round is seeded from its prompt's seed, the round and
the variant number only, so batching does not change what a seeded prompt gets.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from contentgen.checks.channels import (
    MULTILINE_CHARS,
    ChannelSpec,
    FieldSpec,
    parse_fields,
    shorten_text,
)
from contentgen.confidence import TOKEN_LOGPROBS
from contentgen.types import Candidate, Prompt, PromptError

FIELDS_PARAM = "fields"
FieldsMode = Literal["whole", "each"]
EACH: FieldsMode = "each"
WHOLE: FieldsMode = "whole"
# English copy runs about 4.5 characters a token with SmolLM2's tokenizer; a lower figure leaves
# the model room to finish its line, and what goes past the limit is cut at a boundary.
CHARS_PER_TOKEN = 3.5

Answers = Sequence[Sequence[Candidate] | PromptError]
GenerateCall = Callable[[list[Prompt]], Answers]


def wanted_spec(params: Mapping[str, Any], spec: ChannelSpec | None) -> ChannelSpec | None:
    """The channel to write field by field, or None when the whole answer is written at once."""
    return spec if spec is not None and params.get(FIELDS_PARAM) == EACH else None


def field_budget(spec: FieldSpec, ceiling: int) -> int:
    """New tokens for one field: its character limit in tokens plus a little, within `ceiling`."""
    return max(1, min(ceiling, math.ceil(spec.max_chars / CHARS_PER_TOKEN) + 2))


def field_stops(spec: ChannelSpec, index: int) -> tuple[str, ...]:
    """Where field `index` ends: at the end of its line, or at another field's label."""
    current = spec.fields[index]
    last = index == len(spec.fields) - 1
    if len(spec.fields) == 1:  # the whole answer is the field: only its budget changes
        return ()
    if last and current.max_chars >= MULTILINE_CHARS:
        return tuple(f"\n{f.title}:" for f in spec.fields)
    return ("\n",)


def label(spec: ChannelSpec, index: int) -> str:
    """The prefill that starts field `index` ('Subject:'; nothing for a one-field channel)."""
    return "" if len(spec.fields) == 1 else f"{spec.fields[index].title}:"


def round_seed(seed: int, round_index: int, variant: int) -> int:
    """The seed of a variant's prompt in a field round (round 0 keeps the prompt's own seed)."""
    if round_index == 0:
        return seed
    digest = hashlib.sha256(f"{seed}:{round_index}:{variant}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & (2**31 - 1)


@dataclass
class _Slot:
    """One variant of one prompt, written a field at a time."""

    prompt: int
    variant: int
    answer: str = ""
    values: dict[str, str] = field(default_factory=dict)
    cut: list[str] = field(default_factory=list)
    new_tokens: int = 0
    prompt_tokens: int | None = None
    finish_reason: str = ""
    token_logprobs: list[Any] = field(default_factory=list)


def write_fields(
    call: GenerateCall, prompts: Sequence[Prompt], specs: Sequence[ChannelSpec]
) -> list[list[Candidate] | PromptError]:
    """Each prompt's `n` answers written field by field: one `call` per field round.

    `specs[i]` is prompt i's channel; prompts without a seed get one here so every round of a
    variant is reproducible from the seed recorded in its candidate.
    """
    seeded = [p if p.seed is not None else replace(p, seed=_fresh_seed()) for p in prompts]
    slots = [[_Slot(i, v) for v in range(p.n)] for i, p in enumerate(seeded)]
    failed: dict[int, PromptError] = {}
    rounds = max((len(s.fields) for s in specs), default=0)
    for round_index in range(rounds):
        asked: list[Prompt] = []
        groups: list[list[_Slot]] = []
        for i, prompt in enumerate(seeded):
            if i in failed or round_index >= len(specs[i].fields):
                continue
            for group in _same_answer(slots[i]):
                asked.append(_round_prompt(prompt, specs[i], round_index, group))
                groups.append(group)
        if not asked:
            break
        for group, answer in zip(groups, call(asked), strict=True):
            index = group[0].prompt
            if isinstance(answer, PromptError):
                failed.setdefault(index, answer)
                continue
            for slot, found in zip(group, answer, strict=True):
                _take(slot, specs[index], round_index, found)
    return [
        failed[i] if i in failed else [_candidate(slot, specs[i], p) for slot in slots[i]]
        for i, p in enumerate(seeded)
    ]


def _fresh_seed() -> int:
    import secrets

    return secrets.randbits(31)


def _same_answer(slots: list[_Slot]) -> list[list[_Slot]]:
    """A prompt's variants grouped by their answer so far (round 0: all of them together)."""
    groups: dict[str, list[_Slot]] = {}
    for slot in slots:
        groups.setdefault(slot.answer, []).append(slot)
    return list(groups.values())


def _round_prompt(prompt: Prompt, spec: ChannelSpec, index: int, group: list[_Slot]) -> Prompt:
    return replace(
        prompt,
        n=len(group),
        prefill=group[0].answer + label(spec, index),
        stop=tuple(dict.fromkeys((*prompt.stop, *field_stops(spec, index)))),
        max_new_tokens=field_budget(spec.fields[index], prompt.max_new_tokens),
        seed=round_seed(prompt.seed or 0, index, group[0].variant),
    )


def _take(slot: _Slot, spec: ChannelSpec, index: int, found: Candidate) -> None:
    """Add a round's continuation to a variant's answer as its next field's value."""
    current = spec.fields[index]
    value = parse_fields(found.text or "", (current,))[current.name]
    ended = _last_sentence_end(value) if found.meta.get("finish_reason") == "length" else None
    if len(value) > current.max_chars:
        value = shorten_text(value, current.max_chars)
        slot.cut.append(current.name)
    elif ended is not None:  # out of tokens mid-sentence: keep the sentences it finished
        value = value[:ended]
        slot.cut.append(current.name)
    slot.values[current.name] = value
    slot.answer += f"{label(spec, index)} {value}\n" if len(spec.fields) > 1 else value
    tokens = found.meta.get("new_tokens")
    slot.new_tokens += tokens if isinstance(tokens, int) else 0
    if slot.prompt_tokens is None and isinstance(found.meta.get("prompt_tokens"), int):
        slot.prompt_tokens = found.meta["prompt_tokens"]
    slot.finish_reason = str(found.meta.get("finish_reason", ""))
    slot.token_logprobs += found.meta.get(TOKEN_LOGPROBS) or []


def _last_sentence_end(value: str) -> int | None:
    """Where the last finished sentence of an unfinished text ends, if it is past its middle."""
    if value.endswith((".", "!", "?")):
        return None
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", value)]
    return ends[-1] if ends and ends[-1] >= len(value) // 2 else None


def _candidate(slot: _Slot, spec: ChannelSpec, prompt: Prompt) -> Candidate:
    meta: dict[str, Any] = {
        FIELDS_PARAM: EACH,
        "new_tokens": slot.new_tokens,
        "finish_reason": slot.finish_reason,
        "seed": prompt.seed,
    }
    if slot.prompt_tokens is not None:
        meta["prompt_tokens"] = slot.prompt_tokens
    if slot.cut:
        meta["cut"] = tuple(slot.cut)
    if slot.token_logprobs:
        meta[TOKEN_LOGPROBS] = slot.token_logprobs
    return Candidate(text=spec.render(slot.values), meta=meta)
