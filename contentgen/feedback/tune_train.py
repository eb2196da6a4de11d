"""Train a LoRA adapter on loaded rows and save it: the heavy half of `contentgen tune`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from contentgen.errors import TrainingError
from contentgen.training.tune_config import TuneConfig

if TYPE_CHECKING:
    from contentgen.modelfiles.adapters import ResolvedAdapter

Layout = Literal["merged", "adapter"]
StepCallback = Callable[[dict[str, float]], None]


@dataclass(frozen=True)
class BaseModel:
    """The model a run starts from: a local checkpoint, its spec, and any adapter merged into it."""

    path: Path
    model_id: str
    revision: str | None
    spec: str = ""
    adapter: ResolvedAdapter | None = None


def continues_adapter(base: BaseModel, method: str, layout: Layout) -> bool:
    """Whether the run goes on training the base's own adapter (SFT written as an adapter alone)
    instead of training a new adapter on top of the merged base."""
    return base.adapter is not None and method == "sft" and layout == "adapter"


def _load(base: BaseModel, device: str, *, merge: bool) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from contentgen.modelfiles.adapters import merge_adapter

    tokenizer = AutoTokenizer.from_pretrained(base.path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model: Any = AutoModelForCausalLM.from_pretrained(base.path, dtype=torch.float32)
    if base.adapter is not None and merge:  # tune what the generator runs: base with its adapter
        model = merge_adapter(model, base.adapter)
    return model.to(device), tokenizer


def _trainable_adapter(model: Any, base: BaseModel) -> Any:
    """`model` wrapped with the base's adapter, its weights trainable (fp16 files upcast)."""
    from peft import PeftModel

    assert base.adapter is not None
    peft_model = PeftModel.from_pretrained(model, str(base.adapter.path), is_trainable=True)
    # The loaded config names the hub id it was trained on; the local copy keeps peft's save
    # from looking that id up online (offline installs print a warning for it otherwise).
    for config in peft_model.peft_config.values():
        config.base_model_name_or_path = str(base.path)
    return peft_model


def _train_sft(
    model: Any,
    tokenizer: Any,
    rows: Sequence[Mapping[str, Any]],
    eval_rows: Sequence[Mapping[str, Any]],
    cfg: TuneConfig,
    device: str,
    on_step: StepCallback | None,
    continued: BaseModel | None = None,
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    from contentgen.training.lora_sft import evaluate_loss, pick_precision, train_sft
    from contentgen.training.sft_data import check_rows, encode

    turns = check_rows(rows)
    train = encode(tokenizer, turns, cfg.max_length)
    if not train.examples:
        raise TrainingError(f"no training row fits max_length {cfg.max_length}: {train.skipped}")
    held = encode(tokenizer, check_rows(eval_rows), cfg.max_length).examples
    pad = tokenizer.pad_token_id
    evaluation = {}
    if held:
        evaluation["base"] = evaluate_loss(model, held, pad_id=pad, device=device)
    if continued is not None:
        model = _trainable_adapter(model, continued)
        if held:  # the adapter the run starts from, on the same rows
            evaluation["start"] = evaluate_loss(model, held, pad_id=pad, device=device)
    peft_model, stats = train_sft(
        model, train.examples, cfg, pad_id=pad, device=device, on_step=on_step
    )
    if held:
        evaluation["tuned"] = evaluate_loss(peft_model, held, pad_id=pad, device=device)
    tail = [h["loss"] for h in stats.history[-max(1, len(stats.history) // 10) :]]
    training = {
        "trainer": "contentgen LoRA SFT loop (peft)",
        "steps": stats.steps,
        "examples": stats.examples,
        "rows_used": len(train.examples),
        "rows_skipped": dict(train.skipped),
        # No row with few-shot turns: the generator leaves the template's examples out too.
        "prompt_examples": any(t.examples for t in turns),
        "train_loss": sum(tail) / len(tail),
        "loss_history": stats.history,
        "precision": pick_precision(cfg.precision, device),
        "speed": {
            "tokens": stats.tokens,
            "answer_tokens": stats.answer_tokens,
            "padded_tokens": stats.padded_tokens,
            "cpu_s": stats.cpu_s,
            "wall_s": stats.wall_s,
            "tokens_per_cpu_s": stats.tokens_per_cpu_s,
        },
    }
    return peft_model, training, evaluation


def _train_dpo(
    model: Any, tokenizer: Any, rows: Sequence[Mapping[str, Any]], cfg: TuneConfig, device: str
) -> tuple[Any, dict[str, Any]]:
    import tempfile

    from datasets import Dataset
    from transformers import PrinterCallback, ProgressCallback
    from trl import DPOConfig, DPOTrainer

    from contentgen.feedback.tune_quiet import quiet
    from contentgen.training.lora_sft import lora_config, pick_precision

    # Entered again now that datasets is imported, so its progress bars are off too.
    with quiet(), tempfile.TemporaryDirectory(prefix="contentgen-tune-") as work:
        args = DPOConfig(
            output_dir=work,
            beta=cfg.dpo_beta,
            num_train_epochs=cfg.epochs,
            max_steps=cfg.max_steps,
            learning_rate=cfg.learning_rate,
            per_device_train_batch_size=cfg.batch_size,
            seed=cfg.seed,
            logging_steps=1,
            save_strategy="no",
            report_to="none",
            use_cpu=device == "cpu",
            disable_tqdm=True,
            max_length=cfg.max_length,
            dataloader_num_workers=0,
            # TRL's defaults (bf16 autocast, gradient checkpointing) cost 40-80x on most CPUs.
            bf16=pick_precision(cfg.precision, device) == "bf16",
            gradient_checkpointing=False,
        )
        trainer = DPOTrainer(
            model=model,
            args=args,
            train_dataset=Dataset.from_list([dict(r) for r in rows]),
            processing_class=tokenizer,
            peft_config=lora_config(cfg),
        )
        for callback in (PrinterCallback, ProgressCallback):
            trainer.remove_callback(callback)
        try:
            result = trainer.train()
        except (RuntimeError, ValueError) as exc:
            raise TrainingError(f"dpo tuning failed: {type(exc).__name__}: {exc}") from exc
    history = [
        {k: v for k, v in h.items() if isinstance(v, int | float)}
        for h in trainer.state.log_history
        if "loss" in h
    ]
    training = {
        "trainer": type(trainer).__name__,
        "steps": int(trainer.state.global_step),
        "train_loss": float(result.training_loss),
        "loss_history": history,
    }
    return trainer.model, training


def _save(
    peft_model: Any,
    tokenizer: Any,
    out: Path,
    layout: Layout,
    base: BaseModel,
    *,
    delta_of_plain: bool = False,
) -> None:
    from contentgen.modelfiles.adapters import WEIGHTS_FILE

    out.mkdir(parents=True, exist_ok=True)
    folder = out if layout == "adapter" else out / "adapter"
    peft_model.save_pretrained(folder)
    _name_base(folder, base, delta_of_plain=delta_of_plain)
    if layout == "adapter":
        _as_float16(folder / WEIGHTS_FILE)
        return
    peft_model.merge_and_unload().save_pretrained(out)
    tokenizer.save_pretrained(out)


def _name_base(folder: Path, base: BaseModel, *, delta_of_plain: bool = False) -> None:
    """Name the base by its model id (+ the adapter merged under it), not by a cache path."""
    import json

    from contentgen.modelfiles.adapters import CONFIG_FILE

    config_file = folder / CONFIG_FILE
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = (
        base.model_id
        if base.adapter is None or delta_of_plain
        else f"{base.model_id} + {base.adapter.label}"
    )
    config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _as_float16(path: Path) -> None:
    """Store the adapter's weights as float16: half the size, merged error ~1e-3 of the delta."""
    import torch
    from safetensors.torch import load_file, save_file

    tensors = {k: v.to(torch.float16).contiguous() for k, v in load_file(str(path)).items()}
    save_file(tensors, str(path), metadata={"format": "pt"})
    path.chmod(0o644)  # safetensors writes 0600; a shipped file must be readable by all


def train_lora(
    rows: Sequence[Mapping[str, Any]],
    base: BaseModel,
    out: Path,
    method: str,
    cfg: TuneConfig,
    *,
    device: str = "cpu",
    threads: int = 1,
    eval_rows: Sequence[Mapping[str, Any]] = (),
    layout: Layout = "merged",
    on_step: StepCallback | None = None,
) -> dict[str, Any]:
    """Train, save to `out` in `layout`; the card's "training" and "evaluation" entries."""
    import torch

    from contentgen.hostinfo import host_cpu

    torch.set_num_threads(threads)
    where = "cuda" if device in ("cuda", "auto") and torch.cuda.is_available() else "cpu"
    from contentgen.feedback.tune_quiet import quiet

    with quiet():
        continued = continues_adapter(base, method, layout)
        model, tokenizer = _load(base, where, merge=not continued)
        evaluation: dict[str, Any] = {}
        if method == "sft":
            peft_model, training, evaluation = _train_sft(
                model, tokenizer, rows, eval_rows, cfg, where, on_step, base if continued else None
            )
            if continued:
                training["continued_from"] = base.adapter.label if base.adapter else None
        else:
            peft_model, training = _train_dpo(model, tokenizer, rows, cfg, where)
        _save(peft_model, tokenizer, out, layout, base, delta_of_plain=continued)
    cpu = host_cpu().describe() if where == "cpu" else torch.cuda.get_device_name()
    return {
        "training": {**training, "device": where, "threads": threads, "cpu": cpu},
        "evaluation": evaluation,
    }
