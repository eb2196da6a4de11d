"""The checks at model speed: a zero-cost generator through the whole pipeline, and each check's cost.

With `testing:echo` (no model) a batch job's time is the engine's, the checks' and the database's.
Each configuration runs in a fresh process over the same catalogue (3 variants, the default
checks, SQLite, results file): a first job (cold: the checks' models load) and a second job in
the same process (steady). Configurations:

- per-request checks: a model batch of one request, so every check is called once per request
  (what the engine did before checks ran over a whole model batch);
- model-batch checks: the default model batch (64 requests): one call per check per batch,
  cheap checks first, model-backed ones only on drafts no gate rejected;
- the same with the lexical diversity similarity instead of MiniLM (no model at all).

Then one-shot CLI calls (`contentgen generate marketing --variants 3`), each a fresh process,
with and without the default checks. Every figure is also given per CPU-second.

    python benchmarks/checks.py --rows 48
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "checks.md"
TARGET_ROWS_S, TARGET_ONE_SHOT_S = 200.0, 2.0

JOB_SCRIPT = """
import json, sys, time
sys.path.insert(0, sys.argv[4] + "/benchmarks")
from pathlib import Path
from batch import write_catalogue
from contentgen.checks.defaults import default_evaluators
from contentgen.testing import echo_engine

rows, folder, config = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
evaluators = default_evaluators(None, embeddings=False if config == "lexical" else None)
costs = {}
for evaluator in evaluators:
    def timed(items, real=evaluator.evaluate, name=evaluator.name):
        started = time.process_time()
        out = real(items)
        costs[name] = costs.get(name, 0.0) + time.process_time() - started
        return out
    evaluator.evaluate = timed
options = {"testing:echo": {"batch_size": 1}} if config == "per_request" else {}
engine = echo_engine(folder / "data", generators=options, evaluators=evaluators)
found = []
for job in ("cold", "steady"):
    source = folder / f"{job}.csv"
    write_catalogue(source, rows)
    costs.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    summary = engine.batch(str(source), task="marketing", key="sku", variants=3, job_name=job,
                           out=str(folder / f"{job}-out.csv")).run()
    found.append({"job": job, "wall_s": time.perf_counter() - wall,
                  "cpu_s": time.process_time() - cpu, "rows": summary.done + summary.failed,
                  "accepted": summary.outputs, "rejected": summary.rejected,
                  "checks": dict(costs)})
engine.close()
print(json.dumps(found))
"""

ONE_SHOT_SCRIPT = """
import sys
from contentgen.checks.defaults import default_evaluators
from contentgen.cli.generate import generate
from contentgen.testing import echo_engine

evaluators = default_evaluators(None) if sys.argv[2] == "checks" else []
engine = echo_engine(sys.argv[1], evaluators=evaluators)
try:
    # A fixed seed: every call does the same work (this one accepts 1 output, rejects 11); an
    # unseeded call may accept none, and then the CLI exits with an error.
    generate.main(["marketing", "--product", "name=Trail Runner X", "--product",
                   "price_eur=89.99", "--variants", "3", "--seed", "3"], obj={"engine": engine},
                  standalone_mode=False)
finally:
    engine.close()
# Count the template render worker's CPU too: stop it and wait for it, so that this process's
# children's times include it (at exit it would be killed and never waited for).
import threading
from contentgen.safety.render_pool import shared_pool
shared_pool().close()
for thread in threading.enumerate():
    if thread.name == "contentgen-render-reaper":
        thread.join()
"""

CONFIGS = {
    "per_request": "per-request checks (model batch of 1 request)",
    "model_batch": "model-batch checks (default: 64 requests per batch)",
    "lexical": "model-batch checks, lexical diversity (no MiniLM)",
}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def job(config: str, rows: int) -> list[dict[str, Any]]:
    """A cold and a steady job of `config` in one fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", JOB_SCRIPT, str(rows), folder, config, str(ROOT)],
            env=_env(),
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the {config} job failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def one_shot(checks: bool) -> dict[str, float]:
    """Wall and CPU seconds of one CLI call in a fresh process (children's CPU time)."""
    with tempfile.TemporaryDirectory() as folder:
        before = os.times()
        wall = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", ONE_SHOT_SCRIPT, folder, "checks" if checks else "none"],
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - wall
        after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return {"wall_s": wall, "cpu_s": cpu}


def report(
    args: argparse.Namespace,
    jobs: dict[str, list[list[dict[str, Any]]]],
    shots: dict[str, dict[str, float]],
) -> str:
    """The markdown tables written to benchmarks/results/checks.md."""
    from contentgen.hostinfo import host_cpu

    lines = [
        f"# Checks at model speed ({dt.date.today()}, {host_cpu().describe()})",
        "",
        f"testing:echo (no model), {args.rows} products x 3 variants, all default checks, SQLite "
        f"and a results file; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
        f"medians of {args.rounds} fresh process(es) per configuration. Rows per CPU-second is "
        "what the checks allow on one core; rows/s (wall) also shows other load on the machine.",
        "",
        "| configuration | job | CPU s | wall s | rows per CPU-s | rows/s (wall) | checks CPU s "
        "| accepted / rejected |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    medians: dict[tuple[str, str], dict[str, float]] = {}
    for config, runs in jobs.items():
        for kind in ("cold", "steady"):
            picked = [r for run in runs for r in run if r["job"] == kind]
            m = {k: statistics.median(r[k] for r in picked) for k in ("cpu_s", "wall_s", "rows")}
            m["checks_s"] = statistics.median(sum(r["checks"].values()) for r in picked)
            m["accepted"], m["rejected"] = picked[0]["accepted"], picked[0]["rejected"]
            medians[(config, kind)] = m
            lines.append(
                f"| {CONFIGS[config]} | {kind} | {m['cpu_s']:.2f} | {m['wall_s']:.2f} | "
                f"{m['rows'] / m['cpu_s']:.1f} | {m['rows'] / m['wall_s']:.1f} | "
                f"{m['checks_s']:.2f} | {m['accepted']:.0f} / {m['rejected']:.0f} |"
            )
    lines += [
        "",
        "Each check's CPU-seconds (medians): in the cold job (its libraries and model load: what a "
        "one-shot call pays) and in the steady job, per configuration:",
        "",
    ]

    def cost(runs: list[list[dict[str, Any]]], name: str, kind: str) -> float:
        return statistics.median(
            r["checks"].get(name, 0.0) for run in runs for r in run if r["job"] == kind
        )

    names = sorted(
        {n for runs in jobs.values() for run in runs for r in run for n in r["checks"]},
        key=lambda n: -cost(jobs["model_batch"], n, "cold"),
    )
    lines += ["| check | cold, model-batch | " + " | ".join(CONFIGS[c] for c in jobs) + " |"]
    lines += ["|---|---:|" + "---:|" * len(jobs)]
    for name in names:
        cells = [cost(jobs["model_batch"], name, "cold")]
        cells += [cost(runs, name, "steady") for runs in jobs.values()]
        lines.append(f"| {name} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    lines += [
        "",
        "One-shot CLI call, fresh process each (`contentgen generate marketing --variants 3` "
        "with testing:echo; the package's bytecode compiled, as pip installs it; the template "
        "render worker's CPU counted), medians:",
        "",
        "| call | CPU s | wall s |",
        "|---|---:|---:|",
    ]
    for label, m in shots.items():
        lines.append(f"| {label} | {m['cpu_s']:.2f} | {m['wall_s']:.2f} |")
    steady = medians[("model_batch", "steady")]
    rate = steady["rows"] / steady["cpu_s"]
    shot = shots["default checks"]["cpu_s"]
    lines += [
        "",
        f"Targets: >= {TARGET_ROWS_S:.0f} rows/s end to end: {rate:.0f} rows per CPU-second "
        f"(steady, default checks), {'met' if rate >= TARGET_ROWS_S else 'NOT met'}; one-shot "
        f"CLI call < {TARGET_ONE_SHOT_S:.0f} s: {shot:.1f} CPU-s, "
        f"{'met' if shot < TARGET_ONE_SHOT_S else 'NOT met'}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    """Run every configuration and the one-shot calls; print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=1, help="fresh processes per config")
    args = parser.parse_args(argv)
    # Bytecode as an installed package has it: with PYTHONDONTWRITEBYTECODE set and no
    # __pycache__, every fresh process would compile ~180 modules (about 0.2 CPU-s) first.
    compileall.compile_dir(ROOT / "contentgen", quiet=1)
    jobs: dict[str, list[list[dict[str, Any]]]] = {c: [] for c in CONFIGS}
    shots_raw: dict[str, list[dict[str, float]]] = {"default checks": [], "no checks": []}
    for _ in range(args.rounds):  # interleaved: each round runs every configuration once
        for config in CONFIGS:
            jobs[config].append(job(config, args.rows))
        for label in shots_raw:
            shots_raw[label].append(one_shot(label == "default checks"))
    shots = {
        k: {m: statistics.median(x[m] for x in v) for m in ("cpu_s", "wall_s")}
        for k, v in shots_raw.items()
    }
    text = report(args, jobs, shots)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return text


if __name__ == "__main__":
    main()
