"""The API behind `contentgen train`: data -> model -> loop -> checkpoints -> metrics -> card."""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentgen.errors import ValidationError
from contentgen.training.checkpoint import latest_checkpoint, state_root
from contentgen.training.data import FASHION_MNIST, load_splits
from contentgen.training.persist import read_json
from contentgen.training.trainer import ProgressCallback

logger = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("vae", "gan", "classifier")
DEFAULTS: Mapping[str, Any] = {"data": FASHION_MNIST, "batch_size": 64, "seed": 0}
DESCRIPTIONS: Mapping[str, str] = {
    "vae": "Class-conditional convolutional VAE (Bernoulli likelihood, learned class prior) "
    "trained by contentgen.",
    "gan": "Class-conditional DCGAN (non-saturating loss, projection discriminator) "
    "trained by contentgen.",
    "classifier": "Small CNN classifier; its penultimate features define contentgen's "
    "classifier-FID.",
}


@dataclass(frozen=True)
class TrainResult:
    """A finished training run: where the model is, how long it took and what it measured."""

    kind: str
    out: Path
    steps: int
    seconds: float
    metrics: Mapping[str, Any]
    history: tuple[Mapping[str, float], ...]
    resumed_from: int | None
    card: Mapping[str, Any]


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(name, f"must be a whole number >= 1, got {value!r}")
    return value


def _saved_run(out: Path) -> dict[str, Any]:
    checkpoint = latest_checkpoint(out)
    if checkpoint is None:
        return {}
    state = read_json(checkpoint.path / "trainer.json")
    return {**state["run"], "lr": state.get("lr")}


def train_model(
    kind: str,
    out: str | Path,
    *,
    data: str | Path | None = None,
    steps: int = 2000,
    batch_size: int | None = None,
    seed: int | None = None,
    checkpoint_every: int = 500,
    resume: bool = False,
    lr: float | None = None,
    model_config: Mapping[str, Any] | None = None,
    limit: int | None = None,
    torch_threads: int | None = None,
    evaluate: bool = True,
    eval_samples: int = 10_000,
    classifier: str | Path | None = None,
    log_every: int = 50,
    collapse_patience: int = 200,
    command: str | None = None,
    progress: ProgressCallback | None = None,
) -> TrainResult:
    """Train a VAE, GAN or classifier, checkpointing into `out`; export model + card there.

    With `resume`, unset settings (data, batch size, seed, model config, limit) come from the run
    saved in `out`. `classifier` (default: the shipped one) measures FID/conditional accuracy.
    """
    import torch

    from contentgen.training.loops import loop_class
    from contentgen.training.trainer import TrainSettings, run_training

    if kind not in KINDS:
        raise ValidationError("kind", f"unknown model kind {kind!r}", KINDS)
    out = Path(out)
    for name, value in (
        ("steps", steps),
        ("checkpoint_every", checkpoint_every),
        ("log_every", log_every),
    ):
        _positive(name, value)
    saved = _saved_run(out) if resume else {}
    data = data if data is not None else saved.get("data", DEFAULTS["data"])
    batch_size = _positive(
        "batch_size", batch_size or saved.get("batch_size", DEFAULTS["batch_size"])
    )
    seed = seed if seed is not None else saved.get("seed", DEFAULTS["seed"])
    limit = limit if limit is not None else saved.get("limit")
    lr = lr if lr is not None else saved.get("lr")
    config = dict(saved.get("model_config", {})) if model_config is None else dict(model_config)
    if torch_threads is not None:
        torch.set_num_threads(_positive("torch_threads", torch_threads))

    splits = load_splits(data, int(config.get("image_size", 28)), int(config.get("channels", 1)))
    train = splits.train.subset(limit)
    config.update(num_classes=len(train.class_names), class_names=list(train.class_names))
    loop_cls = loop_class(kind)
    torch.manual_seed(seed)
    try:
        model = loop_cls.model_class(**config)
    except TypeError as exc:
        raise ValidationError("model_config", str(exc)) from None
    loop = loop_cls(model, lr)
    run = {
        "kind": kind,
        "data": str(data),
        "data_size": len(train),
        "limit": limit,
        "batch_size": batch_size,
        "seed": seed,
        "model_config": model.config,
    }
    settings = TrainSettings(
        steps=steps,
        batch_size=batch_size,
        seed=seed,
        checkpoint_every=checkpoint_every,
        log_every=log_every,
        collapse_patience=collapse_patience,
        run=run,
        command=command or f"contentgen.training.api.train_model({kind!r}, out={str(out)!r}, ...)",
    )
    outcome = run_training(loop, train, out, settings, resume=resume, progress=progress)

    commands = list(outcome.commands)
    began = time.perf_counter()
    metrics, notes = _measure(kind, model, splits, classifier, eval_samples, seed, evaluate)
    if outcome.resumed_from == outcome.steps:
        notes.append(f"metrics re-measured without further training by: {settings.command}")
    eval_seconds = time.perf_counter() - began
    card = {
        "name": f"contentgen-{kind}",
        "model_type": model.model_type,
        "description": DESCRIPTIONS[kind],
        "metrics": metrics,
        "training": {
            "command": commands[0] if commands else settings.command,
            "resumed_with": commands[1:],
            "steps": outcome.steps,
            "seconds": round(outcome.seconds, 1),
            "evaluation_seconds": round(eval_seconds, 1),
            "batch_size": batch_size,
            "seed": seed,
            "lr": loop.lr,
            "torch_threads": torch.get_num_threads(),
            "final_losses": {
                k: round(v, 4) for k, v in (outcome.history[-1] if outcome.history else {}).items()
            },
            "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
            "torch": torch.__version__,
        },
        "data": {
            "source": str(data),
            "train_images": len(train),
            "test_images": len(splits.test),
            "classes": list(train.class_names),
        },
        "parameters": sum(p.numel() for p in model.parameters()),
        "notes": notes,
    }
    model.save_pretrained(out, card=card)
    logger.info("saved %s to %s (checkpoints in %s)", kind, out, state_root(out))
    return TrainResult(
        kind,
        out,
        outcome.steps,
        outcome.seconds,
        metrics,
        outcome.history,
        outcome.resumed_from,
        card,
    )


def _measure(
    kind: str,
    model: Any,
    splits: Any,
    classifier: str | Path | None,
    samples: int,
    seed: int,
    enabled: bool,
) -> tuple[dict[str, Any], list[str]]:
    from contentgen.training.evaluate import (
        FID_NOTE,
        LIKELIHOOD_NOTE,
        evaluate_classifier,
        evaluate_generative,
        load_metric_classifier,
    )
    from contentgen.training.pretrained import shipped_checkpoint

    if not enabled:
        return {}, ["metrics were not measured (evaluate=False)"]
    if kind == "classifier":
        return evaluate_classifier(model, splits), []
    notes = [LIKELIHOOD_NOTE] if kind == "vae" else []
    path = Path(classifier) if classifier is not None else shipped_checkpoint("classifier")
    metric_classifier, skipped = load_metric_classifier(path, model.class_names)
    if skipped:
        notes.append(f"classifier_fid and conditional_accuracy not measured: {skipped}")
    else:
        notes.append(FID_NOTE)
    return evaluate_generative(model, splits, metric_classifier, path, samples, seed), notes
