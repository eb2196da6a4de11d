"""Benchmark: time to sample 64 images from the shipped GAN and VAE, beside their model cards.

Run: `python benchmarks/images.py [--rounds 15] [--threads 1]`. Rounds interleave the models so a
burst of load on a shared machine hits both alike; the median is reported. Writes
benchmarks/results/images.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from contentgen.generators.image_models import GanGenerator, VaeGenerator
from contentgen.image_classes import FASHION_MNIST_CLASSES
from contentgen.training.pretrained import (
    WEIGHTS_NAME,
    load_pretrained,
    read_card,
    shipped_checkpoint,
)
from contentgen.training.sampling import sample_images
from contentgen.types import Prompt, Task

RESULTS = Path(__file__).parent / "results" / "images.md"
COUNT = 64


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6


def measure(rounds: int) -> dict[str, dict[str, float]]:
    """Median seconds per 64 images: raw sampling (tensors) and the generator (PNG candidates)."""
    models = {kind: load_pretrained(shipped_checkpoint(kind)) for kind in ("gan", "vae")}
    generators = {"gan": GanGenerator(), "vae": VaeGenerator()}
    labels = [i % len(FASHION_MNIST_CLASSES) for i in range(COUNT)]
    prompt = Prompt(task=Task.IMAGE, text="leather handbag", n=COUNT, seed=0)
    for kind in models:  # warm-up: first calls pay for allocation and kernel selection
        sample_images(models[kind], labels, list(range(COUNT)))
        generators[kind].generate([prompt])
    times: dict[str, dict[str, list[float]]] = {k: {"sample": [], "generate": []} for k in models}
    for r in range(rounds):
        order = ("gan", "vae") if r % 2 == 0 else ("vae", "gan")
        for kind in order:
            start = time.perf_counter()
            sample_images(models[kind], labels, [r * COUNT + i for i in range(COUNT)])
            times[kind]["sample"].append(time.perf_counter() - start)
            start = time.perf_counter()
            generators[kind].generate([prompt])
            times[kind]["generate"].append(time.perf_counter() - start)
    return {k: {m: statistics.median(v) for m, v in t.items()} for k, t in times.items()}


def _fmt(value: object, digits: int = 3) -> str:
    return (
        f"{value:.{digits}f}"
        if isinstance(value, float)
        else ("—" if value is None else str(value))
    )


def report(timings: dict[str, dict[str, float]], threads: int, rounds: int) -> str:
    """Markdown: sampling times, then each shipped checkpoint's card figures."""
    lines = [
        "# Image generation benchmark",
        "",
        f"Median of {rounds} interleaved rounds, {COUNT} images per call, "
        f"torch threads = {threads}, CPU.",
        "",
        "| model | sample 64 (tensors) | generate 64 (PNG candidates) | target |",
        "|---|---|---|---|",
    ]
    for kind, t in timings.items():
        verdict = "met" if t["generate"] < 1.0 else "MISSED"
        lines.append(
            f"| {kind} | {t['sample'] * 1000:.1f} ms | {t['generate'] * 1000:.1f} ms "
            f"| < 1 s: {verdict} |"
        )
    lines += [
        "",
        "## Shipped checkpoints (from their model cards)",
        "",
        "classifier_fid uses the penultimate-layer features of contentgen's own Fashion-MNIST "
        "classifier: it is NOT Inception FID and not comparable with published FIDs.",
        "",
        "| checkpoint | size MB | params | steps | train s | test acc | cond. acc | classifier FID "
        "| FID real train vs test | test -ELBO nats |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    commands = []
    for kind in ("classifier", "gan", "vae"):
        folder = shipped_checkpoint(kind)
        card = read_card(folder)
        m, t = card.get("metrics", {}), card.get("training", {})
        lines.append(
            f"| {kind} | {_size_mb(folder):.2f} | {card.get('parameters', '—')} "
            f"| {t.get('steps', '—')} "
            f"| {_fmt(t.get('seconds'), 0)} | {_fmt(m.get('test_accuracy'))} "
            f"| {_fmt(m.get('conditional_accuracy'))} | {_fmt(m.get('classifier_fid'), 2)} "
            f"| {_fmt(m.get('classifier_fid_real_train_vs_test'), 2)} "
            f"| {_fmt(m.get('test_negative_elbo_nats'), 1)} |"
        )
        commands.append(
            f"- {kind}: `{t.get('command', '?')}` "
            f"({(folder / WEIGHTS_NAME).stat().st_size / 1e6:.2f} MB weights)"
        )
    return "\n".join([*lines, "", "Training commands:", "", *commands, ""])


def main() -> None:
    """Measure, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    timings = measure(args.rounds)
    text = report(timings, args.threads, args.rounds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    for kind, t in timings.items():
        ratio = t["generate"] / t["sample"]
        print(f"{kind}: generate/sample = {ratio:.2f}x (PNG encoding overhead)")


if __name__ == "__main__":
    main()
