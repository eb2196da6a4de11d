"""What per-token log-probabilities cost: builtin:transformers (SmolLM2, lean decoder) with and
without `params={"logprobs": True}`, and what the low-confidence tokens of real copy look like.

The same batch of product-ad prompts (seeded, sampled) is generated in interleaved rounds with
the option off and on, after a warm-up; medians of this process's CPU time and of wall time.
The texts must come out the same both ways (asserted): the option only reads the logits.

    python benchmarks/logprobs.py               # 8 prompts x 2 variants, 48 new tokens, 3 rounds
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "logprobs.md"

from benchmarks.generation import SYSTEM, ad_prompt, product_rows  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--variants", type=int, default=2)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from dataclasses import replace

    from contentgen.confidence import TOKEN_LOGPROBS, TokenScore
    from contentgen.generators.transformers_gen import TransformersGenerator
    from contentgen.hostinfo import host_cpu
    from contentgen.types import Prompt, Task

    gen = TransformersGenerator(torch_threads=1, batch_size=16)
    gen.load()
    prompts = [
        Prompt(task=Task.MARKETING, text=ad_prompt(row), system=SYSTEM, n=args.variants, seed=i,
               max_new_tokens=args.max_new_tokens, temperature=0.7)
        for i, row in enumerate(product_rows(args.prompts))
    ]  # fmt: skip
    asked = [replace(p, params={"logprobs": True}) for p in prompts]
    spent: dict[str, list[tuple[float, float]]] = {"off": [], "on": []}
    texts: dict[str, list[str]] = {}
    scored = []
    for round_ in range(-1, args.rounds):
        for arm in ("off", "on") if round_ % 2 else ("on", "off"):
            started, ticks = time.perf_counter(), time.process_time()
            found = gen.generate(prompts if arm == "off" else asked)
            took = (time.perf_counter() - started, time.process_time() - ticks)
            texts[arm] = [c.text or "" for cands in found for c in cands]
            if arm == "on":
                scored = [c.meta[TOKEN_LOGPROBS] for cands in found for c in cands]
            if round_ >= 0:
                spent[arm].append(took)
    assert texts["on"] == texts["off"], "log-probabilities changed the text"
    cpu = {arm: statistics.median(c for _, c in runs) for arm, runs in spent.items()}
    wall = {arm: statistics.median(w for w, _ in runs) for arm, runs in spent.items()}
    tokens = [TokenScore(t, lp) for one in scored for t, lp in one]
    low = sum(t.low for t in tokens)
    first = "".join(f"[[{t}]]" if TokenScore(t, lp).low else t for t, lp in scored[0])
    first = first.replace("\n", " / ")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"# Per-token log-probabilities ({dt.date.today()}, {host_cpu().describe()}, 1 torch "
        f"thread; shared machine, load average {load})",
        "",
        f"builtin:transformers, {gen.model_info().model_id} ({gen.model_info().extra['decoder']}),"
        f" {args.prompts} ad prompts x {args.variants} variants, up to {args.max_new_tokens} new "
        f"tokens, temperature 0.7; medians of {args.rounds} interleaved rounds.",
        "",
        "| logprobs | CPU s | wall s |",
        "|---|---:|---:|",
        f"| off (default) | {cpu['off']:.2f} | {wall['off']:.2f} |",
        f"| on | {cpu['on']:.2f} | {wall['on']:.2f} |",
        "",
        f"- cost: **{cpu['on'] / cpu['off'] - 1:+.1%}** CPU ({wall['on'] / wall['off'] - 1:+.1%} "
        "wall); texts identical with and without",
        f"- {len(tokens)} tokens, {low} ({low / len(tokens):.0%}) below p = 0.2",
        f"- first output, low-confidence tokens in [[...]]: `{first}`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
