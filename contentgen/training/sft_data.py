"""SFT rows as token ids split into prompt and answer, encoded exactly as the generators encode.

Accepted row layouts (other keys, such as a corpus's `id` and `split`, are ignored):

- `{"messages": [...]}`: chat turns ending with the assistant's answer (a corpus record);
- `{"prompt": [...], "completion": [...]}`: TRL's conversational prompt-completion layout
  (what `contentgen feedback export-preferences --format sft` writes);
- `{"prompt": "...", "completion": "..."}`: the standard (plain text) layout.

The prompt goes through `contentgen.generators.textrows.encode_prompt`, the function the text
generators use at run time, so a tuned model is trained on the very tokens it will be prompted
with; the loss covers the answer and its end-of-turn token only.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contentgen.errors import ValidationError
from contentgen.types import Prompt, Task

LAYOUTS = ("messages", "prompt+completion")


@dataclass(frozen=True)
class Turns:
    """One row as the pieces a generator's prompt has, plus the answer to learn."""

    system: str | None
    examples: tuple[tuple[str, str], ...]
    text: str
    answer: str
    chat: bool  # False for the standard (plain text) layout


@dataclass(frozen=True)
class Example:
    """One tokenized row: the whole sequence and where the answer starts."""

    ids: tuple[int, ...]
    prompt_length: int

    @property
    def answer_tokens(self) -> int:
        """Tokens the loss is computed on."""
        return len(self.ids) - self.prompt_length


@dataclass(frozen=True)
class Encoded:
    """The tokenized rows and how many were left out, by reason."""

    examples: list[Example]
    skipped: Mapping[str, int] = field(default_factory=dict)


def _content(turn: Any) -> str | None:
    if isinstance(turn, Mapping) and isinstance(turn.get("content"), str):
        return str(turn["content"])
    return None


def _chat_turns(messages: Sequence[Any], answer: str, where: str) -> Turns:
    """System, (user, assistant) example pairs and the final user turn of a chat prompt."""
    roles = [m.get("role") if isinstance(m, Mapping) else None for m in messages]
    texts = [_content(m) for m in messages]
    if any(t is None for t in texts) or not roles:
        raise ValidationError(where, "every turn needs a 'role' and a text 'content'")
    system = None
    if roles[0] == "system":
        system, roles, texts = texts[0], roles[1:], texts[1:]
    pattern = ["user", "assistant"] * (len(roles) // 2) + ["user"]
    if roles != pattern:
        raise ValidationError(
            where,
            f"turns must be [system,] (user, assistant)*, user before the answer; got {roles}",
        )
    body = [str(t) for t in texts]
    examples = tuple(zip(body[:-1:2], body[1:-1:2], strict=True))
    return Turns(system, examples, body[-1], answer, chat=True)


def row_turns(row: Mapping[str, Any], index: int) -> Turns:
    """Read one row in any accepted layout; a clear ValidationError names the row otherwise."""
    where = f"row {index + 1}"
    if "messages" in row:
        messages = row["messages"]
        if not isinstance(messages, list) or len(messages) < 2:
            raise ValidationError(where, "'messages' must be a list of chat turns")
        last = messages[-1]
        answer = _content(last)
        if not isinstance(last, Mapping) or last.get("role") != "assistant" or answer is None:
            raise ValidationError(where, "'messages' must end with the assistant's answer")
        return _chat_turns(messages[:-1], answer, where)
    prompt, completion = row.get("prompt"), row.get("completion")
    if isinstance(prompt, str) and isinstance(completion, str):
        return Turns(None, (), prompt, completion, chat=False)
    if isinstance(prompt, list) and isinstance(completion, list) and len(completion) == 1:
        answer = _content(completion[0])
        if answer is not None and completion[0].get("role") == "assistant":
            return _chat_turns(prompt, answer, where)
    raise ValidationError(
        where,
        "an SFT row needs 'messages' ending with an assistant turn, or 'prompt' and "
        "'completion' (both text, or chat turns and one assistant turn)",
        LAYOUTS,
    )


def check_rows(rows: Sequence[Mapping[str, Any]]) -> list[Turns]:
    """Every row read (cheap, before any model loads); the first bad one raises."""
    return [row_turns(row, i) for i, row in enumerate(rows)]


def encode(tokenizer: Any, turns: Sequence[Turns], max_length: int) -> Encoded:
    """Token ids of each row; rows longer than `max_length` tokens are skipped and counted."""
    from contentgen.generators.textrows import encode_prompt

    eos = tokenizer.eos_token_id
    chat = bool(getattr(tokenizer, "chat_template", None))
    examples: list[Example] = []
    skipped: Counter[str] = Counter()
    for item in turns:
        prompt = Prompt(task=Task.MARKETING, text=item.text, system=item.system)
        prompt_ids = encode_prompt(tokenizer, _with_examples(prompt, item.examples))
        answer = _answer_ids(tokenizer, item, prompt_ids, chat and item.chat, eos)
        if not answer:
            skipped["empty answer"] += 1
        elif len(prompt_ids) + len(answer) > max_length:
            skipped[f"longer than max_length {max_length}"] += 1
        else:
            examples.append(Example(tuple(prompt_ids) + tuple(answer), len(prompt_ids)))
    return Encoded(examples, dict(skipped))


def _with_examples(prompt: Prompt, examples: tuple[tuple[str, str], ...]) -> Prompt:
    from dataclasses import replace

    return replace(prompt, examples=examples) if examples else prompt


def _answer_ids(
    tokenizer: Any, item: Turns, prompt_ids: list[int], chat: bool, eos: int | None
) -> list[int]:
    """The answer's tokens up to and including the end-of-turn token the model must learn."""
    if chat:
        messages = [{"role": "system", "content": item.system}] if item.system else []
        for asked, answered in item.examples:
            messages += [
                {"role": "user", "content": asked},
                {"role": "assistant", "content": answered},
            ]
        messages += [
            {"role": "user", "content": item.text},
            {"role": "assistant", "content": item.answer},
        ]
        full = list(
            tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
        )
        if full[: len(prompt_ids)] == prompt_ids:
            answer = full[len(prompt_ids) :]
            # The template's text after the end-of-turn token is never generated: stop there.
            return answer[: answer.index(eos) + 1] if eos in answer else answer
    ids = list(tokenizer(item.answer, add_special_tokens=False)["input_ids"])
    return ids + [eos] if eos is not None and ids else ids


def length_grouped_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random, *, group: int = 32
) -> Iterator[list[int]]:
    """Shuffled batches of row positions with similar lengths, so little padding is computed.

    Rows are shuffled, cut into groups of `group` batches, sorted by length within a group and
    batched; the batches are then shuffled, so each epoch sees a new order.
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    span = batch_size * group
    batches: list[list[int]] = []
    for start in range(0, len(order), span):
        chunk = sorted(order[start : start + span], key=lambda i: lengths[i], reverse=True)
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    yield from batches
