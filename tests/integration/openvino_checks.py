"""builtin:openvino's guarantees, measured in a process of their own (ISA caps apply at start-up).

    python -m tests.integration.openvino_checks '{"kv_cache_precision": "f32"}'

Prints one JSON object: the texts each prompt got inside a batch and alone (greedy, and sampled
with a seed) without prefix caching, the texts of prompts sharing a long start computed whole
and from the prefix cache, how far each greedy token is from the fp32 reference model's best
choice, and the CPU description the generator recorded. The tests run it with the ISA capped
to AVX2, and call the same functions in-process for the host's own ISA.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from contentgen.generators.openvino_gen import OpenVINOGenerator
from contentgen.generators.textrows import encode_prompt
from contentgen.modelfiles import resolve_text_model
from contentgen.types import Prompt, Task

TEXTS = (
    "Write a one-line ad for a leather wallet.",
    "Summarise: the central bank raised rates by half a point on Tuesday.",
    "Reply to a customer whose parcel arrived late.",
    "Write a headline for a wool scarf.",
    "Describe a ceramic mug for our spring catalogue in one friendly sentence.",
    "Write an email subject line for a summer sale on sandals.",
    "Write a tweet announcing our new steel water bottle.",
    "Write a product description for a bamboo cutting board.",
)


# A long start shared by every prompt, as a template's instructions are (~250 tokens).
SHARED_START = " ".join(
    [
        "You are the copywriter of an outdoor and lifestyle shop.",
        "Write in plain, friendly English for general shoppers; no jargon, no exclamation marks.",
        "Name the product exactly as given and never invent a price, a size or a material.",
        "Keep every headline under thirty characters and every description under ninety.",
        "Lead with the benefit a shopper feels, then the fact that proves it.",
        "Use the active voice, present tense and second person throughout.",
        "Never mention competitors, discounts that were not given, or shipping promises.",
        "Avoid superlatives such as best, greatest or number one unless the facts say so.",
    ]
    * 3
)


def prompt(text: str, **kw: Any) -> Prompt:
    """A marketing prompt with a short token budget."""
    kw.setdefault("max_new_tokens", 24)
    return Prompt(task=Task.MARKETING, text=text, **kw)


def texts(gen: Any, prompts: list[Prompt]) -> list[list[str]]:
    """Each prompt's candidate texts."""
    return [[c.text or "" for c in cands] for cands in gen.generate(prompts)]


def greedy_gaps(gen: OpenVINOGenerator, prompts: Sequence[Prompt] | None = None) -> list[float]:
    """Per prompt: the largest log-probability gap between a greedy token and the reference's best.

    The fp32 transformers model reads OpenVINO's greedy text token by token: where the text goes
    on with the reference's own choice the gap is 0; elsewhere it is how far below that choice
    the text's next token lies (a small gap means int8 noise broke a near-tie). The text is
    followed rather than re-encoded whole, because re-encoding merges tokens the generator wrote
    apart (" new" + "found" is one token, " newfound") and would score the merged token.
    """
    import torch
    from transformers import AutoModelForCausalLM

    from contentgen.modelfiles.adapters import merge_adapter

    reference = AutoModelForCausalLM.from_pretrained(
        resolve_text_model("smollm2").path, dtype=torch.float32
    )
    if gen._adapter is not None:  # the weights the generator decodes: the adapter merged in
        reference = merge_adapter(reference, gen._adapter)
    reference.eval()
    tokenizer = gen._tokenizer
    if prompts is None:
        prompts = [prompt(t, temperature=0) for t in TEXTS]
    return [
        _largest_gap(reference, tokenizer, encode_prompt(tokenizer, p), text)
        for p, (text,) in zip(prompts, texts(gen, list(prompts)), strict=True)
    ]


def _largest_gap(reference: Any, tokenizer: Any, ids: list[int], text: str) -> float:
    import torch

    def step(out: Any, token: int) -> Any:
        return reference(
            torch.tensor([[token]]), past_key_values=out.past_key_values, use_cache=True
        )

    def gap_next(out: Any, rest: str) -> float:
        """The gap of the token the text holds next, after `out` (0 where it is the best)."""
        logprobs = out.logits[0, -1].log_softmax(-1)
        best = int(logprobs.argmax())
        if not rest or rest.startswith(tokenizer.decode([best]) or "\0"):
            return 0.0
        token = tokenizer.encode(rest, add_special_tokens=False)[0]
        return float(logprobs[best] - logprobs[token])

    largest, rest = 0.0, text
    with torch.no_grad():
        out = reference(torch.tensor([ids]), use_cache=True)
        while rest:
            logprobs = out.logits[0, -1].log_softmax(-1)
            best = int(logprobs.argmax())
            best_text = tokenizer.decode([best])
            whole = tokenizer.encode(rest, add_special_tokens=False)[0]
            whole_text = tokenizer.decode([whole])
            if best_text and rest.startswith(best_text):
                token, said, gap = best, best_text, 0.0
                if len(whole_text) > len(best_text) and rest.startswith(whole_text):
                    # The text may hold the longer token (" Scarfs") where the reference's best is
                    # its start (" Scarf"), or the two tokens it starts with (" new" + "found"):
                    # read it the way that leaves the smaller gap one token on.
                    short = step(out, best)
                    as_whole = float(logprobs[best] - logprobs[whole])
                    if as_whole < gap_next(short, rest[len(best_text) :]):
                        token, said, gap = whole, whole_text, as_whole
                    else:
                        out = short
                        rest = rest[len(said) :]
                        continue
            else:
                token, said = whole, whole_text
                gap = float(logprobs[best] - logprobs[token])
            largest = max(largest, gap)
            if not said or not rest.startswith(said):
                break  # a byte of a longer character: the rest cannot be followed exactly
            rest = rest[len(said) :]
            out = step(out, token)
    return largest


def batch_runs(gen: OpenVINOGenerator) -> dict[str, Any]:
    """The texts prompts get in one batch and alone, greedy and seeded-sampled."""
    greedy = [prompt(t, temperature=0) for t in TEXTS[:5]]
    sampled = [prompt(t, temperature=0.9, n=2, seed=i) for i, t in enumerate(TEXTS[:3])]
    return {
        "greedy_batch": texts(gen, greedy),
        "greedy_alone": [texts(gen, [p])[0] for p in greedy],
        "sampled_batch": texts(gen, sampled),
        "sampled_alone": [texts(gen, [p])[0] for p in sampled],
    }


def prefix_runs(cached: OpenVINOGenerator, exact: OpenVINOGenerator) -> dict[str, Any]:
    """Greedy texts of prompts sharing a long start, computed whole and from the prefix cache.

    `uncached`: each prompt alone on `exact` (no prefix caching). `cached_alone`: each prompt
    alone on `cached` once its cache holds the shared start (the first prompt: all of it).
    `cached_batch`: all prompts in one batch, each wholly cached. `cached_gaps`: the greedy gaps
    (see greedy_gaps) of the cached texts against the fp32 reference.
    """
    prompts = [prompt(t, temperature=0, system=SHARED_START) for t in TEXTS[:4]]
    uncached = [texts(exact, [p])[0] for p in prompts]
    texts(cached, prompts[:1])
    return {
        "uncached": uncached,
        "cached_alone": [texts(cached, [p])[0] for p in prompts],
        "cached_batch": texts(cached, prompts),
        "cached_gaps": greedy_gaps(cached, prompts),
    }


def main(options: dict[str, Any]) -> dict[str, Any]:
    """Every measured guarantee under this process's ISA, without and with prefix caching."""
    exact = OpenVINOGenerator(**{**options, "prefix_caching": False})
    cached = OpenVINOGenerator(**{**options, "prefix_caching": True})
    exact.load()
    cached.load()
    return {
        "cpu": exact.model_info().extra["cpu"],
        "batch_invariant": exact.batch_invariant,
        "cached_batch_invariant": cached.batch_invariant,
        "greedy_gaps": greedy_gaps(exact),
        **batch_runs(exact),
        **prefix_runs(cached, exact),
    }


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})))
