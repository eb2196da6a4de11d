"""LoRA supervised fine-tuning as a plain torch loop, sized for a CPU core.

Why not TRL's SFTTrainer with its defaults: on a CPU they cost 5-80x. SFTConfig turns on bf16
autocast (emulated, ~80x slower than fp32, on CPUs without AMX), gradient checkpointing (every
layer's forward runs twice) and LoRA dropout (a copy of each projection's input: a quarter of a
step), and the loss covers prompt tokens, with logits over the vocabulary at every position.
This loop keeps what the measurements favour: fp32, no checkpointing, no dropout, one example per
forward pass with gradients accumulated over the batch (no padding, the least memory, and as fast
per token as larger passes on a CPU core), and logits only where the loss needs them (the answer
tokens, through `logits_to_keep` with a mask). peft supplies the LoRA layers, transformers the
cosine schedule with warm-up; AdamW updates the LoRA weights only.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from contentgen.hostinfo import HostCPU, host_cpu
from contentgen.training.sft_data import Example, length_grouped_batches

if TYPE_CHECKING:
    from contentgen.training.tune_config import TuneConfig

StepCallback = Callable[[dict[str, float]], None]


@dataclass(frozen=True)
class Batch:
    """Right-padded ids, their mask, which positions predict an answer token, and those tokens."""

    ids: torch.Tensor
    mask: torch.Tensor
    keep: torch.Tensor  # bool (rows, length): positions whose next token is part of the answer
    targets: torch.Tensor  # the answer tokens, in the order `keep` selects them
    tokens: int  # real (unpadded) tokens


def collate(examples: Sequence[Example], pad_id: int) -> Batch:
    """One padded batch; the loss positions are those just before each answer token."""
    length = max(len(e.ids) for e in examples)
    ids = torch.full((len(examples), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), length), dtype=torch.long)
    keep = torch.zeros((len(examples), length), dtype=torch.bool)
    for row, example in enumerate(examples):
        ids[row, : len(example.ids)] = torch.tensor(example.ids)
        mask[row, : len(example.ids)] = 1
        keep[row, example.prompt_length - 1 : len(example.ids) - 1] = True
    targets = ids[:, 1:][keep[:, :-1]]
    return Batch(ids, mask, keep, targets, sum(len(e.ids) for e in examples))


def pick_precision(wanted: str, device: str) -> str:
    """'fp32' or 'bf16': 'auto' takes bf16 only where it is native (AMX/AVX512-BF16, bf16 GPUs)."""
    if wanted != "auto":
        return wanted
    if device == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if native_bf16(host_cpu()) else "fp32"


def native_bf16(cpu: HostCPU) -> bool:
    """Whether the kernels may use native bf16 dot products (AMX or AVX512-BF16, not capped off)."""
    # Without them bf16 matmuls are emulated: ~80x slower than fp32 on AVX2. With AVX512-BF16
    # (AMD Zen 4) a 300x576 @ 576x1536 matmul took 3.0 ms in bf16 vs 6.9 ms in fp32.
    if not {"AMX", "AVX512-BF16"} & set(cpu.features):
        return False
    return cpu.cap is None or any(name in cpu.cap.upper() for name in ("AMX", "BF16"))


@dataclass
class SftStats:
    """What a run did and how fast: tokens trained, seconds (CPU and wall), loss per step."""

    steps: int = 0
    examples: int = 0
    tokens: int = 0
    answer_tokens: int = 0
    padded_tokens: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    last_loss: float = math.nan
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def tokens_per_cpu_s(self) -> float:
        """Trained (unpadded) tokens per CPU-second of the training steps."""
        return self.tokens / self.cpu_s if self.cpu_s else 0.0


def lora_config(cfg: TuneConfig) -> Any:
    """LoRA on every linear projection of attention and MLP (peft's 'all-linear': no lm_head)."""
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )


def _loss_sum(model: Any, batch: Batch, device: torch.device, bf16: bool) -> torch.Tensor:
    """Summed cross-entropy of the answer tokens (logits computed at those positions only)."""
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        logits = model(
            input_ids=batch.ids.to(device),
            attention_mask=batch.mask.to(device),
            logits_to_keep=batch.keep.to(device),
            use_cache=False,
        ).logits
    flat = logits.float().view(-1, logits.shape[-1])
    return F.cross_entropy(flat, batch.targets.to(device), reduction="sum")


def _step(
    model: Any,
    items: list[Example],
    cfg: TuneConfig,
    pad_id: int,
    device: torch.device,
    bf16: bool,
    stats: SftStats,
) -> None:
    """Gradients of one optimizer step, accumulated over micro-batches (token-mean loss)."""
    answer_total = sum(e.answer_tokens for e in items)
    value = 0.0
    for start in range(0, len(items), cfg.micro_batch_size):
        batch = collate(items[start : start + cfg.micro_batch_size], pad_id)
        loss = _loss_sum(model, batch, device, bf16) / answer_total
        loss.backward()
        value += float(loss.detach())
        stats.tokens += batch.tokens
        stats.padded_tokens += int(batch.ids.numel()) - batch.tokens
    if not math.isfinite(value):
        from contentgen.errors import TrainingError

        raise TrainingError(
            f"the loss became {value} at step {stats.steps + 1}; "
            "lower the learning rate (--learning-rate)"
        )
    stats.answer_tokens += answer_total
    stats.steps += 1
    stats.last_loss = value


def _with_lora(model: Any, cfg: TuneConfig) -> Any:
    """`model` with a fresh LoRA adapter, or as it is when it already carries a trainable one."""
    from peft import PeftModel, get_peft_model

    return model if isinstance(model, PeftModel) else get_peft_model(model, lora_config(cfg))


def train_sft(
    model: Any,
    examples: Sequence[Example],
    cfg: TuneConfig,
    *,
    pad_id: int,
    device: str = "cpu",
    on_step: StepCallback | None = None,
) -> tuple[Any, SftStats]:
    """Wrap `model` with LoRA (or go on training the adapter of a peft `model`) on `examples`;
    the peft model and the run's stats."""
    from transformers import get_cosine_schedule_with_warmup

    if not examples:
        from contentgen.errors import TrainingError

        raise TrainingError("no training examples")
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    where = torch.device(device)
    bf16 = pick_precision(cfg.precision, where.type) == "bf16"
    peft_model = _with_lora(model.to(where), cfg)
    peft_model.train()
    trainable = [p for p in peft_model.parameters() if p.requires_grad]
    per_epoch = math.ceil(len(examples) / cfg.batch_size)
    total = cfg.max_steps if cfg.max_steps > 0 else max(1, math.ceil(per_epoch * cfg.epochs))
    optimizer = torch.optim.AdamW(trainable, lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    schedule = get_cosine_schedule_with_warmup(
        optimizer, math.ceil(cfg.warmup_ratio * total), total
    )
    lengths = [len(e.ids) for e in examples]
    stats = SftStats()
    while stats.steps < total:
        for positions in length_grouped_batches(lengths, cfg.batch_size, rng):
            if stats.steps >= total:
                break
            wall, cpu = time.perf_counter(), time.process_time()
            _step(peft_model, [examples[i] for i in positions], cfg, pad_id, where, bf16, stats)
            torch.nn.utils.clip_grad_norm_(trainable, cfg.max_grad_norm)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            stats.cpu_s += time.process_time() - cpu
            stats.wall_s += time.perf_counter() - wall
            stats.examples += len(positions)
            record = {
                "step": float(stats.steps),
                "epoch": stats.examples / len(examples),
                "loss": stats.last_loss,
                "learning_rate": float(schedule.get_last_lr()[0]),
                "tokens_per_cpu_s": stats.tokens_per_cpu_s,
            }
            stats.history.append(record)
            if on_step is not None:
                on_step(record)
    peft_model.eval()
    return peft_model, stats


def evaluate_loss(
    model: Any,
    examples: Sequence[Example],
    *,
    pad_id: int,
    batch_size: int = 8,
    device: str = "cpu",
    precision: str = "fp32",
) -> dict[str, float]:
    """Mean answer-token loss and perplexity of `model` on `examples` (no gradients)."""
    if not examples:
        return {}
    where = torch.device(device)
    bf16 = pick_precision(precision, where.type) == "bf16"
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].ids))
    total, count = 0.0, 0
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = collate([examples[i] for i in order[start : start + batch_size]], pad_id)
            n = int(batch.targets.numel())
            total += float(_loss_sum(model, batch, where, bf16))
            count += n
    model.train(was_training)
    loss = total / count
    return {"loss": loss, "perplexity": math.exp(loss), "examples": len(examples), "tokens": count}
