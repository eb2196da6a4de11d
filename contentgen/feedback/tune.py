"""Fine-tune the text model with LoRA: SFT on rows or a corpus, DPO on rating-derived pairs.

SFT runs contentgen's own LoRA loop (contentgen.training.lora_sft: answer-only loss, no padding,
fp32, measured at the CPU's fp32 matmul rate); DPO runs TRL's DPOTrainer set up for a CPU. A run
writes either the merged full checkpoint (the LoRA adapter kept in `adapter/`) or, with
`layout="adapter"`, the adapter alone (small, float16 safetensors) that `builtin:transformers`
merges at load (option `adapter`). A model card records the command, data hash, speed and
held-out metrics; the result is registered in the database as a named generator version.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import TrainingError, UnknownNameError, ValidationError
from contentgen.feedback.tune_card import (
    CARD_JSON,
    GENERATOR_ID,
    TRAINED_COPY,
    card_markdown,
    data_sha256,
    package_versions,
    write_trained_copy,
)
from contentgen.feedback.tune_train import BaseModel, Layout, StepCallback, train_lora
from contentgen.training.tune_config import TuneConfig

if TYPE_CHECKING:
    from contentgen.config import Settings
    from contentgen.storage.store import Store
    from contentgen.templates import TemplateLibrary

log = logging.getLogger(__name__)
METHODS = ("sft", "dpo")
LAYOUTS = ("merged", "adapter")

__all__ = ["CARD_JSON", "GENERATOR_ID", "TuneConfig", "TuneResult", "tune"]


@dataclass(frozen=True)
class TuneResult:
    """A finished tuning run: the registered version name, its directory and generator options."""

    name: str
    out_dir: Path
    generator_id: str
    options: Mapping[str, Any]
    card: Mapping[str, Any]


def resolve_base(base: str, settings: Settings, store: Store | None = None) -> BaseModel:
    """A registered version name, 'builtin:transformers' (its configured model and adapter), or a
    model spec (the plain model)."""
    from contentgen.modelfiles import resolve_text_model
    from contentgen.modelfiles.adapters import resolve_adapter

    spec, adapter_spec = base, "none"
    if base == GENERATOR_ID:
        options = settings.options_for(GENERATOR_ID)
        spec = str(options.get("model", "smollm2"))
        adapter_spec = str(options.get("adapter", "auto"))
    elif store is not None and ":" not in base and not Path(base).exists():
        from contentgen.storage.feedback import FeedbackStore

        try:
            options = FeedbackStore(store).get_version(base).options
            spec, adapter_spec = str(options["model"]), str(options.get("adapter", "none"))
        except UnknownNameError:
            pass
    resolved = resolve_text_model(spec, cache_dir=settings.cache_dir)
    adapter = resolve_adapter(adapter_spec, resolved)
    return BaseModel(resolved.path, resolved.model_id, resolved.revision, spec, adapter)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSONL file; a clear error names the first bad line."""
    import json

    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ValidationError(f"{path}:{number}", f"not a JSON line: {exc}") from exc
            if not isinstance(row, dict):
                raise ValidationError(f"{path}:{number}", "each line must be a JSON object")
            rows.append(row)
    return rows


def training_rows(
    method: str,
    store: Store | None = None,
    templates: TemplateLibrary | None = None,
    data: Path | None = None,
) -> list[dict[str, Any]]:
    """Rows for `method`: from a JSONL file when given, else built from the stored ratings."""
    if data is not None:
        return read_jsonl(data)
    if store is None or templates is None:
        raise ValidationError(
            "data", "give a JSONL file or a database to build the training data from"
        )
    from contentgen.feedback.preferences import build_dataset

    return list(build_dataset(store, templates, method).rows)


def sample_rows(rows: Sequence[Any], limit: int | None, seed: int) -> list[Any]:
    """At most `limit` rows, a seeded random subset in file order (all rows when None)."""
    if limit is None or limit >= len(rows):
        return list(rows)
    picked = sorted(random.Random(seed).sample(range(len(rows)), limit))
    return [rows[i] for i in picked]


@dataclass(frozen=True)
class _Inputs:
    """A run's rows, read and checked before any model loads."""

    rows: list[dict[str, Any]]
    all_rows: list[dict[str, Any]]
    eval_rows: list[dict[str, Any]]


def _read_inputs(
    method: str,
    cfg: TuneConfig,
    store: Store | None,
    templates: TemplateLibrary | None,
    data: Path | None,
    eval_data: Path | None,
) -> _Inputs:
    """The training rows (a seeded subset when asked) and held-out rows, each checked."""
    all_rows = training_rows(method, store, templates, data)
    if not all_rows:
        hint = (
            "edited finals (contentgen rate ID --edit ...)"
            if method == "sft"
            else "pairwise preferences, score gaps within a request or edits"
        )
        raise TrainingError(f"no {method} training rows: collect {hint} first")
    rows = sample_rows(all_rows, cfg.max_examples, cfg.seed)
    eval_rows = read_jsonl(eval_data) if eval_data is not None else []
    eval_rows = sample_rows(eval_rows, cfg.eval_max_examples, cfg.seed)
    if method == "sft":
        from contentgen.training.sft_data import check_rows

        check_rows(rows)
        check_rows(eval_rows)
    return _Inputs(rows, all_rows, eval_rows)


def _check_layout(
    layout: str, method: str, resolved: BaseModel, base: str, cfg: TuneConfig
) -> None:
    """An adapter alone is a delta from a plain model: SFT goes on training the base's adapter
    (at that adapter's rank); DPO, which trains a new adapter, needs a plain base."""
    if layout != "adapter" or resolved.adapter is None:
        return
    if method != "sft":
        raise ValidationError(
            "layout",
            f"an adapter alone must start from a plain model, and {base!r} carries adapter "
            f"{resolved.adapter.name!r}: pass the model itself (e.g. --base smollm2) or "
            "write the merged checkpoint",
        )
    rank = adapter_rank(resolved.adapter.path)
    if rank != cfg.lora_r:
        raise ValidationError(
            "lora_r",
            f"{base!r} carries adapter {resolved.adapter.name!r} of rank {rank}, which this run "
            f"goes on training: pass --lora-r {rank} (asked {cfg.lora_r})",
        )


def adapter_rank(folder: Path) -> int | None:
    """The LoRA rank an adapter folder's adapter_config.json records."""
    import json

    from contentgen.modelfiles.adapters import CONFIG_FILE

    try:
        rank = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8")).get("r")
    except (OSError, ValueError):
        return None
    return rank if isinstance(rank, int) else None


def tune(
    *,
    method: str,
    base: str,
    out: Path,
    settings: Settings,
    store: Store | None = None,
    templates: TemplateLibrary | None = None,
    data: Path | None = None,
    eval_data: Path | None = None,
    name: str | None = None,
    config: TuneConfig | None = None,
    layout: Layout = "merged",
    command: str | None = None,
    on_step: StepCallback | None = None,
) -> TuneResult:
    """Fine-tune `base` with LoRA on `method` data (a JSONL file or the ratings); save, card and
    register it. Every input is checked before a model loads."""
    if method not in METHODS:
        raise ValidationError("method", f"unknown tuning method {method!r}", METHODS)
    if layout not in LAYOUTS:
        raise ValidationError("layout", f"unknown output layout {layout!r}", LAYOUTS)
    cfg = config or TuneConfig()
    inputs = _read_inputs(method, cfg, store, templates, data, eval_data)
    created = datetime.now(UTC)
    resolved = resolve_base(base, settings, store)
    _check_layout(layout, method, resolved, base, cfg)
    name = _version_name(name, resolved, method, created, store)
    log.info("tuning %s with %s on %d rows", resolved.model_id, method, len(inputs.rows))
    result = train_lora(
        inputs.rows,
        resolved,
        out,
        method,
        cfg,
        device=settings.device,
        threads=settings.torch_threads,
        eval_rows=inputs.eval_rows,
        layout=layout,
        on_step=on_step,
    )
    card = _card(name, method, created, resolved, inputs, data, eval_data, store, templates, cfg)
    card.update(result, layout=layout, command=command)
    card["data"]["trained_copy"] = TRAINED_COPY
    earlier = [resolved.path, *([resolved.adapter.path] if resolved.adapter else [])]
    write_trained_copy(out, inputs.rows, earlier)
    _write_card(out, card)
    options: dict[str, Any] = (
        {"model": resolved.spec, "adapter": str(out.resolve())}
        if layout == "adapter"
        else {"model": str(out.resolve())}
    )
    if store is not None:
        _register(store, name, options, resolved, method, card)
    return TuneResult(name, out, GENERATOR_ID, options, card)


def _write_card(out: Path, card: Mapping[str, Any]) -> None:
    """The card as JSON (for tools) and as the folder's README (for people)."""
    import json

    (out / CARD_JSON).write_text(json.dumps(card, indent=2), encoding="utf-8")
    (out / "README.md").write_text(card_markdown(card), encoding="utf-8")


def _register(
    store: Store,
    name: str,
    options: Mapping[str, Any],
    base: BaseModel,
    method: str,
    card: Mapping[str, Any],
) -> None:
    """Record the run as a named generator version that settings can select."""
    from contentgen.storage.feedback import FeedbackStore, GeneratorVersion

    FeedbackStore(store).register_version(
        GeneratorVersion(
            name=name,
            generator_id=GENERATOR_ID,
            options=dict(options),
            base_model=base.model_id,
            method=method,
            card=dict(card),
        )
    )


def _version_name(
    name: str | None, base: BaseModel, method: str, created: datetime, store: Store | None
) -> str:
    from contentgen.modelfiles.resolve import slug

    name = name or f"{slug(Path(base.model_id).name)}-{method}-{created:%Y%m%d%H%M%S}"
    if store is not None:
        from contentgen.storage.feedback import FeedbackStore

        try:
            FeedbackStore(store).get_version(name)
        except UnknownNameError:
            return name
        raise ValidationError(
            "name", f"generator version {name!r} already exists; pick another name"
        )
    return name


def _card(
    name: str,
    method: str,
    created: datetime,
    base: BaseModel,
    inputs: _Inputs,
    data: Path | None,
    eval_data: Path | None,
    store: Store | None,
    templates: TemplateLibrary | None,
    cfg: TuneConfig,
) -> dict[str, Any]:
    sources: dict[str, int] = {}
    if data is None and store is not None and templates is not None:
        from contentgen.feedback.preferences import build_dataset

        sources = dict(build_dataset(store, templates, method).sources)
    files = [p for p in (data, eval_data) if p is not None]
    rows, all_rows = inputs.rows, inputs.all_rows
    return {
        "name": name,
        "method": method,
        "created_at": created.isoformat(timespec="seconds"),
        "base_model": {
            "model_id": base.model_id,
            "revision": base.revision,
            "spec": base.spec,
            "adapter": base.adapter.label if base.adapter else None,
        },
        "data": {
            "rows": len(rows),
            "rows_available": len(all_rows),
            "sources": sources,
            "file": str(data) if data else None,
            "eval_file": str(eval_data) if eval_data else None,
            "files": [p.name for p in files],
            "sha256": data_sha256(files, all_rows),
        },
        "hyperparameters": asdict(cfg),
        "versions": package_versions(),
    }


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
