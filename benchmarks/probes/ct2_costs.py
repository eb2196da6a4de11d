"""Where CTranslate2's time goes on the ad-copy job: sampling vs greedy, prompt-length batching.

A probe behind the README's "Why CTranslate2 stays below 10x", not part of `make bench`. It calls
the loaded model's `generate_batch` directly (no contentgen around it), on the benchmark's own
prompts, in interleaved rounds:

- `--what sampling`: 32 prompts x 3 sequences forced to exactly 48 new tokens, greedy vs top-k
  / top-p sampling (does the sampler cost anything?);
- `--what lengths`: the 64 x 3 job in length-sorted batches of 32 (what the generator does) vs
  batches of prompts of exactly equal length (CTranslate2 prefills only up to a batch's shortest
  prompt and decodes the rest of each longer prompt one step at a time).

    python benchmarks/probes/ct2_costs.py --what sampling
    python benchmarks/probes/ct2_costs.py --what lengths
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generation import SYSTEM, ad_prompt, product_rows  # noqa: E402


def prompt_tokens(generator: Any, rows: int) -> tuple[list[str], list[list[str]]]:
    """The shared static prompt and each row's own prompt tokens, as the generator builds them."""
    from contentgen.generators.textrows import common_prefix_length, make_rows
    from contentgen.types import Prompt, Task

    prompts = [
        Prompt(task=Task.MARKETING, text=ad_prompt(r), system=SYSTEM, n=3, seed=i)
        for i, r in enumerate(product_rows(rows))
    ]
    tokenizer = generator._tokenizer
    ids = [list(r.ids) for r in make_rows(tokenizer, prompts, seq2seq=False) if r.variant == 0]
    shared = common_prefix_length(ids)
    tokens = [tokenizer.convert_ids_to_tokens(i) for i in ids]
    return tokens[0][:shared], [t[shared:] for t in tokens]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--what", choices=("sampling", "lengths"), required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--model", default="smollm2")
    args = parser.parse_args(argv)

    from contentgen.generators.ctranslate2_gen import CTranslate2Generator

    generator = CTranslate2Generator(model=args.model, torch_threads=1)
    generator.load()
    engine = generator._engine
    sampled = {"sampling_topk": 50, "sampling_temperature": 0.7, "sampling_topp": 0.95}
    common: dict[str, Any] = {
        "max_length": 48,
        "include_prompt_in_result": False,
        "beam_size": 1,
        "end_token": generator._eos,
        "cache_static_prompt": True,
        "max_batch_size": 32,
    }
    runs: dict[str, list[tuple[list[list[str]], dict[str, Any]]]]
    if args.what == "sampling":
        static, tokens = prompt_tokens(generator, 32)
        forced = {**common, "static_prompt": static, "min_length": 48}
        runs = {
            "greedy, each prompt 3 times": [
                ([t for t in tokens for _ in range(3)], {**forced, "sampling_topk": 1})
            ],
            "top-k 50, top-p 0.95, T 0.7, 3 hypotheses": [
                (tokens, {**forced, **sampled, "num_hypotheses": 3})
            ],
        }
    else:
        static, tokens = prompt_tokens(generator, 64)
        options = {**common, **sampled, "static_prompt": static, "num_hypotheses": 3}
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        same = [list(g) for _, g in itertools.groupby(order, key=lambda i: len(tokens[i]))]
        runs = {
            "length-sorted batches of 32": [
                ([tokens[i] for i in order[s : s + 32]], options) for s in range(0, len(order), 32)
            ],
            f"{len(same)} batches of equal length": [
                ([tokens[i] for i in group], options) for group in same
            ],
        }
    engine.generate_batch(tokens[:2], **{**common, "static_prompt": static})  # warm-up
    for _ in range(args.rounds):
        for name, calls in runs.items():
            started, count = time.perf_counter(), 0
            for batch, opts in calls:
                results = engine.generate_batch(batch, **opts)
                count += sum(len(s) for r in results for s in r.sequences_ids)
            wall = time.perf_counter() - started
            print(f"{name:45s} {wall:6.2f} s {count:5d} tokens {count / wall:6.0f} tok/s")
    generator.close()


if __name__ == "__main__":
    main()
