"""Benchmark: sampling speed of the shipped GAN and VAE, and their quality per class.

Run: `python benchmarks/images.py [--rounds 15] [--threads 1] [--per-class 1000]`. Rounds
interleave the models so a burst of load on a shared machine hits both alike; the median is
reported. Quality is measured afresh on the shipped weights with the shipped classifier
(contentgen.training.evaluate, the code that writes the model cards): conditional accuracy,
classifier-FID, coverage and density, overall and per class, beside real held-out images.
Writes benchmarks/results/images.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import torch

from contentgen.generators.trained_images import GanGenerator, VaeGenerator
from contentgen.hostinfo import host_cpu
from contentgen.image_classes import FASHION_MNIST_CLASSES
from contentgen.training.data import load_splits
from contentgen.training.evaluate import evaluate_generative
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
KINDS = ("gan", "vae")


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6


def measure(rounds: int) -> dict[str, dict[str, float]]:
    """Median seconds per 64 images: raw sampling (tensors) and the generator (PNG candidates)."""
    models = {kind: load_pretrained(shipped_checkpoint(kind)) for kind in KINDS}
    generators = {"gan": GanGenerator(), "vae": VaeGenerator()}
    labels = [i % len(FASHION_MNIST_CLASSES) for i in range(COUNT)]
    prompt = Prompt(task=Task("image"), text="leather handbag", n=COUNT, seed=0)
    for kind in models:  # warm-up: first calls pay for allocation and kernel selection
        sample_images(models[kind], labels, list(range(COUNT)))
        generators[kind].generate([prompt])
    times: dict[str, dict[str, list[float]]] = {k: {"sample": [], "generate": []} for k in models}
    for r in range(rounds):
        order = KINDS if r % 2 == 0 else KINDS[::-1]
        for kind in order:
            start = time.perf_counter()
            sample_images(models[kind], labels, [r * COUNT + i for i in range(COUNT)])
            times[kind]["sample"].append(time.perf_counter() - start)
            start = time.perf_counter()
            generators[kind].generate([prompt])
            times[kind]["generate"].append(time.perf_counter() - start)
    return {k: {m: statistics.median(v) for m, v in t.items()} for k, t in times.items()}


def quality(per_class: int, seed: int = 0) -> dict[str, dict[str, Any]]:
    """The model-card metrics, measured now on the shipped weights (per_class samples a class)."""
    splits = load_splits("fashion-mnist")
    path = shipped_checkpoint("classifier")
    classifier = load_pretrained(path)
    found = {}
    for kind in KINDS:
        model = load_pretrained(shipped_checkpoint(kind))
        samples = per_class * len(model.class_names)
        found[kind] = evaluate_generative(model, splits, classifier, path, samples, seed)
    return found


def _fmt(value: object, digits: int = 3) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return "—" if value is None else str(value)


def _speed_table(timings: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| model | sample 64 (tensors) | generate 64 (PNG candidates) | target |",
        "|---|---|---|---|",
    ]
    for kind, t in timings.items():
        verdict = "met" if t["generate"] < 1.0 else "MISSED"
        lines.append(
            f"| {kind} | {t['sample'] * 1000:.1f} ms | {t['generate'] * 1000:.1f} ms "
            f"| < 1 s: {verdict} |"
        )
    return lines


def _model_table(measured: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| model | size MB | params | steps | train wall s | train CPU s | cond. acc "
        "| worst class | classifier FID | coverage | density | test -ELBO nats |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    real = measured["gan"]["real_reference"]
    lines.append(
        f"| real test images (train vs test) | — | — | — | — | — "
        f"| {_fmt(real['conditional_accuracy'])} | {_worst(real)} "
        f"| {_fmt(real['classifier_fid'], 2)} | {_fmt(real['coverage'])} "
        f"| {_fmt(real['density'])} | — |"
    )
    for kind in KINDS:
        folder = shipped_checkpoint(kind)
        card, m = read_card(folder), measured[kind]
        t = card.get("training", {})
        elbo = card.get("metrics", {}).get("test_negative_elbo_nats")
        lines.append(
            f"| {kind} | {_size_mb(folder):.2f} | {card.get('parameters', '—')} "
            f"| {t.get('steps', '—')} | {_fmt(t.get('seconds'), 0)} "
            f"| {_fmt(t.get('cpu_seconds'), 0)} | {_fmt(m['conditional_accuracy'])} "
            f"| {_worst(m)} | {_fmt(m['classifier_fid'], 2)} | {_fmt(m['coverage'])} "
            f"| {_fmt(m['density'])} | {_fmt(elbo, 1)} |"
        )
    return lines


def _worst(metrics: dict[str, Any]) -> str:
    by_class = metrics["conditional_accuracy_per_class"]
    name = min(by_class, key=by_class.__getitem__)
    return f"{name} {by_class[name]:.3f}"


def _class_table(measured: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| class | accuracy: real / gan / vae | coverage: real / gan / vae "
        "| density: real / gan / vae | diversity: gan / vae |",
        "|---|---|---|---|---|",
    ]
    sources = [measured["gan"]["real_reference"], measured["gan"], measured["vae"]]
    for name in FASHION_MNIST_CLASSES:
        acc = [s["conditional_accuracy_per_class"][name] for s in sources]
        fid = [s["fidelity_per_class"][name] for s in sources]

        def row(key: str, figures: list[dict[str, float]]) -> str:
            return " / ".join(f"{f[key]:.2f}" for f in figures)

        accuracy = " / ".join(f"{a:.3f}" for a in acc)
        lines.append(
            f"| {name} | {accuracy} | {row('coverage', fid)} | {row('density', fid)} "
            f"| {row('diversity', fid[1:])} |"
        )
    return lines


def report(
    timings: dict[str, dict[str, float]],
    measured: dict[str, dict[str, Any]],
    threads: int,
    rounds: int,
    per_class: int,
) -> str:
    """Markdown: sampling times, then each model's quality overall and per class."""
    commands = [
        f"- {kind}: `{read_card(shipped_checkpoint(kind))['training']['command']}` "
        f"({(shipped_checkpoint(kind) / WEIGHTS_NAME).stat().st_size / 1e6:.2f} MB weights)"
        for kind in ("classifier", *KINDS)
    ]
    return "\n".join(
        [
            "# Image generation benchmark",
            "",
            f"CPU: {host_cpu().describe()}; torch threads = {threads}.",
            "",
            f"Sampling: median of {rounds} interleaved rounds, {COUNT} images per call.",
            "",
            *_speed_table(timings),
            "",
            f"Quality: {per_class} samples per class (seeds 0..), judged by the shipped "
            "classifier against the 10,000 Fashion-MNIST test images; the real row compares "
            "10,000 training images with them. classifier FID uses that classifier's "
            "features: it is NOT Inception FID. Coverage and density: Naeem et al. 2020, k=5.",
            "",
            *_model_table(measured),
            "",
            *_class_table(measured),
            "",
            "Training commands:",
            "",
            *commands,
            "",
        ]
    )


def main() -> None:
    """Measure, print and write the report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--per-class", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    timings = measure(args.rounds)
    measured = quality(args.per_class)
    text = report(timings, measured, args.threads, args.rounds, args.per_class)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    for kind, t in timings.items():
        ratio = t["generate"] / t["sample"]
        print(f"{kind}: generate/sample = {ratio:.2f}x (PNG encoding overhead)")


if __name__ == "__main__":
    main()
