"""Hyperparameters of a LoRA tuning run (plain values, validated on construction, no torch)."""

from __future__ import annotations

from dataclasses import dataclass

from contentgen.errors import ValidationError

PRECISIONS = ("fp32", "bf16", "auto")


@dataclass(frozen=True)
class TuneConfig:
    """LoRA and optimizer settings; the defaults were measured fastest on one CPU core."""

    epochs: float = 1.0
    max_steps: int = -1
    learning_rate: float = 2e-4
    batch_size: int = 8  # examples per optimizer step
    # Examples per forward pass, gradients accumulated over the batch: one is as fast per token
    # as larger passes on a CPU core, with no padding and the least memory; GPUs want more.
    micro_batch_size: int = 1
    lora_r: int = 8
    lora_alpha: int = 16
    # Dropout copies every projection's input: a quarter of a CPU step, for little gain here.
    lora_dropout: float = 0.0
    max_length: int = 768
    dpo_beta: float = 0.1
    seed: int = 0
    # fp32 gives the same adapter on every CPU; bf16 autocast was only ~10% faster even with
    # AMX (and ~80x slower without it); "auto" takes bf16 where it is native (AMX, bf16 GPUs).
    precision: str = "fp32"
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    max_examples: int | None = None  # train on a seeded random subset of this many rows
    eval_max_examples: int = 400  # held-out rows scored before and after training

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValidationError("precision", f"unknown precision {self.precision!r}", PRECISIONS)
        for name in ("batch_size", "micro_batch_size", "lora_r", "lora_alpha", "max_length"):
            if getattr(self, name) < 1:
                raise ValidationError(name, f"must be at least 1, got {getattr(self, name)}")
        if self.max_examples is not None and self.max_examples < 1:
            raise ValidationError("max_examples", f"must be at least 1, got {self.max_examples}")
        if not self.learning_rate > 0:
            raise ValidationError("learning_rate", f"must be positive, got {self.learning_rate}")
        if not 0 <= self.lora_dropout < 1:
            raise ValidationError("lora_dropout", f"must be in [0, 1), got {self.lora_dropout}")
        if self.max_steps <= 0 and not self.epochs > 0:
            raise ValidationError("epochs", f"must be positive, got {self.epochs}")
