"""Batch jobs end to end (CSV -> database): contentgen vs a naive loop, overhead, flat memory.

Throughput: the same product rows x 3 variants go from a CSV file into a database through
(a) a naive loop: one `pipeline("text-generation")` call and one database commit per row, and
(b) `engine.batch(...)` on builtin:transformers (same SmolLM2 weights, same sampling settings,
64 new tokens at most), in interleaved rounds; medians are reported. The engine's own overhead
is the wall time not spent inside `generator.generate` (the model is loaded before timing;
channel parsing, rendering, bookkeeping, the database and the results file all count as
overhead). The engine runs with no evaluators and no repair rounds, so both sides generate the
same number of sequences.

Memory: the batch runner on the fast EchoGenerator over 1,000 and 10,000 rows, each in a fresh
process; peak RSS (ru_maxrss) must not grow with the catalogue.

    python benchmarks/batch.py --rows 16 --rounds 1        # quick (a few minutes on 2 cores)
    python benchmarks/batch.py --skip-model                # memory only
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "batch.md"
VARIANTS = 3
TARGET_RATIO, TARGET_OVERHEAD = 5.0, 0.10

MEMORY_SCRIPT = """
import csv, resource, sys, time
from contentgen.testing import echo_engine

rows, folder = int(sys.argv[1]), sys.argv[2]
source = f"{folder}/catalogue.csv"
with open(source, "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    writer.writerow(["sku", "title", "price", "color", "material"])
    for i in range(rows):
        writer.writerow([f"S{i:06d}", f"Product {i} deluxe", f"{i % 300}.99", "grey", "mesh"])
engine = echo_engine(f"{folder}/data")
started = time.perf_counter()
summary = engine.batch(source, task="marketing", mapping=["name=title"], key="sku", variants=3,
                       out=f"{folder}/results.csv").run()
assert summary.done == rows, summary
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - started)
"""


def write_catalogue(path: Path, rows: int) -> None:
    """examples/products.csv rows, repeated with numbered SKUs up to `rows`."""
    with (ROOT / "examples" / "products.csv").open(encoding="utf-8", newline="") as handle:
        base = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(base[0]))
        writer.writeheader()
        for i in range(rows):
            writer.writerow({**base[i % len(base)], "sku": f"SKU-{i:05d}"})


def memory(sizes: list[int]) -> list[dict[str, float]]:
    """Peak RSS and time of the batch runner on EchoGenerator, one fresh process per size."""
    found = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for rows in sizes:
        with tempfile.TemporaryDirectory() as folder:
            done = subprocess.run(
                [sys.executable, "-c", MEMORY_SCRIPT, str(rows), folder],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
        rss_kib, seconds = done.stdout.split()[-2:]
        found.append({"rows": rows, "peak_rss_mb": int(rss_kib) / 1024, "seconds": float(seconds)})
    return found


class Contest:
    """The two contestants with the model loaded once each."""

    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        import torch

        from contentgen.config import Settings
        from contentgen.engine import Engine
        from contentgen.plugins import load_plugins

        torch.set_num_threads(args.threads)
        self.args, self.folder = args, folder
        self.source = folder / "catalogue.csv"
        write_catalogue(self.source, args.rows)
        options = {
            "torch_threads": args.threads,
            # the naive loop runs the base weights on the template's prompt: so does the engine
            "adapter": "none",
            **({"batch_size": args.batch_size} if args.batch_size else {}),
        }
        settings = Settings(
            data_dir=folder / "cg",
            torch_threads=args.threads,
            repair_attempts=1,
            generators={"builtin:transformers": options},
        )
        self.engine = Engine(settings, load_plugins(settings.blocked_plugins), evaluators=[])
        self.generators = ["builtin:transformers"] + (["builtin:ctranslate2"] if args.ct2 else [])
        self.inside_s = 0.0
        self.sequences = 0
        for gid in self.generators:
            self._instrument(gid)
        self.generator = self.engine.registry.get("builtin:transformers")
        work = self.engine.prepare(self._probe())
        self.system = work.rendered.system if work.rendered else None
        self.template = work.plan.template_id
        self.params = dict(work.plan.params)
        self.pipe = self._pipeline()

    def _instrument(self, generator_id: str) -> None:
        """Load a generator and time every generate() call it gets from the engine."""
        generator = self.engine.registry.get(generator_id)
        generator.load()
        real = generator.generate

        def timed_generate(prompts: Any) -> Any:
            started = time.perf_counter()
            try:
                out = real(prompts)
            finally:
                self.inside_s += time.perf_counter() - started
            self.sequences += sum(len(c) for c in out)
            return out

        generator.generate = timed_generate  # type: ignore[method-assign]

    def _probe(self) -> Any:
        from contentgen.types import MarketingRequest

        return MarketingRequest(product={"name": "probe"}, variants=VARIANTS, seed=0)

    def _pipeline(self) -> Any:
        from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

        path = self.generator.model_info().extra["path"]
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, dtype="float32")
        return pipeline("text-generation", model=model, tokenizer=tokenizer, device="cpu")

    def naive(self, round_no: int) -> dict[str, float]:
        """(a) one pipeline call and one commit per row, prompts rendered from the same template."""
        db = sqlite3.connect(self.folder / f"naive{round_no}.db")
        db.execute(
            "CREATE TABLE outputs (sku TEXT, variant INTEGER, text TEXT, PRIMARY KEY (sku, variant))"  # noqa: E501
        )
        started = time.perf_counter()
        cpu = time.process_time()
        inside = 0.0
        with self.source.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                facts = {k: v for k, v in row.items() if v and k != "sku"}
                prompt = self.engine.templates.render(
                    self.template,
                    {
                        "product": facts,
                        "audience": "general shoppers",
                        "tone": "friendly",
                        "channel": "search_ad",
                        "variants": VARIANTS,
                        "spec": self._spec(),
                    },
                ).text
                chat = [
                    {"role": "system", "content": self.system or ""},
                    {"role": "user", "content": prompt},
                ]
                t = time.perf_counter()
                outs = self.pipe(
                    chat,
                    return_full_text=False,
                    do_sample=True,
                    temperature=float(self.params.get("temperature", 0.8)),
                    top_p=0.95,
                    top_k=50,
                    max_new_tokens=int(self.params.get("max_new_tokens", 64)),
                    num_return_sequences=VARIANTS,
                )
                inside += time.perf_counter() - t
                for i, out in enumerate(outs):
                    db.execute(
                        "INSERT INTO outputs VALUES (?, ?, ?)",
                        (row["sku"], i + 1, out["generated_text"]),
                    )
                db.commit()
        wall = time.perf_counter() - started
        stored = db.execute("SELECT count(*) FROM outputs").fetchone()[0]
        db.close()
        return {
            "wall_s": wall,
            "inside_s": inside,
            "sequences": stored,
            "cpu_s": time.process_time() - cpu,
        }

    def _spec(self) -> dict[str, Any]:
        from contentgen.checks.channels import CHANNELS

        return CHANNELS["search_ad"].as_template_vars()

    def contentgen(
        self, round_no: int, generator: str = "builtin:transformers"
    ) -> dict[str, float]:
        """(b) engine.batch: CSV -> model batches -> one transaction per batch -> results file."""
        self.inside_s, self.sequences = 0.0, 0
        started = time.perf_counter()
        cpu = time.process_time()
        name = generator.split(":")[1]
        summary = self.engine.batch(
            self.source,
            task="marketing",
            key="sku",
            variants=VARIANTS,
            generator=generator,
            # the naive loop writes each answer whole, so the engine does too: the same sequences
            params={"fields": "whole"},
            job_name=f"bench-{name}-{round_no}",
            out=self.folder / f"out-{name}-{round_no}.csv",
        ).run()
        wall = time.perf_counter() - started
        return {
            "cpu_s": time.process_time() - cpu,
            "wall_s": wall,
            "inside_s": self.inside_s,
            "sequences": self.sequences,
            "accepted": summary.outputs,
            "failed": summary.failed,
        }


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    """Interleaved rounds of both contestants; medians."""
    with tempfile.TemporaryDirectory() as tmp:
        contest = Contest(args, Path(tmp))
        names = ["naive", "contentgen"] + (["contentgen_ct2"] if args.ct2 else [])
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                if name == "naive":
                    runs[name].append(contest.naive(r))
                else:
                    gid = "builtin:ctranslate2" if name.endswith("ct2") else "builtin:transformers"
                    runs[name].append(contest.contentgen(r, gid))
                print(f"round {r + 1} {name}: {runs[name][-1]}", file=sys.stderr)
        batch_size = contest.generator.max_batch_size()
        contest.engine.close()
    med = {
        name: {k: statistics.median(x[k] for x in rs) for k in rs[0]} for name, rs in runs.items()
    }
    return {"median": med, "batch_size": batch_size}


def report(args: argparse.Namespace, mem: list[dict[str, float]], tp: dict[str, Any] | None) -> str:
    """A markdown report: the table printed and written to benchmarks/results/batch.md."""
    from contentgen.hostinfo import host_cpu

    lines = [
        f"# Batch jobs: CSV -> database ({dt.date.today()}, {host_cpu().describe()}, "
        f"torch threads {args.threads})",
        "",
    ]
    if tp is not None:
        naive, cg = tp["median"]["naive"], tp["median"]["contentgen"]
        ratio = (cg["sequences"] / cg["wall_s"]) / (naive["sequences"] / naive["wall_s"])
        overhead = (cg["wall_s"] - cg["inside_s"]) / cg["wall_s"]
        lines += [
            f"Throughput: {args.rows} rows x {VARIANTS} variants, SmolLM2-135M-Instruct "
            f"(fp32, CPU), <= 64 new tokens, median of {args.rounds} round(s); "
            f"contentgen model batch {tp['batch_size']}.",
            "",
            "| system | wall s | CPU s | sequences | seq/s | rows/s | in generate s | overhead |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        rows = [
            ("naive loop (pipeline + commit per row)", naive),
            ("contentgen engine.batch, builtin:transformers", cg),
        ]
        if "contentgen_ct2" in tp["median"]:
            rows.append(
                ("contentgen engine.batch, builtin:ctranslate2", tp["median"]["contentgen_ct2"])
            )
        for name, m in rows:
            lines.append(
                f"| {name} | {m['wall_s']:.1f} | {m['cpu_s']:.1f} | {m['sequences']:.0f} | "
                f"{m['sequences'] / m['wall_s']:.2f} | "
                f"{args.rows / m['wall_s']:.2f} | {m['inside_s']:.1f} | "
                f"{(m['wall_s'] - m['inside_s']) / m['wall_s']:.1%} |"
            )
        cpu_ratio = (naive["cpu_s"] / naive["sequences"]) / (cg["cpu_s"] / cg["sequences"])
        lines += [
            "",
            f"- speed-up (sequences/s): **{ratio:.2f}x** (target >= {TARGET_RATIO:.0f}x: "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}); per CPU second "
            f"(less sensitive to other load on a shared machine): {cpu_ratio:.2f}x",
            f"- engine overhead (wall time outside generator.generate): **{overhead:.1%}** "
            f"(target <= {TARGET_OVERHEAD:.0%}: "
            f"{'met' if overhead <= TARGET_OVERHEAD else 'NOT met'})",
            f"- contentgen accepted {cg.get('accepted', 0):.0f} variants (channel parsing and "
            f"shortening on), {cg.get('failed', 0):.0f} rows failed",
        ]
        ct2 = tp["median"].get("contentgen_ct2")
        if ct2 is not None:
            ct2_ratio = (ct2["sequences"] / ct2["wall_s"]) / (naive["sequences"] / naive["wall_s"])
            lines.append(
                f"- same batch runner on builtin:ctranslate2 (int8): **{ct2_ratio:.2f}x** the naive"
                f" loop, overhead {(ct2['wall_s'] - ct2['inside_s']) / ct2['wall_s']:.1%}"
            )
        lines.append("")
    if mem:
        lines += [
            "Memory: batch runner on EchoGenerator, results file on, fresh process per size.",
            "",
            "| rows | peak RSS MB | seconds | rows/s |",
            "|---:|---:|---:|---:|",
        ]
        for m in mem:
            lines.append(
                f"| {m['rows']:,} | {m['peak_rss_mb']:.0f} | {m['seconds']:.1f} | "
                f"{m['rows'] / m['seconds']:.0f} |"
            )
        if len(mem) > 1:
            lines += [
                "",
                f"- growth from {mem[0]['rows']:,} to {mem[-1]['rows']:,} rows: "
                f"**{mem[-1]['peak_rss_mb'] - mem[0]['peak_rss_mb']:+.1f} MB**",
            ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    """Run the benchmark, print the table and write benchmarks/results/batch.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows", type=int, default=16, help="catalogue rows for the throughput contest"
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="builtin:transformers batch_size"
    )
    parser.add_argument("--memory-rows", default="1000,10000", help="comma-separated row counts")
    parser.add_argument("--skip-model", action="store_true", help="memory part only")
    parser.add_argument("--skip-memory", action="store_true", help="throughput part only")
    parser.add_argument(
        "--ct2", action="store_true", help="also run engine.batch on builtin:ctranslate2"
    )
    args = parser.parse_args(argv)
    mem = [] if args.skip_memory else memory([int(x) for x in args.memory_rows.split(",") if x])
    tp = None if args.skip_model else throughput(args)
    text = report(args, mem, tp)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return text


if __name__ == "__main__":
    main()
