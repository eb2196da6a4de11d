"""Resumable training checkpoints: model, optimiser state and trainer state, written atomically."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from contentgen.errors import TrainingError
from contentgen.training.persist import (
    atomic_write_bytes,
    atomic_write_json,
    flatten_state,
    load_tensors,
    read_json,
    save_tensors,
    unflatten_state,
)

STATE_DIR = "train_state"
LATEST = "latest"
OPTIMIZER_FILE = "optimizer.safetensors"
TRAINER_FILE = "trainer.json"


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint on disk: where it is and which step it holds."""

    path: Path
    step: int


def state_root(out: Path) -> Path:
    """The folder under a run's --out that holds its resumable checkpoints."""
    return out / STATE_DIR


def latest_checkpoint(out: Path) -> Checkpoint | None:
    """The last completely written checkpoint of the run in `out`, if any."""
    pointer = state_root(out) / LATEST
    if not pointer.is_file():
        return None
    path = state_root(out) / pointer.read_text().strip()
    if not (path / TRAINER_FILE).is_file():
        raise TrainingError(
            f"{pointer} names {path.name}, which is incomplete; delete {state_root(out)}"
        )
    return Checkpoint(path, int(read_json(path / TRAINER_FILE)["step"]))


def save_checkpoint(
    out: Path,
    model: Any,
    optimizers: Mapping[str, torch.optim.Optimizer],
    trainer_state: Mapping[str, Any],
    keep: int = 2,
) -> Checkpoint:
    """Write a checkpoint folder under a temporary name, rename it, then move `latest`."""
    root = state_root(out)
    root.mkdir(parents=True, exist_ok=True)
    step = int(trainer_state["step"])
    name = f"step-{step:08d}"
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
    tmp.chmod(0o755)
    try:
        model.save_pretrained(tmp)
        tensors: dict[str, torch.Tensor] = {}
        skeleton = {k: flatten_state(opt.state_dict(), tensors, k) for k, opt in optimizers.items()}
        save_tensors(tmp / OPTIMIZER_FILE, tensors)
        atomic_write_json(tmp / TRAINER_FILE, {**trainer_state, "optimizers": skeleton})
        final = root / name
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    atomic_write_bytes(root / LATEST, name.encode())
    for old in sorted(root.glob("step-*"))[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return Checkpoint(final, step)


def load_checkpoint(
    checkpoint: Checkpoint, model: Any, optimizers: Mapping[str, torch.optim.Optimizer]
) -> dict[str, Any]:
    """Restore model weights and optimiser state in place; return the trainer state."""
    from contentgen.training.pretrained import WEIGHTS_NAME

    state = read_json(checkpoint.path / TRAINER_FILE)
    model.load_state_dict(load_tensors(checkpoint.path / WEIGHTS_NAME), strict=True)
    tensors = load_tensors(checkpoint.path / OPTIMIZER_FILE)
    saved = state.pop("optimizers")
    if set(saved) != set(optimizers):
        raise TrainingError(
            f"{checkpoint.path} has optimisers {sorted(saved)}, expected {sorted(optimizers)}"
        )
    for key, optimizer in optimizers.items():
        optimizer.load_state_dict(unflatten_state(saved[key], tensors))
    return dict(state)
