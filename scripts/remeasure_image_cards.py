"""Re-measure image model cards with a (new) metric classifier, without retraining the models.

    python scripts/remeasure_image_cards.py                  # print the shipped GAN/VAE figures
    python scripts/remeasure_image_cards.py --write          # ... and rewrite their cards
    python scripts/remeasure_image_cards.py --model x=DIR --classifier CLF_DIR --json out.json

The metrics are those `contentgen train` writes (contentgen.training.evaluate): conditional
accuracy, classifier-FID, density, coverage and diversity, overall and per class, beside the same
figures for real held-out images. With --write, each card's `metrics` and notes are replaced and a
note names this command; weights and training records are left as they are.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import torch

from contentgen.training.data import load_splits
from contentgen.training.evaluate import (
    FID_NOTE,
    FIDELITY_NOTE,
    LIKELIHOOD_NOTE,
    evaluate_generative,
    load_metric_classifier,
)
from contentgen.training.persist import atomic_write_bytes, atomic_write_json
from contentgen.training.pretrained import (
    CARD_NAME,
    README_NAME,
    load_pretrained,
    read_card,
    render_card,
    shipped_checkpoint,
)


def measure(folder: Path, classifier_path: Path, samples: int, seed: int) -> dict[str, Any]:
    """The card metrics of the model in `folder`, judged by the classifier in `classifier_path`."""
    model = load_pretrained(folder)
    classifier, skipped = load_metric_classifier(classifier_path, model.class_names)
    if skipped:
        raise SystemExit(skipped)
    splits = load_splits(read_card(folder).get("data", {}).get("source", "fashion-mnist"))
    return evaluate_generative(model, splits, classifier, classifier_path, samples, seed)


def rewrite_card(folder: Path, metrics: dict[str, Any], command: str) -> None:
    """Replace the card's metrics (and the notes that describe them); note how they were made."""
    card = read_card(folder)
    model_type = json.loads((folder / "config.json").read_text())["model_type"]
    notes = [LIKELIHOOD_NOTE] if "likelihood" in metrics else []
    kept = [n for n in card.get("notes", []) if n not in (FID_NOTE, FIDELITY_NOTE, LIKELIHOOD_NOTE)]
    kept = [n for n in kept if not n.startswith("metrics re-measured")]
    card["metrics"] = metrics
    card["notes"] = [*notes, FID_NOTE, FIDELITY_NOTE, *kept]
    card["notes"].append(f"metrics re-measured with the current metric classifier by: {command}")
    atomic_write_json(folder / CARD_NAME, card)
    atomic_write_bytes(folder / README_NAME, render_card(model_type, card).encode())


def _summary(name: str, m: dict[str, Any]) -> str:
    by_class = " ".join(f"{k}={v:.3f}" for k, v in m["conditional_accuracy_per_class"].items())
    return (
        f"{name}: cond. acc {m['conditional_accuracy']:.3f}, classifier-FID "
        f"{m['classifier_fid']:.2f}, coverage {m['coverage']:.3f}, density {m['density']:.3f}\n"
        f"  per class: {by_class}"
    )


def main() -> None:
    """Measure the models, print a summary, optionally rewrite their cards."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", action="append", metavar="NAME=DIR", default=[])
    parser.add_argument("--classifier", type=Path, default=shipped_checkpoint("classifier"))
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=None, help="Write every figure here.")
    parser.add_argument("--write", action="store_true", help="Rewrite the models' cards.")
    args = parser.parse_args()
    torch.set_num_threads(1)
    specs = args.model or [f"{k}={shipped_checkpoint(k)}" for k in ("gan", "vae")]
    found = {}
    for spec in specs:
        name, _, folder = spec.partition("=")
        found[name] = measure(Path(folder), args.classifier, args.samples, seed=0)
        print(_summary(name, found[name]), flush=True)
        if args.write:
            command = "python " + " ".join(
                shlex.quote(a) for a in ["scripts/" + Path(__file__).name, *sys.argv[1:]]
            )
            rewrite_card(Path(folder), found[name], command)
    real = found[next(iter(found))]["real_reference"]
    print(_summary("real test images", real))
    if args.json:
        args.json.write_text(json.dumps(found, indent=1))


if __name__ == "__main__":
    main()
