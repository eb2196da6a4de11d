"""The API behind `contentgen train`: data -> model -> loop -> checkpoints -> metrics -> card."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentgen.errors import ValidationError
from contentgen.hostinfo import host_cpu
from contentgen.training.checkpoint import latest_checkpoint, state_root
from contentgen.training.data import FASHION_MNIST, DataSplits, ImageDataset, load_splits
from contentgen.training.persist import read_json
from contentgen.training.trainer import ProgressCallback, TrainSettings

logger = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("vae", "gan", "classifier")
DEFAULTS: Mapping[str, Any] = {"data": FASHION_MNIST, "batch_size": 64, "seed": 0}


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


@dataclass(frozen=True)
class _Run:
    """The settings a run trains with: given ones, else the resumed run's, else the defaults."""

    data: str | Path
    batch_size: int
    seed: int
    limit: int | None
    lr: float | None
    config: dict[str, Any]


def _resolve_run(
    out: Path,
    resume: bool,
    data: str | Path | None,
    batch_size: int | None,
    seed: int | None,
    limit: int | None,
    lr: float | None,
    model_config: Mapping[str, Any] | None,
) -> _Run:
    """Fill unset settings from the run saved in `out` (when resuming), then the defaults."""
    saved = _saved_run(out) if resume else {}
    return _Run(
        data=data if data is not None else saved.get("data", DEFAULTS["data"]),
        batch_size=_positive(
            "batch_size", batch_size or saved.get("batch_size", DEFAULTS["batch_size"])
        ),
        seed=seed if seed is not None else saved.get("seed", DEFAULTS["seed"]),
        limit=limit if limit is not None else saved.get("limit"),
        lr=lr if lr is not None else saved.get("lr"),
        config=dict(saved.get("model_config", {})) if model_config is None else dict(model_config),
    )


def _load_data(run: _Run) -> tuple[DataSplits, ImageDataset]:
    """The data splits and the (limited) training set; the classes are written into the config."""
    config = run.config
    splits = load_splits(
        run.data, int(config.get("image_size", 28)), int(config.get("channels", 1))
    )
    train = splits.train.subset(run.limit)
    config.update(num_classes=len(train.class_names), class_names=list(train.class_names))
    return splits, train


def _build_model(loop_cls: Any, config: Mapping[str, Any], seed: int) -> Any:
    """The network `config` describes, its weights drawn under `seed`."""
    import torch

    torch.manual_seed(seed)
    try:
        return loop_cls.model_class(**config)
    except TypeError as exc:
        raise ValidationError("model_config", str(exc)) from None


def _card(
    kind: str,
    model: Any,
    loop: Any,
    run: _Run,
    outcome: Any,
    command: str,
    measured: tuple[dict[str, Any], list[str], float],
    data_sizes: tuple[int, int, list[str]],
) -> dict[str, Any]:
    """The model card: what was trained, how, on what data, and what it measured."""
    import torch

    metrics, notes, eval_seconds = measured
    commands = list(outcome.commands)
    train_images, test_images, classes = data_sizes
    return {
        "name": f"contentgen-{kind}",
        "model_type": model.model_type,
        "description": model.describe(),
        "metrics": metrics,
        "training": {
            "command": commands[0] if commands else command,
            "resumed_with": commands[1:],
            "steps": outcome.steps,
            "seconds": round(outcome.seconds, 1),
            "cpu_seconds": round(outcome.cpu_seconds, 1),
            "evaluation_seconds": round(eval_seconds, 1),
            "batch_size": run.batch_size,
            "seed": run.seed,
            "lr": loop.lr,
            "torch_threads": torch.get_num_threads(),
            "final_losses": {
                k: round(v, 4) for k, v in (outcome.history[-1] if outcome.history else {}).items()
            },
            "machine": host_cpu().describe(),
            "torch": torch.__version__,
        },
        "data": {
            "source": str(run.data),
            "train_images": train_images,
            "test_images": test_images,
            "classes": classes,
        },
        "parameters": sum(p.numel() for p in model.parameters()),
        "notes": notes,
    }


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
    from contentgen.training.trainer import run_training

    if kind not in KINDS:
        raise ValidationError("kind", f"unknown model kind {kind!r}", KINDS)
    out = Path(out)
    schedule = {"steps": steps, "checkpoint_every": checkpoint_every, "log_every": log_every}
    for name, value in schedule.items():
        _positive(name, value)
    run = _resolve_run(out, resume, data, batch_size, seed, limit, lr, model_config)
    if torch_threads is not None:
        torch.set_num_threads(_positive("torch_threads", torch_threads))
    splits, train = _load_data(run)
    loop_cls = loop_class(kind)
    model = _build_model(loop_cls, run.config, run.seed)
    loop = loop_cls(model, run.lr)
    command = command or f"contentgen.training.api.train_model({kind!r}, out={str(out)!r}, ...)"
    settings = _settings(kind, run, len(train), model.config, command, schedule, collapse_patience)
    outcome = run_training(loop, train, out, settings, resume=resume, progress=progress)

    began = time.perf_counter()
    metrics, notes = _measure(kind, model, splits, classifier, eval_samples, run.seed, evaluate)
    if outcome.resumed_from == outcome.steps:
        notes.append(f"metrics re-measured without further training by: {command}")
    measured = (metrics, notes, time.perf_counter() - began)
    sizes = (len(train), len(splits.test), list(train.class_names))
    card = _card(kind, model, loop, run, outcome, command, measured, sizes)
    model.save_pretrained(out, card=card)
    logger.info("saved %s to %s (checkpoints in %s)", kind, out, state_root(out))
    steps_done, seconds, history = outcome.steps, outcome.seconds, outcome.history
    return TrainResult(kind, out, steps_done, seconds, metrics, history, outcome.resumed_from, card)


def _settings(
    kind: str,
    run: _Run,
    data_size: int,
    model_config: Mapping[str, Any],
    command: str,
    schedule: Mapping[str, int],
    collapse_patience: int,
) -> TrainSettings:
    """The trainer's settings (`schedule`: steps, checkpoint_every, log_every)."""
    return TrainSettings(
        **schedule,
        batch_size=run.batch_size,
        seed=run.seed,
        collapse_patience=collapse_patience,
        run={
            "kind": kind,
            "data": str(run.data),
            "data_size": data_size,
            "limit": run.limit,
            "batch_size": run.batch_size,
            "seed": run.seed,
            "model_config": dict(model_config),
        },
        command=command,
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
        FIDELITY_NOTE,
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
        notes += [FID_NOTE, FIDELITY_NOTE]
    return evaluate_generative(model, splits, metric_classifier, path, samples, seed), notes
