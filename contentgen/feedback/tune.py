"""Fine-tune the text model on rating-derived data with LoRA (TRL's SFTTrainer / DPOTrainer + peft).

The tuned weights are merged into a full transformers checkpoint (so `builtin:transformers` loads
it with option `model=<dir>`), the LoRA adapter is kept beside it, a model card records the
provenance, and the result is registered in the database as a named generator version.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import TrainingError, ValidationError

if TYPE_CHECKING:
    from contentgen.config import Settings
    from contentgen.storage.store import Store
    from contentgen.templates import TemplateLibrary

log = logging.getLogger(__name__)
METHODS = ("sft", "dpo")
GENERATOR_ID = "builtin:transformers"
CARD_JSON = "contentgen_tune.json"


@dataclass(frozen=True)
class TuneConfig:
    """LoRA and trainer hyperparameters (small defaults that run on a CPU)."""

    epochs: float = 1.0
    max_steps: int = -1
    learning_rate: float = 2e-4
    batch_size: int = 4
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    max_length: int = 512
    dpo_beta: float = 0.1
    seed: int = 0


@dataclass(frozen=True)
class TuneResult:
    """A finished tuning run: the registered version name, its directory and generator options."""

    name: str
    out_dir: Path
    generator_id: str
    options: Mapping[str, Any]
    card: Mapping[str, Any]


@dataclass(frozen=True)
class BaseModel:
    """The model a run starts from, resolved to a local checkpoint directory."""

    path: Path
    model_id: str
    revision: str | None


def resolve_base(base: str, settings: Settings, store: Store | None = None) -> BaseModel:
    """A registered version name, 'builtin:transformers' (its configured model), or a model spec."""
    from contentgen.models import resolve_text_model

    spec = base
    if base == GENERATOR_ID:
        spec = str(settings.options_for(GENERATOR_ID).get("model", "smollm2"))
    elif store is not None and ":" not in base and not Path(base).exists():
        from contentgen.errors import UnknownNameError
        from contentgen.storage.feedback import FeedbackStore

        with suppress(UnknownNameError):
            spec = str(FeedbackStore(store).get_version(base).options["model"])
    resolved = resolve_text_model(spec, cache_dir=settings.cache_dir)
    return BaseModel(resolved.path, resolved.model_id, resolved.revision)


def training_rows(
    method: str,
    store: Store | None = None,
    templates: TemplateLibrary | None = None,
    data: Path | None = None,
) -> list[dict[str, Any]]:
    """Rows for `method`: from a JSONL file when given, else built from the stored ratings."""
    if data is not None:
        with data.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    if store is None or templates is None:
        raise ValidationError(
            "data", "give a JSONL file or a database to build the training data from"
        )
    from contentgen.feedback.preferences import build_dataset

    return list(build_dataset(store, templates, method).rows)


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence progress bars and log printing while training: library code never prints."""
    import warnings

    import datasets
    from transformers.utils import logging as hf_logging

    bars = datasets.is_progress_bar_enabled()
    hf_bars = hf_logging.is_progress_bar_enabled()
    verbosity = hf_logging.get_verbosity()
    datasets.disable_progress_bars()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        with warnings.catch_warnings():
            # TRL calls transformers' renamed gradient-checkpointing API; nothing a user can act on.
            warnings.filterwarnings("ignore", message=".*checkpointing.*", category=FutureWarning)
            yield
    finally:
        if bars:
            datasets.enable_progress_bars()
        if hf_bars:
            hf_logging.enable_progress_bar()
        hf_logging.set_verbosity(verbosity)


def _trainer(
    method: str,
    model: Any,
    tokenizer: Any,
    rows: Sequence[Mapping[str, Any]],
    cfg: TuneConfig,
    work_dir: Path,
    use_cpu: bool,
) -> Any:
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import PrinterCallback, ProgressCallback

    common: dict[str, Any] = dict(
        output_dir=str(work_dir),
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps,
        learning_rate=cfg.learning_rate,
        per_device_train_batch_size=cfg.batch_size,
        seed=cfg.seed,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=use_cpu,
        disable_tqdm=True,
        max_length=cfg.max_length,
        dataloader_num_workers=0,
    )
    lora = LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )
    dataset = Dataset.from_list([dict(r) for r in rows])
    if method == "sft":
        from trl import SFTConfig, SFTTrainer

        trainer: Any = SFTTrainer(
            model=model,
            args=SFTConfig(**common),
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=lora,
        )
    else:
        from trl import DPOConfig, DPOTrainer

        trainer = DPOTrainer(
            model=model,
            args=DPOConfig(beta=cfg.dpo_beta, **common),
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=lora,
        )
    for callback in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(callback)
    return trainer


def train_lora(
    rows: Sequence[Mapping[str, Any]],
    base: BaseModel,
    out: Path,
    method: str,
    cfg: TuneConfig,
    *,
    device: str = "cpu",
    threads: int = 1,
) -> dict[str, Any]:
    """Run the LoRA training, save the adapter under out/adapter and the merged model in out."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(threads)
    use_cpu = device == "cpu" or not torch.cuda.is_available()
    with _quiet():
        tokenizer = AutoTokenizer.from_pretrained(base.path)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        model = AutoModelForCausalLM.from_pretrained(base.path, dtype=torch.float32)
        with tempfile.TemporaryDirectory(prefix="contentgen-tune-") as work:
            trainer = _trainer(method, model, tokenizer, rows, cfg, Path(work), use_cpu)
            try:
                result = trainer.train()
            except (RuntimeError, ValueError) as exc:
                raise TrainingError(f"{method} tuning failed: {type(exc).__name__}: {exc}") from exc
            history = [
                {k: v for k, v in h.items() if isinstance(v, int | float)}
                for h in trainer.state.log_history
                if "loss" in h
            ]
        out.mkdir(parents=True, exist_ok=True)
        peft_model = trainer.model
        peft_model.save_pretrained(out / "adapter")
        merged = peft_model.merge_and_unload()
        merged.save_pretrained(out)
        tokenizer.save_pretrained(out)
    return {
        "trainer": type(trainer).__name__,
        "steps": int(trainer.state.global_step),
        "train_loss": float(result.training_loss),
        "loss_history": history,
        "device": "cpu" if use_cpu else "cuda",
    }


def _card_markdown(card: Mapping[str, Any]) -> str:
    data = card["data"]
    sources = ", ".join(f"{k}: {v}" for k, v in data["sources"].items())
    return "\n".join(
        [
            "---",
            f"base_model: {card['base_model']['model_id']}",
            "library_name: transformers",
            f"tags: [contentgen, lora, {card['method']}]",
            "---",
            f"# {card['name']}",
            "",
            f"LoRA {card['method'].upper()} fine-tune of `{card['base_model']['model_id']}` "
            f"(revision `{card['base_model']['revision']}`) on contentgen ratings, "
            "merged into full weights. "
            "The adapter alone is in `adapter/`.",
            "",
            f"- trained: {card['created_at']} with {card['training']['trainer']} "
            f"({card['training']['steps']} steps, "
            f"final train loss {card['training']['train_loss']:.4f})",
            f"- data: {data['rows']} rows ({sources or 'from file'})",
            f"- hyperparameters: {json.dumps(card['hyperparameters'])}",
            f'- use: `[generators."{GENERATOR_ID}"] model = "<this directory>"` or '
            f'`tuned_generator_options(store, "{card["name"]}")`',
            "",
        ]
    )


def tune(
    *,
    method: str,
    base: str,
    out: Path,
    settings: Settings,
    store: Store | None = None,
    templates: TemplateLibrary | None = None,
    data: Path | None = None,
    name: str | None = None,
    config: TuneConfig | None = None,
) -> TuneResult:
    """Fine-tune `base` with LoRA on rating-derived `method` data; save, card and register it."""
    if method not in METHODS:
        raise ValidationError("method", f"unknown tuning method {method!r}", METHODS)
    cfg = config or TuneConfig()
    rows = training_rows(method, store, templates, data)
    if not rows:
        hint = (
            "edited finals (contentgen rate ID --edit ...)"
            if method == "sft"
            else "pairwise preferences, score gaps within a request or edits"
        )
        raise TrainingError(f"no {method} training rows: collect {hint} first")
    resolved = resolve_base(base, settings, store)
    created = datetime.now(UTC)
    from contentgen.models.resolve import slug

    name = name or f"{slug(Path(resolved.model_id).name)}-{method}-{created:%Y%m%d%H%M%S}"
    if store is not None:
        from contentgen.errors import UnknownNameError
        from contentgen.storage.feedback import FeedbackStore

        try:
            FeedbackStore(store).get_version(name)
            raise ValidationError(
                "name", f"generator version {name!r} already exists; pick another name"
            )
        except UnknownNameError:
            pass
    log.info("tuning %s with %s on %d rows", resolved.model_id, method, len(rows))
    training = train_lora(
        rows, resolved, out, method, cfg, device=settings.device, threads=settings.torch_threads
    )
    sources = {}
    if data is None and store is not None and templates is not None:
        from contentgen.feedback.preferences import build_dataset

        sources = dict(build_dataset(store, templates, method).sources)
    card = {
        "name": name,
        "method": method,
        "created_at": created.isoformat(timespec="seconds"),
        "base_model": {
            "model_id": resolved.model_id,
            "revision": resolved.revision,
            "path": str(resolved.path),
        },
        "data": {"rows": len(rows), "sources": sources, "file": str(data) if data else None},
        "hyperparameters": asdict(cfg),
        "training": training,
        "versions": _versions(),
    }
    (out / CARD_JSON).write_text(json.dumps(card, indent=2), encoding="utf-8")
    (out / "README.md").write_text(_card_markdown(card), encoding="utf-8")
    options = {"model": str(out.resolve())}
    if store is not None:
        from contentgen.storage.feedback import FeedbackStore, GeneratorVersion

        FeedbackStore(store).register_version(
            GeneratorVersion(
                name=name,
                generator_id=GENERATOR_ID,
                options=options,
                base_model=resolved.model_id,
                method=method,
                card=card,
            )
        )
    return TuneResult(name, out, GENERATOR_ID, options, card)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("contentgen", "torch", "transformers", "trl", "peft", "datasets"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def tuned_generator_options(store: Store, name: str) -> dict[str, Any]:
    """The constructor options that make `builtin:transformers` run a registered tuned version."""
    from contentgen.storage.feedback import FeedbackStore

    return dict(FeedbackStore(store).get_version(name).options)


def settings_with_version(settings: Settings, store: Store, name: str) -> Settings:
    """Settings whose transformers generator runs the registered tuned version `name`."""
    from contentgen.storage.feedback import FeedbackStore

    version = FeedbackStore(store).get_version(name)
    generators = {k: dict(v) for k, v in settings.generators.items()}
    generators[version.generator_id] = {
        **generators.get(version.generator_id, {}),
        **version.options,
    }
    return replace(settings, generators=generators)
