"""First-try copy on held-out briefs, base SmolLM2 vs the copywriter adapter, judged by the checks.

For the first N held-out briefs of the copywriting corpus and every marketing channel, one seeded
variant is generated with the channel's template exactly as the engine renders it (few-shot turns
included; the adapter's generator leaves them out when it was trained without them), with no
repair and no reranking. Each text is parsed into the channel's fields and judged by the channel's
limits and by the quality detectors (contentgen.checks.defects). Prints a markdown table.

    python scripts/copywriter_sample.py --corpus corpus --briefs 10
    python scripts/copywriter_sample.py --corpus corpus --adapter checkpoints/copywriter-lora
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ("search_ad", "social_post", "email", "sms", "push", "product_description")


def heldout_requests(corpus: Path, briefs: int) -> list[Any]:
    """One MarketingRequest per held-out brief x channel (the corpus's audience, a fixed tone)."""
    from contentgen.datasets.copywriting.split import HELDOUT
    from contentgen.types import MarketingRequest

    rows = [json.loads(line) for line in (corpus / "briefs.jsonl").open(encoding="utf-8")]
    held = [r for r in rows if r["split"] == HELDOUT][:briefs]
    return [
        MarketingRequest(product=r["product"], channel=channel, tone="friendly",
                         audience=r["audience"])
        for channel in CHANNELS
        for r in held
    ]  # fmt: skip


def run_arm(adapter: str, requests: list[Any], seed: int, threads: int) -> list[dict[str, Any]]:
    """Generate, parse and check one text per request with `adapter` on the default model."""
    from contentgen.checks.base import EvalInput
    from contentgen.checks.channels import CHANNELS as SPECS
    from contentgen.checks.defects import find_defects
    from contentgen.generators.transformers_gen import TransformersGenerator
    from contentgen.requests_io import prompt_variables
    from contentgen.templates import TemplateLibrary
    from contentgen.types import Prompt, Task

    library = TemplateLibrary.with_builtins([ROOT / "templates"])
    generator = TransformersGenerator(adapter=adapter, torch_threads=threads)
    generator.load()
    prompts, inputs = [], []
    for i, request in enumerate(requests):
        variables = prompt_variables(request)
        rendered = library.render(f"marketing/{request.channel}", variables)
        prompts.append(
            Prompt(
                task=Task.MARKETING, text=rendered.text, system=rendered.system,
                examples=rendered.examples, stop=rendered.stop, seed=seed + i, temperature=0.8,
                max_new_tokens=int(rendered.template.meta.get("max_new_tokens", 96)),
            )
        )  # fmt: skip
        inputs.append((request, variables, rendered.text))
    started = time.process_time()
    texts = [cands[0].text or "" for cands in generator.generate(prompts)]
    cpu_s = time.process_time() - started
    items = []
    for (request, variables, prompt_text), text in zip(inputs, texts, strict=True):
        spec = SPECS[request.channel]
        fields = spec.parse(text)
        items.append(
            EvalInput(task=Task.MARKETING, text=text, fields=fields, channel=request.channel,
                      facts=variables, prompt=prompt_text)
        )  # fmt: skip
    defects = find_defects(items)
    return [
        {
            "channel": item.channel,
            "text": item.text,
            "format": not SPECS[str(item.channel)].problems(item.fields),
            "defects": sorted({p.check for p in problems}),
            "cpu_s": cpu_s / len(items),
        }
        for item, problems in zip(items, defects, strict=True)
    ]


def table(arms: dict[str, list[dict[str, Any]]]) -> str:
    """Per channel and arm: fields within the channel's limits, defect-free, and both."""
    lines = [
        "| channel | " + " | ".join(f"{a}: format ok / no defect / both" for a in arms) + " |",
        "|---|" + "---|" * len(arms),
    ]
    for channel in (*CHANNELS, "all"):
        cells = []
        for results in arms.values():
            rows = [r for r in results if channel in ("all", r["channel"])]
            ok = sum(r["format"] for r in rows)
            clean = sum(not r["defects"] for r in rows)
            both = sum(r["format"] and not r["defects"] for r in rows)
            cells.append(f"{ok}/{len(rows)} / {clean}/{len(rows)} / {both}/{len(rows)}")
        lines.append(f"| {channel} | " + " | ".join(cells) + " |")
    for arm, results in arms.items():
        found = Counter(d for r in results for d in r["defects"])
        lines.append(f"\n{arm} defects by detector: {dict(found.most_common()) or 'none'}")
    return "\n".join(lines)


def main() -> None:
    """Run both arms and print the table (and the texts with --show)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--briefs", type=int, default=10)
    parser.add_argument("--adapter", default="copywriter", help="the tuned arm's adapter option")
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--show", action="store_true", help="print every text")
    parser.add_argument("--out", type=Path, help="also write the results as JSON")
    args = parser.parse_args()
    requests = heldout_requests(args.corpus, args.briefs)
    arms = {
        "base": run_arm("none", requests, args.seed, args.threads),
        "tuned": run_arm(args.adapter, requests, args.seed, args.threads),
    }
    if args.out:
        args.out.write_text(json.dumps(arms, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.show:
        for arm, results in arms.items():
            for r in results:
                print(f"--- {arm} {r['channel']} format={r['format']} defects={r['defects']}")
                print(r["text"])
    print(table(arms))


if __name__ == "__main__":
    main()
