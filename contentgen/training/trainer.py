"""The training orchestration: seeded data order, checkpoints, exact resume, divergence guards."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from contentgen.errors import TrainingError
from contentgen.training.checkpoint import (
    Checkpoint,
    latest_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from contentgen.training.data import ImageDataset
from contentgen.training.loops import TrainLoop

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSettings:
    """How long and how to train; `run` holds the settings a resume must match."""

    steps: int
    batch_size: int = 64
    seed: int = 0
    checkpoint_every: int = 500
    log_every: int = 50
    collapse_patience: int = 200
    run: Mapping[str, Any] = field(default_factory=dict)
    command: str | None = None


@dataclass(frozen=True)
class Progress:
    """What a progress bar shows after each step."""

    step: int
    total: int
    losses: Mapping[str, float]
    elapsed_s: float


@dataclass(frozen=True)
class TrainOutcome:
    """What a finished (or already finished) run did."""

    steps: int
    seconds: float
    history: tuple[Mapping[str, float], ...]
    checkpoint: Checkpoint | None
    resumed_from: int | None
    commands: tuple[str, ...] = ()
    cpu_seconds: float = 0.0  # this process's CPU time, all threads (wall time is `seconds`)


ProgressCallback = Callable[[Progress], None]


def derive_seed(seed: int, *parts: int) -> int:
    """A 63-bit seed for one (seed, step, stream) triple, independent of every other triple."""
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def batch_indices(step: int, batch_size: int, size: int, seed: int) -> torch.Tensor:
    """Example indices of batch `step`: consecutive slices of one seeded permutation per epoch."""
    start = step * batch_size
    chunks, taken = [], 0
    while taken < batch_size:
        epoch, offset = divmod(start + taken, size)
        order = torch.randperm(
            size, generator=torch.Generator().manual_seed(derive_seed(seed, epoch, 0))
        )
        chunk = order[offset : offset + batch_size - taken]
        chunks.append(chunk)
        taken += len(chunk)
    return torch.cat(chunks)


def _where_to_resume(checkpoint: Checkpoint | None, every: int) -> str:
    if checkpoint is None:
        return (
            f"No checkpoint was written yet (one every {every} steps); lower --lr and start again"
        )
    return (
        f"The last good checkpoint is kept: {checkpoint.path} (step {checkpoint.step}); "
        "lower --lr and pass --resume to continue from it"
    )


def _check_resumable(saved: Mapping[str, Any], wanted: Mapping[str, Any], path: Path) -> None:
    changed = sorted(k for k in set(saved) | set(wanted) if saved.get(k) != wanted.get(k))
    if changed:
        details = "; ".join(f"{k}: saved {saved.get(k)!r}, now {wanted.get(k)!r}" for k in changed)
        raise TrainingError(f"cannot resume {path}: the run settings differ ({details})")


def _params_finite(model: torch.nn.Module) -> bool:
    return all(
        bool(torch.isfinite(p).all()) for p in model.state_dict().values() if p.is_floating_point()
    )


@dataclass
class _RunState:
    """Where a run stands: the step to start from and what the earlier steps recorded."""

    start: int = 0
    elapsed: float = 0.0
    streak: int = 0
    resumed_from: int | None = None
    history: list[dict[str, float]] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    cpu: float = 0.0  # CPU seconds spent training, as of the last checkpoint


def _restore(
    loop: TrainLoop, out: Path, settings: TrainSettings, resume: bool
) -> tuple[_RunState, Checkpoint | None]:
    """The state to start from: the last checkpoint in `out` when resuming, else a fresh one."""
    checkpoint = latest_checkpoint(out)
    if checkpoint is not None and not resume:
        raise TrainingError(
            f"{out} already holds a training run (step {checkpoint.step}); pass --resume to "
            "continue it, or choose an empty --out"
        )
    state = _RunState()
    if checkpoint is not None:
        saved = load_checkpoint(checkpoint, loop.model, loop.optimizers())
        _check_resumable(saved["run"], settings.run, checkpoint.path)
        state = _RunState(
            saved["step"],
            saved["elapsed_s"],
            saved["collapse_streak"],
            saved["step"],
            list(saved["history"]),
            list(saved.get("commands", [])),
            saved.get("cpu_s", 0.0),
        )
        loop.set_lr(loop.lr)
        logger.info("resuming %s from step %d", out, state.start)
    elif resume:
        logger.info("nothing to resume in %s; starting from step 0", out)
    if settings.command and state.start < settings.steps:  # an evaluation-only rerun trains nothing
        state.commands.append(settings.command)
    return state, checkpoint


def _guard(
    loop: TrainLoop,
    losses: Mapping[str, float],
    done: int,
    state: _RunState,
    checkpoint: Checkpoint | None,
    settings: TrainSettings,
) -> None:
    """Stop a run whose losses diverged or whose GAN collapsed (counting the collapse streak)."""
    bad = {k: v for k, v in losses.items() if not math.isfinite(v)}
    if bad:
        raise TrainingError(
            f"{loop.kind} training diverged at step {done}: "
            + ", ".join(f"{k} is {v}" for k, v in bad.items())
            + f". {_where_to_resume(checkpoint, settings.checkpoint_every)}"
        )
    state.streak = state.streak + 1 if loop.collapsed(losses) else 0
    if state.streak >= settings.collapse_patience:
        raise TrainingError(
            f"{loop.kind} training collapsed at step {done}: the discriminator loss stayed "
            f"below {getattr(loop, 'collapse_threshold', 0)} for {state.streak} steps, so the "
            "generator learns nothing. " + _where_to_resume(checkpoint, settings.checkpoint_every)
        )


def _save(
    loop: TrainLoop,
    out: Path,
    state: _RunState,
    done: int,
    seconds: float,
    settings: TrainSettings,
    previous: Checkpoint | None,
) -> Checkpoint:
    """Write a checkpoint of step `done` (refusing weights that hold NaN/inf)."""
    if not _params_finite(loop.model):
        raise TrainingError(
            f"{loop.kind} training diverged at step {done}: the weights hold NaN/inf. "
            + _where_to_resume(previous, settings.checkpoint_every)
        )
    trainer_state = {
        "step": done,
        "elapsed_s": seconds,
        "cpu_s": state.cpu,
        "collapse_streak": state.streak,
        "history": state.history,
        "commands": state.commands,
        "run": dict(settings.run),
        "lr": loop.lr,
    }
    return save_checkpoint(out, loop.model, loop.optimizers(), trainer_state)


def run_training(
    loop: TrainLoop,
    data: ImageDataset,
    out: Path,
    settings: TrainSettings,
    resume: bool = False,
    progress: ProgressCallback | None = None,
) -> TrainOutcome:
    """Train `loop.model` on `data` for `settings.steps` steps, checkpointing into `out`."""
    if len(data) == 0:
        raise TrainingError("the training data holds no images")
    state, checkpoint = _restore(loop, out, settings, resume)
    window: dict[str, float] = {}
    window_steps = 0
    smoothed: dict[str, float] = {}
    began, began_cpu, cpu_before = time.perf_counter(), time.process_time(), state.cpu
    for step in range(state.start, settings.steps):
        # Every random stream is derived from (seed, step), so a resumed run replays the exact
        # batches, noise and dropout masks the uninterrupted run would have drawn.
        torch.manual_seed(derive_seed(settings.seed, step, 1))
        noise = torch.Generator().manual_seed(derive_seed(settings.seed, step, 2))
        index = batch_indices(step, settings.batch_size, len(data), settings.seed)
        losses = loop.step(data.floats(index), data.labels[index], noise)
        done = step + 1
        _guard(loop, losses, done, state, checkpoint, settings)
        for key, value in losses.items():
            window[key] = window.get(key, 0.0) + value
            smoothed[key] = value if key not in smoothed else 0.95 * smoothed[key] + 0.05 * value
        window_steps += 1
        at_checkpoint = done % settings.checkpoint_every == 0 or done == settings.steps
        if at_checkpoint or done % settings.log_every == 0:
            state.history.append({"step": done, **{k: v / window_steps for k, v in window.items()}})
            window, window_steps = {}, 0
        seconds = state.elapsed + time.perf_counter() - began
        if at_checkpoint:
            state.cpu = cpu_before + time.process_time() - began_cpu
            checkpoint = _save(loop, out, state, done, seconds, settings, checkpoint)
        if progress is not None:
            progress(Progress(done, settings.steps, dict(smoothed), seconds))
    seconds = state.elapsed + time.perf_counter() - began
    return TrainOutcome(
        settings.steps,
        seconds,
        tuple(state.history),
        checkpoint,
        state.resumed_from,
        tuple(state.commands),
        cpu_before + time.process_time() - began_cpu,
    )
