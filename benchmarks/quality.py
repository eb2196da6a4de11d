"""Quality of returned copy on held-out products: base vs tuned default copywriter, and others.

Held-out briefs of the copywriting corpus (contentgen/datasets/copywriting, the 20% no adapter
trains on; drawn round-robin over categories) go through the real Engine for each of the six
marketing channels, once per arm:

- base:  the default route (builtin:transformers, SmolLM2-135M-Instruct) with `adapter = "none"`;
- tuned: the same with the copywriter LoRA adapter (skipped, with a line saying so, when none is
  found: shipped in contentgen/_checkpoints/copywriter-lora, or checkpoints/copywriter-lora, or
  `--adapter DIR`);
- one arm per `--generator ID` (its options from contentgen.toml), same templates and sampling.

Per arm and channel: products with >= 1 accepted variant, accepted/asked, first-try compliance
(variants accepted from the first round, unrepaired), rejected drafts per accepted output, the
quality detectors run again, independently of the engine's gates, on every returned output
(contentgen.checks.defects), wall and CPU seconds per accepted output (model loading apart), and
why drafts were rejected (rejected drafts per gate problem "check:kind").
Writes benchmarks/results/quality.md, one JSONL of returned outputs per arm
(quality_<arm>.jsonl, the input of scripts/blind_review.py) and one of the drafts the gates
rejected, each with the problems that rejected it (quality_<arm>_rejected.jsonl).

    python benchmarks/quality.py --quick                 # 6 products
    python benchmarks/quality.py                         # 60 products x 6 channels
    python benchmarks/quality.py --products 12 --arms base --generator builtin:ctranslate2
    python benchmarks/quality.py --benefits facts-only   # briefs without stated benefits
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.quality_report import Cell, markdown, table_row  # noqa: E402
from contentgen import Engine, MarketingRequest  # noqa: E402
from contentgen.checks.base import EvalInput  # noqa: E402
from contentgen.checks.channels import CHANNELS  # noqa: E402
from contentgen.checks.defects import find_defects  # noqa: E402
from contentgen.checks.problems import verdict_problems  # noqa: E402
from contentgen.config import Route, load_settings  # noqa: E402
from contentgen.errors import ContentgenError, ValidationError  # noqa: E402
from contentgen.hostinfo import host_cpu  # noqa: E402
from contentgen.requests_io import prompt_variables  # noqa: E402
from contentgen.tasks.brief_suggestions import SUGGESTION_SOURCES  # noqa: E402
from contentgen.types import Output, Result, Task  # noqa: E402

MARKETING_CHANNELS = tuple(c for c in CHANNELS if not c.endswith("_creative"))
DEFAULT_GENERATOR = "builtin:transformers"
TRAINED_ADAPTER = ROOT / "checkpoints" / "copywriter-lora"
ARM_NAMES = ("base", "tuned")


@dataclass(frozen=True)
class Arm:
    """One side of the comparison: a name, the generator and the options it runs with."""

    name: str
    generator: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The arm's name as a file-name part."""
        return re.sub(r"[^A-Za-z0-9_.-]+", "-", self.name).strip("-")


BENEFIT_CHOICES = ("as-built", "stated", "facts-only")


def with_benefits(rows: list[dict[str, Any]], benefits: str) -> list[dict[str, Any]]:
    """The briefs as built, only those stating benefits, or all with their benefits removed."""
    if benefits == "stated":
        return [r for r in rows if r["product"].get("benefits")]
    if benefits == "facts-only":
        return [
            {**r, "product": {k: v for k, v in r["product"].items() if k != "benefits"}}
            for r in rows
        ]
    return rows


def heldout_products(
    corpus: Path | None, count: int, benefits: str = "as-built"
) -> list[dict[str, Any]]:
    """`count` held-out brief records, taken in turn from each category (sorted ids within)."""
    from contentgen.datasets.copywriting.split import HELDOUT

    if corpus is not None:
        path = corpus / "briefs.jsonl"
        if not path.is_file():
            raise ValidationError("corpus", f"{path} does not exist (build the corpus first)")
        with path.open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
    else:
        rows = _built_briefs()
    rows = with_benefits(rows, benefits)
    by_category: dict[str, list[dict[str, Any]]] = {}
    for row in sorted((r for r in rows if r["split"] == HELDOUT), key=lambda r: r["id"]):
        by_category.setdefault(row["category"], []).append(row)
    picked: list[dict[str, Any]] = []
    while len(picked) < count and any(by_category.values()):
        for queue in by_category.values():
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    if len(picked) < count:
        raise ValidationError("products", f"only {len(picked)} held-out briefs, asked {count}")
    return picked


def _built_briefs() -> list[dict[str, Any]]:
    """The briefs and split `python -m contentgen.datasets.copywriting build` writes by default."""
    from contentgen.datasets.copywriting.briefs import generate_briefs
    from contentgen.datasets.copywriting.build import BuildConfig
    from contentgen.datasets.copywriting.resources import category
    from contentgen.datasets.copywriting.split import stratified_split

    cfg = BuildConfig()
    briefs = list(generate_briefs(cfg.briefs, cfg.seed))
    split = stratified_split(((b.id, b.category) for b in briefs), cfg.heldout_share, cfg.seed)
    return [{**b.record(category(b.category)), "split": split[b.id]} for b in briefs]


def find_adapter(explicit: Path | None) -> tuple[str | None, str]:
    """The tuned arm's adapter option and where it was found, or None and why not."""
    from contentgen.modelfiles.adapters import CONFIG_FILE, SHIPPED, shipped_dir

    if explicit is not None:
        if not (explicit / CONFIG_FILE).is_file():
            raise ValidationError("adapter", f"no {CONFIG_FILE} in {explicit}")
        return str(explicit), str(explicit)
    for name in SHIPPED:
        if (shipped_dir(name) / CONFIG_FILE).is_file():
            return name, f"shipped adapter {name!r} ({_shown(shipped_dir(name))})"
    if (TRAINED_ADAPTER / CONFIG_FILE).is_file():
        return str(TRAINED_ADAPTER), str(TRAINED_ADAPTER)
    places = [_shown(shipped_dir(n)) for n in SHIPPED] + [_shown(TRAINED_ADAPTER)]
    return None, f"tuned arm: no copywriter adapter found (looked in {', '.join(places)})"


def _shown(path: Path) -> str:
    """A path relative to the repository when it is inside it (the report names no machine)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def requests_for(
    products: Sequence[dict[str, Any]],
    channel: str,
    variants: int,
    seed: int,
    suggestions: str = "lexicon",
) -> list[MarketingRequest]:
    """One request per product; tones rotate over the corpus's marketing tones."""
    from contentgen.datasets.copywriting.briefs import TONES

    return [
        MarketingRequest(product=p["product"], channel=channel, audience=p["audience"],
                         tone=TONES[i % len(TONES)], variants=variants, seed=seed + 1000 * i,
                         suggestions=suggestions)
        for i, p in enumerate(products)
    ]  # fmt: skip


def first_try(output: Output, request: MarketingRequest) -> bool:
    """Accepted from the first round's seed, without shortening or another repair."""
    return output.provenance.seed == request.seed and "repaired" not in output.provenance.params


def eval_input(engine: Engine, request: MarketingRequest, output: Output) -> EvalInput:
    """The output as the detectors see it, rebuilt from the request, not from the engine's run."""
    spec = engine.tasks.spec_for(request)
    variables = prompt_variables(request, spec)
    prompt = ""
    examples: tuple[tuple[str, str], ...] = ()
    if output.provenance.template_id:
        rendered = engine.templates.render(output.provenance.template_id, variables)
        prompt = "\n".join(filter(None, [rendered.system, rendered.text]))
        examples = rendered.examples
    return EvalInput(task=request.task, text=output.text or "", fields=dict(output.fields),
                     channel=request.channel, facts=variables,
                     fact_fields=frozenset(spec.fact_fields), prompt=prompt,
                     examples=examples)  # fmt: skip


def measure(
    engine: Engine, arm: Arm, products: Sequence[dict[str, Any]], channel: str, args: Any
) -> tuple[Cell, list[dict[str, Any]], list[dict[str, Any]]]:
    """Run one channel for every product through the engine; the cell, the returned rows and
    the rejected drafts (each with the gate problems that rejected it)."""
    requests = requests_for(products, channel, args.variants, args.seed, args.suggestions)
    wall, cpu = time.perf_counter(), time.process_time()
    results: list[Result] = engine.generate_many(requests)
    cell = Cell(wall_s=time.perf_counter() - wall, cpu_s=time.process_time() - cpu)
    pairs = [(i, o) for i, r in enumerate(results) for o in r.outputs]
    problems = find_defects([eval_input(engine, requests[i], o) for i, o in pairs])
    gates = {e.name for e in engine.evaluators if e.gate}
    for request, result in zip(requests, results, strict=True):
        cell.products += 1
        cell.asked += request.variants
        cell.covered += bool(result.outputs)
        cell.accepted += len(result.outputs)
        cell.first_try += sum(first_try(o, request) for o in result.outputs)
        cell.rejected += len(result.rejected)
        cell.rejections.update(k for o in result.rejected for k in rejection_kinds(o, gates))
    rows = []
    for (i, output), found in zip(pairs, problems, strict=True):
        cell.defective += bool(found)
        cell.defects.update({p.check for p in found})
        rows.append(_row(arm, products[i], requests[i], output, found))
    rejected = [
        _row(arm, products[i], requests[i], o, gate_problems(o, gates))
        for i, r in enumerate(results)
        for o in r.rejected
    ]
    return cell, rows, rejected


def gate_problems(output: Output, gates: set[str]) -> list[Any]:
    """The problems of every gate that rejected a draft."""
    return [p for e in output.evaluations if not e.passed and e.name in gates
            for p in verdict_problems(e)]  # fmt: skip


def rejection_kinds(output: Output, gates: set[str]) -> set[str]:
    """The "check:kind" of every problem of a gate that rejected a draft (each once)."""
    return {f"{p.check}:{p.kind}" for p in gate_problems(output, gates)}


def _row(
    arm: Arm, product: dict[str, Any], request: MarketingRequest, output: Output, found: list[Any]
) -> dict[str, Any]:
    return {
        "id": output.id, "arm": arm.name, "brief_id": product["id"],
        "category": product["category"], "channel": request.channel,
        "request": {"channel": request.channel, "tone": request.tone,
                    "audience": request.audience, "product": dict(request.product)},
        "text": output.text, "fields": dict(output.fields),
        "first_try": first_try(output, request), "seed": output.provenance.seed,
        "repaired": output.provenance.params.get("repaired"),
        "generator": output.provenance.generator_id, "model": output.provenance.model_id,
        "model_revision": output.provenance.model_revision,
        "defects": [p.as_dict() for p in found],
    }  # fmt: skip


def route_params(spec: Any, fields: str | None, temperature: float | None = None) -> dict[str, Any]:
    """The default route's params, with `fields` ("whole"/"each") and a sampling temperature
    when one is asked for."""
    asked = {"fields": fields, "temperature": temperature}
    return {**spec.default_route.params, **{k: v for k, v in asked.items() if v is not None}}


def open_engine(
    arm: Arm, data_dir: Path, fields: str | None = None, temperature: float | None = None
) -> Engine:
    """An engine whose marketing route is the arm's generator with the default route's sampling.

    `fields` replaces each channel template's default way of writing ("whole" or "each").
    """
    from contentgen.tasks.marketing import SPEC

    settings = load_settings()
    options = {**settings.options_for(arm.generator), **arm.options}
    return Engine.from_config(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'quality.db'}",
        generators={**settings.generators, arm.generator: options},
        routes={
            Task.MARKETING: Route(arm.generator, params=route_params(SPEC, fields, temperature))
        },
        rerank=False,
        bandit=False,
    )


def run_arm(
    arm: Arm, products: Sequence[dict[str, Any]], args: Any
) -> Iterator[tuple[str, Cell, list[dict[str, Any]], list[dict[str, Any]]]]:
    """Load the arm's generator (timed apart), then measure every channel in turn."""
    with tempfile.TemporaryDirectory(prefix="cg-quality-") as tmp:
        engine = open_engine(arm, Path(tmp), args.fields, args.temperature)
        try:
            started = time.perf_counter()
            engine.registry.get(arm.generator).load()
            print(f"{arm.name}: {arm.generator} {arm.options or ''} loaded in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
            for channel in args.channels:
                yield channel, *measure(engine, arm, products, channel, args)
        finally:
            engine.close()


def choose_arms(args: Any) -> tuple[list[Arm], list[str]]:
    """The arms to run, and a line for each arm left out."""
    arms, skipped = [], []
    if "base" in args.arms:
        arms.append(Arm("base", DEFAULT_GENERATOR, {"adapter": "none"}))
    if "tuned" in args.arms:
        adapter, where = find_adapter(args.adapter)
        if adapter is None:
            skipped.append(where)
        else:
            arms.append(Arm("tuned", DEFAULT_GENERATOR, {"adapter": adapter}))
    arms += [Arm(gid, gid) for gid in args.generator]
    return arms, skipped


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options; bad values are refused before any model loads."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=60, help="held-out products (default 60)")
    parser.add_argument("--quick", action="store_true", help="a short run: 6 products")
    parser.add_argument("--variants", type=int, default=2, help="variants asked per request")
    parser.add_argument("--channels", default=",".join(MARKETING_CHANNELS),
                        help="comma-separated channels (default: all six)")  # fmt: skip
    parser.add_argument("--arms", default="base,tuned", help="built-in arms: base, tuned")
    parser.add_argument("--generator", action="append", default=[], help="another arm (repeat)")
    parser.add_argument("--adapter", type=Path, help="the tuned arm's adapter folder")
    parser.add_argument("--corpus", type=Path, help="a built corpus folder (default: build briefs)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--temperature", type=float,
                        help="sampling temperature (default: the default route's)")  # fmt: skip
    parser.add_argument("--benefits", choices=BENEFIT_CHOICES, default="as-built",
                        help="briefs as built (most state benefits), only those that do, or all "
                        "as facts only")  # fmt: skip
    parser.add_argument("--suggestions", choices=SUGGESTION_SOURCES, default="lexicon",
                        help="fill in the benefits and the use a brief does not state from the "
                        "lexicons (the request default), or off")  # fmt: skip
    parser.add_argument("--fields", choices=("whole", "each"),
                        help="write channels whole or field by field (default: each template's)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "quality.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.products = min(args.products, 6)
    if args.products < 1 or not 1 <= args.variants <= 10:
        raise ValidationError("products", "need --products >= 1 and --variants from 1 to 10")
    args.channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    for channel in args.channels:
        if channel not in MARKETING_CHANNELS:
            raise ValidationError("channels", f"unknown channel {channel!r}", MARKETING_CHANNELS)
    args.arms = [a.strip() for a in args.arms.split(",") if a.strip()]
    for name in args.arms:
        if name not in ARM_NAMES:
            raise ValidationError("arms", f"unknown arm {name!r}", ARM_NAMES)
    return args


def header(args: Any, products: Sequence[dict[str, Any]], load: tuple[float, float]) -> list[str]:
    """The report's opening lines: what ran, where and how."""
    categories = len({p["category"] for p in products})
    return [
        f"# Quality of returned copy ({time.strftime('%Y-%m-%d')})",
        "",
        f"Host: {host_cpu().describe()}; torch threads {os.environ.get('CONTENTGEN_TORCH_THREADS', '1')}; "
        f"1-minute load average {load[0]:.1f} at the start, {load[1]:.1f} at the end "
        "(the machine was shared: CPU seconds are the steadier figure).",
        f"{len(products)} held-out products ({categories} categories) x {len(args.channels)} channels x "
        f"{args.variants} variants, seed {args.seed}, briefs {args.benefits}, "
        f"suggestions {args.suggestions}, "
        f"temperature {args.temperature if args.temperature is not None else 'default'} "
        f"({sum(1 for p in products if p['product'].get('benefits'))} state benefits); "
        "the default route's sampling"
        f"{f' with fields = {args.fields!r}' if args.fields else ''}; the engine's "
        "default checks with up to 3 rounds (a draft whose only slips are articles or capitals "
        "is edited, not redrawn) and 3 more for a request with none accepted, then shortening; "
        "defects counted by running the "
        "quality detectors again on each returned output.",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run every arm over the held-out products; print and write the tables and the outputs."""
    args = parse_args(argv)
    products = heldout_products(args.corpus, args.products, args.benefits)
    arms, skipped = choose_arms(args)
    for line in skipped:
        print(f"skipped: {line}", flush=True)
    load_start = os.getloadavg()[0]
    results: dict[str, dict[str, Cell]] = {}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for arm in arms:
        results[arm.name] = {}
        path = args.out.with_name(f"{args.out.stem}_{arm.slug}.jsonl")
        drafts = path.with_name(f"{path.stem}_rejected.jsonl")
        with path.open("w", encoding="utf-8") as handle, drafts.open("w", encoding="utf-8") as out:
            for channel, cell, rows, rejected in run_arm(arm, products, args):
                results[arm.name][channel] = cell
                handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
                out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rejected)
                print(table_row(arm.name, channel, cell), flush=True)
        print(f"returned outputs written to {path}", flush=True)
    report = markdown(header(args, products, (load_start, os.getloadavg()[0])), results, skipped)
    args.out.write_text(report, encoding="utf-8")
    summary = {arm: {ch: c.as_dict() for ch, c in cells.items()} for arm, cells in results.items()}
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(report)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ContentgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
