"""Channel-spec pass rates with the default model: how much copy is usable as it comes out.

For every channel, the example catalogue's products go through the engine (templates, parsing,
evaluators, regenerate-then-shorten repair). Printed and written to benchmarks/results/channels.md:
first-try pass rate, pass rate after repair, and the most common rejection reasons.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contentgen import Engine, MarketingRequest  # noqa: E402
from contentgen.checks.channels import CHANNELS  # noqa: E402
from contentgen.config import Route  # noqa: E402
from contentgen.types import Task  # noqa: E402


def main() -> None:
    """Run every channel over the catalogue and print the pass-rate table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=12, help="products per channel")
    parser.add_argument("--variants", type=int, default=2)
    parser.add_argument("--generator", default="builtin:ctranslate2")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "channels.md")
    args = parser.parse_args()
    with (ROOT / "examples" / "products.csv").open(encoding="utf-8") as handle:
        products = [{k: v for k, v in row.items() if k != "sku"} for row in csv.DictReader(handle)]
    products = products[: args.rows]
    data_dir = Path(tempfile.mkdtemp(prefix="cg-channels-"))
    routes = {Task.MARKETING: Route(args.generator, params={"temperature": 0.7, "max_new_tokens": 96})}
    lines = [
        f"# Channel-spec pass rates ({time.strftime('%Y-%m-%d')})",
        "",
        f"{len(products)} products x {args.variants} variants per channel, {args.generator} "
        "(SmolLM2-135M-Instruct), all default evaluators on, up to 3 attempts then shortening.",
        "",
        "| channel | asked | first try ok | ok after repair | shortened | rejected drafts | top rejection reasons |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    with Engine.from_config(data_dir=data_dir, routes=routes) as engine:
        for channel in CHANNELS:
            requests = [
                MarketingRequest(product=p, channel=channel, variants=args.variants, seed=i)
                for i, p in enumerate(products)
            ]
            results = engine.generate_many(requests)
            asked = len(requests) * args.variants
            ok = [o for r in results for o in r.outputs]
            first = sum(
                1 for r, q in zip(results, requests, strict=True) for o in r.outputs
                if o.provenance.seed == q.seed and "repaired" not in o.provenance.params
            )
            shortened = sum(1 for o in ok if o.provenance.params.get("repaired") == "shortened")
            rejected = [o for r in results for o in r.rejected]
            reasons = Counter(
                part.split(":")[0] + ": " + part.split(":", 1)[1].strip().split(";")[0][:40]
                for o in rejected for part in (o.reason or "").split("; ") if ":" in part
            )
            top = "; ".join(f"{reason} ({n})" for reason, n in reasons.most_common(3))
            lines.append(
                f"| {channel} | {asked} | {first / asked:.0%} | {len(ok) / asked:.0%} | {shortened} "
                f"| {len(rejected)} | {top} |"
            )
            print(lines[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
