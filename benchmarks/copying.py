"""The copying check at scale: lookup time per output against 100k reference documents, its
recall and false-positive rate there, and its overhead inside a batch job.

References: the evaluation set of tests/copy_sets.py (copywriting-corpus marketing copy and
standard-library docstrings) topped up to `--docs` with documents recombined from their
sentences (3 to 5 random sentences each), which keeps the corpus's phrasing, so lookups meet
the many near-candidates a real copy corpus gives. Queries: 400 planted near-copies, the
held-out original paragraphs, and copy from the same corpus builder for other products (which
shares whole template sentences with the references; shown for information, not as originals).

Batch overhead: `engine.batch` over `--rows` product rows on the fast echo generator with the
other default checks, with and without the stereotypes check and the copying check (its index
built beforehand), each alone and both, against neither (`ARMS`), interleaved
rounds after a warm-up round, medians of this process's CPU time (the template sandbox's worker
process is not counted, so the share is, if anything, overstated) and of wall time. The echo
generator takes well under a millisecond per output, so this is the worst case; the share of a
batch on SmolLM2 follows from the per-output cost.

    python benchmarks/copying.py                 # 100k documents (about 10 minutes on 2 cores)
    python benchmarks/copying.py --docs 20000    # quicker
    python benchmarks/copying.py --overhead-only # only the batch overhead: results/batch_checks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "copying.md"
CHECKS_RESULTS = ROOT / "benchmarks" / "results" / "batch_checks.md"
TARGET_MS, TARGET_OVERHEAD = 5.0, 0.10
SMOLLM2_SEQ_S = 1 / 2.72  # seconds per sequence, benchmarks/results/batch.md (same host kind)

from contentgen.checks.copy_index import (  # noqa: E402
    CopyIndex,
    CopySettings,
    ReferenceDoc,
    sign_documents,
)
from contentgen.checks.copying import SHOWN_MATCHES  # noqa: E402
from tests.copy_sets import marketing_copy, planted_copies, references  # noqa: E402


def corpus(size: int, seed: int = 0) -> tuple[list[ReferenceDoc], list[str]]:
    """The evaluation set's references topped up to `size`, and its held-out originals."""
    docs, originals = references(briefs=300)
    rng = random.Random(seed)
    sentences = [s for d in docs for s in re.split(r"(?<=[.!?])\s+|\n", d.text) if len(s) > 20]
    while len(docs) < size:
        text = " ".join(rng.sample(sentences, rng.randint(3, 5)))
        docs.append(ReferenceDoc("mixed", f"mix-{len(docs)}", text))
    return docs, originals


def timed_lookups(index: CopyIndex, texts: list[str]) -> tuple[list[float], list[float], list[int]]:
    """CPU and wall milliseconds per lookup, and the number of matches of each text."""
    cpu, wall, found = [], [], []
    for text in texts:
        started, ticks = time.perf_counter(), time.process_time()
        matches = index.find(text, limit=SHOWN_MATCHES)  # as the check asks
        cpu.append((time.process_time() - ticks) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        found.append(len(matches))
    return cpu, wall, found


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


ARMS = {  # arm -> (stereotypes check, copying check), on top of the other default checks
    "base": (False, False),
    "stereotypes": (True, False),
    "copying": (False, True),
    "both": (True, True),
}


def _checks(index: CopyIndex, stereotypes: bool, copying: bool) -> list[object]:
    from contentgen.checks.copying import CopyingEvaluator
    from contentgen.checks.defaults import default_evaluators
    from contentgen.checks.stereotypes import StereotypeCheck

    checks = [
        c
        for c in default_evaluators(None, embeddings=False)
        if stereotypes or not isinstance(c, StereotypeCheck)
    ]
    return [*checks, CopyingEvaluator(index)] if copying else checks


def batch_overhead(index: CopyIndex, rows: int, rounds: int) -> dict[str, float]:
    """Median batch CPU and wall time per arm (ARMS) and each arm's overhead over `base`."""
    from contentgen.testing import echo_engine

    products = [{"name": f"Product {i} deluxe", "price_eur": f"{i % 300}.99"} for i in range(rows)]
    spent: dict[str, list[tuple[float, float]]] = {arm: [] for arm in ARMS}
    for round_ in range(-1, rounds):  # round -1 warms up: the checks load their models then
        order = list(ARMS) if round_ % 2 else list(reversed(ARMS))
        for arm in order:
            with tempfile.TemporaryDirectory() as folder:
                engine = echo_engine(folder, evaluators=_checks(index, *ARMS[arm]))
                with engine:
                    started, ticks = time.perf_counter(), time.process_time()
                    summary = engine.batch(
                        products, task="marketing", variants=1, job_name=f"{arm}-{round_}"
                    ).run()
                    if round_ >= 0:
                        spent[arm].append(
                            (time.perf_counter() - started, time.process_time() - ticks)
                        )
                assert summary.done == rows, summary
    found = {}
    for arm, runs in spent.items():
        found[f"{arm}_wall"] = statistics.median(w for w, _ in runs)
        found[f"{arm}_cpu"] = statistics.median(c for _, c in runs)
    for arm in ARMS:
        found[f"{arm}_overhead"] = found[f"{arm}_cpu"] / found["base_cpu"] - 1
        found[f"{arm}_overhead_wall"] = found[f"{arm}_wall"] / found["base_wall"] - 1
    return found


def overhead_lines(batch: dict[str, float], rows: int, rounds: int) -> list[str]:
    """The per-arm table: medians, overhead over the batch without either check, the target."""
    lines = [
        f"Batch of {rows} marketing rows on the echo generator (worst case: it writes an output "
        f"in well under a millisecond), other default checks on in every arm; medians of "
        f"{rounds} interleaved rounds after a warm-up.",
        "",
        "| checks added | CPU s | wall s | overhead CPU | overhead wall | target <= 10% |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for arm in ARMS:
        verdict = "met" if batch[f"{arm}_overhead"] <= TARGET_OVERHEAD else "NOT met"
        lines.append(
            f"| {arm} | {batch[f'{arm}_cpu']:.2f} | {batch[f'{arm}_wall']:.2f} | "
            f"{batch[f'{arm}_overhead']:+.1%} | {batch[f'{arm}_overhead_wall']:+.1%} | "
            f"{'-' if arm == 'base' else verdict} |"
        )
    return lines


def per_output_ms(check: object, texts: list[str], repeats: int = 5) -> float:
    """A check's CPU time per output over `texts` (best of `repeats`), in milliseconds."""
    from contentgen.checks.base import EvalInput, run_evaluators
    from contentgen.types import Task

    items = [EvalInput(task=Task.MARKETING, text=t, channel="search_ad") for t in texts]
    run_evaluators([check], items[:5])  # loads lexicons
    best = []
    for _ in range(repeats):
        ticks = time.process_time()
        run_evaluators([check], items)
        best.append(time.process_time() - ticks)
    return 1000 * min(best) / len(items)


def per_output_lines(index: CopyIndex, rows: int) -> list[str]:
    """Each check's CPU ms per output on the echo generator's batch copy and on 60-word copy."""
    from contentgen.checks.copying import CopyingEvaluator
    from contentgen.checks.stereotypes import StereotypeCheck
    from contentgen.testing import echo_engine

    with tempfile.TemporaryDirectory() as folder, echo_engine(folder) as engine:
        products = [{"name": f"Product {i} deluxe", "price_eur": f"{i}.99"} for i in range(rows)]
        job = engine.batch(products, task="marketing", variants=1, job_name="texts")
        job.run()
        short = [o.text or "" for o in engine.store.list_outputs(limit=rows)]
    long = marketing_copy(rows, seed=3)[:rows]
    lines = ["| check | CPU ms per output, echo copy | CPU ms per output, corpus copy |"]
    lines.append("|---|---:|---:|")
    worst = 0.0
    for name, check in (("stereotypes", StereotypeCheck()), ("copying", CopyingEvaluator(index))):
        costs = per_output_ms(check, short), per_output_ms(check, long)
        worst += max(costs)
        lines.append(f"| {name} | {costs[0]:.3f} | {costs[1]:.3f} |")
    words = statistics.mean(len(t.split()) for t in long)
    lines += [
        "",
        f"Echo copy: the batch's own outputs ({statistics.mean(len(t.split()) for t in short):.0f}"
        f" words on average); corpus copy: {len(long)} marketing texts of tests/copy_sets.py "
        f"({words:.0f} words on average). Per SmolLM2 sequence (about "
        f"{SMOLLM2_SEQ_S * 1000:.0f} ms, results/batch.md) both checks together add at most "
        f"{worst / (SMOLLM2_SEQ_S * 1000):.2%}.",
    ]
    return lines


def overhead_only(args: argparse.Namespace) -> None:
    """Only the batch overhead of the stereotypes and copying checks (results/batch_checks.md)."""
    from contentgen.hostinfo import host_cpu

    docs, _ = corpus(args.docs)
    index = CopyIndex(docs, *sign_documents(docs, CopySettings()))
    batch = batch_overhead(index, args.rows, args.rounds)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"# Stereotypes and copying checks inside a batch job ({dt.date.today()}, "
        f"{host_cpu().describe()}, 1 thread; shared machine, load average {load})",
        "",
        f"Copying index: {len(docs):,} reference documents ({len(index):,} passages). "
        "CPU time is this process's (the template sandbox's worker is not counted, so the "
        "shares are, if anything, overstated).",
        "",
        *overhead_lines(batch, args.rows, args.rounds),
        "",
        *per_output_lines(index, args.rows),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    CHECKS_RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--overhead-only", action="store_true", help="only the batch overhead (batch_checks.md)"
    )
    args = parser.parse_args()
    if args.overhead_only:
        overhead_only(args)
        return
    from contentgen.hostinfo import host_cpu

    docs, originals = corpus(args.docs)
    ticks = time.process_time()
    spans, signatures = sign_documents(docs, CopySettings())
    signed = time.process_time() - ticks
    ticks = time.process_time()
    index = CopyIndex(docs, spans, signatures)
    indexed = time.process_time() - ticks
    planted = planted_copies(docs[:20_000], per_kind=100, seed=7)
    others = marketing_copy(100, seed=1)
    groups = {
        "planted near-copies": timed_lookups(index, [p.text for p in planted]),
        "held-out originals (docstrings)": timed_lookups(index, originals),
        "same-builder copy, other products": timed_lookups(index, others),
    }
    caught = sum(
        any(m.doc_id == p.source.doc_id for m in index.find(p.text)) for p in planted
    ) / len(planted)
    fpr = sum(1 for n in groups["held-out originals (docstrings)"][2] if n) / len(originals)
    every_cpu = [ms for cpu, _, _ in groups.values() for ms in cpu]
    every_wall = [ms for _, wall, _ in groups.values() for ms in wall]
    batch = batch_overhead(index, args.rows, args.rounds)
    per_output_ms = statistics.mean(every_cpu)
    lines = [
        f"# Copying check at scale ({dt.date.today()}, {host_cpu().describe()}, 1 thread)",
        "",
        f"Reference index: {len(docs):,} documents, {len(index):,} passages; signing "
        f"{signed:.1f} CPU s (once, at `corpus add`), LSH index {indexed:.1f} CPU s (once per "
        "process, at the first check). "
        "Times are CPU time of the lookup (the machine is shared, so wall time is also shown).",
        "",
        "| queries | n | CPU ms mean | CPU ms p95 | wall ms mean | flagged |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (cpu, wall, found) in groups.items():
        flagged = sum(1 for n in found if n) / len(found)
        lines.append(
            f"| {name} | {len(cpu)} | {statistics.mean(cpu):.2f} | {_pct(cpu, 0.95):.2f} "
            f"| {statistics.mean(wall):.2f} | {flagged:.1%} |"
        )
    verdict = "met" if per_output_ms < TARGET_MS else "NOT met"
    lines += [
        "",
        f"- lookup per output: **{per_output_ms:.2f} ms** CPU mean over all queries "
        f"(target < {TARGET_MS:g} ms: {verdict}); wall {statistics.mean(every_wall):.2f} ms",
        f"- recall at this size: **{caught:.1%}** of planted copies found with their own source "
        "(the rest are flagged with a recombined document holding the same sentences); "
        f"false-positive rate on held-out originals: **{fpr:.2%}**",
        f"- on SmolLM2 (about {SMOLLM2_SEQ_S * 1000:.0f} ms per sequence, results/batch.md) the "
        f"check adds about {per_output_ms / (SMOLLM2_SEQ_S * 1000):.2%} per output",
        "",
        *overhead_lines(batch, args.rows, args.rounds),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
