"""LoRA adapters for the text models: the shipped copywriter, adapter folders, merging with peft.

An adapter is a folder with `adapter_config.json` and `adapter_model.safetensors` (what
`peft.PeftModel.save_pretrained` and `contentgen tune --adapter-only` write). It is merged into
the base weights at load time, so decoding runs plain Linear layers (the lean Llama decoder
included) at the base model's speed. Provenance names it by name and content hash.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from contentgen.errors import GeneratorError, ModelNotAvailableError
from contentgen.types import Prompt

if TYPE_CHECKING:
    from contentgen.modelfiles.resolve import ResolvedModel

CONFIG_FILE = "adapter_config.json"
CARD_FILE = "contentgen_tune.json"  # written by contentgen tune (feedback.tune_card.CARD_JSON)
WEIGHTS_FILE = "adapter_model.safetensors"
# Adapters shipped inside the wheel: name -> folder under contentgen/_checkpoints.
SHIPPED: dict[str, str] = {"copywriter": "copywriter-lora"}
KEYWORDS: tuple[str, ...] = ("auto", "none", *SHIPPED)
ADAPTER_TEXT = (
    "'auto' (the shipped copywriter on the default model, none on others), "
    f"{', '.join(repr(k) for k in SHIPPED)}, 'none' (the base model), or an adapter folder"
)


def _text(value: object) -> object:
    return os.fspath(value) if isinstance(value, os.PathLike) else value


def check_adapter_spec(value: str) -> str:
    """The adapter option's value if it is a keyword or an adapter folder (ValueError if not)."""
    if value in KEYWORDS:
        return value
    if not value.strip() or not (Path(value).expanduser() / CONFIG_FILE).is_file():
        raise ValueError(
            f"no adapter folder (with {CONFIG_FILE}) at {value!r}; give {ADAPTER_TEXT}"
        )
    return value


# The `adapter` option of the generators that can merge one (a field type for their Options).
AdapterSpec = Annotated[str, BeforeValidator(_text), AfterValidator(check_adapter_spec)]
ADAPTER_DESCRIPTION = f"LoRA adapter merged into the weights at load: {ADAPTER_TEXT}"


@dataclass(frozen=True)
class ResolvedAdapter:
    """An adapter folder on disk and what provenance records about it."""

    name: str
    path: Path
    sha256: str
    base_model: str | None  # the model it was trained on, from adapter_config.json
    # False when no training prompt had few-shot turns (contentgen_tune.json says so): the
    # generator then leaves the template's examples out, as in training (and prompts get shorter).
    prompt_examples: bool = True

    @property
    def label(self) -> str:
        """'<name>@<first 12 hex digits of its hash>', short enough for a model revision."""
        return f"{self.name[:60]}@{self.sha256[:12]}"

    def provenance(self) -> dict[str, str]:
        """The adapter's entries for `ModelInfo.extra`."""
        return {"adapter": self.name, "adapter_sha256": self.sha256, "adapter_path": str(self.path)}


def shipped_dir(name: str) -> Path:
    """Where the shipped adapter `name` lives inside the installed package."""
    return Path(__file__).resolve().parent.parent / "_checkpoints" / SHIPPED[name]


def adapter_sha256(path: Path) -> str:
    """A content hash of the adapter's config and weights."""
    digest = hashlib.sha256()
    for name in (CONFIG_FILE, WEIGHTS_FILE):
        file = path / name
        if file.is_file():
            digest.update(name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def load_adapter_dir(path: Path, name: str | None = None) -> ResolvedAdapter:
    """Describe the adapter in `path`; a clear error when it is not one."""
    config_file = path / CONFIG_FILE
    if not config_file.is_file() or not (path / WEIGHTS_FILE).is_file():
        raise ModelNotAvailableError(
            f"{path} is not a LoRA adapter folder (it needs {CONFIG_FILE} and {WEIGHTS_FILE})"
        )
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelNotAvailableError(f"cannot read {config_file}: {exc}") from exc
    base = config.get("base_model_name_or_path")
    return ResolvedAdapter(
        name=name or path.name,
        path=path.resolve(),
        sha256=adapter_sha256(path),
        base_model=str(base) if base else None,
        prompt_examples=_trained_with_examples(path),
    )


def _trained_with_examples(path: Path) -> bool:
    """What the tuning card says; True (keep the examples) when there is no card to say."""
    card_file = path / CARD_FILE
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    training = card.get("training") if isinstance(card, dict) else None
    value = training.get("prompt_examples", True) if isinstance(training, dict) else True
    return bool(value)


def prompts_for_adapter(
    adapter: ResolvedAdapter | None, prompts: Sequence[Prompt]
) -> Sequence[Prompt]:
    """`prompts` as the adapter was trained on them: without few-shot turns if it had none."""
    if adapter is None or adapter.prompt_examples:
        return prompts
    return [replace(p, examples=()) if p.examples else p for p in prompts]


def resolve_adapter(spec: str, model: ResolvedModel) -> ResolvedAdapter | None:
    """The adapter `spec` names for `model`, or None for the base model.

    'auto' is the shipped copywriter when `model` is the one it was trained on, otherwise none.
    """
    if spec == "none":
        return None
    if spec == "auto":
        for name in SHIPPED:
            folder = shipped_dir(name)
            if (folder / CONFIG_FILE).is_file():
                adapter = load_adapter_dir(folder, name)
                if adapter.base_model == model.model_id:
                    return adapter
        return None
    if spec in SHIPPED:
        folder = shipped_dir(spec)
        if not (folder / CONFIG_FILE).is_file():
            raise ModelNotAvailableError(
                f"the shipped {spec!r} adapter is missing from this install ({folder}); "
                "reinstall contentgen or set adapter = 'none'"
            )
        return load_adapter_dir(folder, spec)
    return load_adapter_dir(Path(spec).expanduser())


def merge_adapter(model: Any, adapter: ResolvedAdapter) -> Any:
    """`model` with `adapter` merged into its weights (plain layers again, no peft wrappers)."""
    import warnings

    from peft import PeftModel

    try:
        with warnings.catch_warnings():
            # peft calls transformers' renamed gradient-checkpointing API: nothing to act on.
            warnings.filterwarnings("ignore", message=".*checkpointing.*", category=FutureWarning)
            # peft upcasts fp16/bf16 adapter weights to the model's dtype before merging.
            return PeftModel.from_pretrained(model, str(adapter.path)).merge_and_unload()
    except (RuntimeError, ValueError, KeyError, OSError) as exc:
        raise GeneratorError(
            f"cannot apply adapter {adapter.name!r} ({adapter.path}) to this model "
            f"(trained on {adapter.base_model or 'an unknown model'}): {exc}"
        ) from exc


def merged_checkpoint(
    resolved: ResolvedModel,
    adapter: ResolvedAdapter,
    cache_dir: str | os.PathLike[str] | None = None,
) -> ResolvedModel:
    """`resolved` with `adapter` merged, saved once as a transformers checkpoint in the model
    cache: for backends that convert a checkpoint (builtin:ctranslate2)."""
    from dataclasses import replace as with_fields

    from contentgen.modelfiles.atomic import build_atomically
    from contentgen.modelfiles.resolve import cache_root, quiet_progress_bars, slug

    name = f"{resolved.name}+{slug(adapter.name)}-{adapter.sha256[:12]}"
    target = cache_root(cache_dir) / "models" / name

    def write(tmp: Path) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        with quiet_progress_bars():
            model = AutoModelForCausalLM.from_pretrained(resolved.path, dtype=torch.float32)
            merge_adapter(model, adapter).save_pretrained(tmp)
            AutoTokenizer.from_pretrained(resolved.path).save_pretrained(tmp)

    stamp = f"{resolved.model_id} {resolved.revision} + adapter {adapter.sha256}"
    build_atomically(target, write, stamp=stamp)
    revision = revision_with_adapter(resolved.revision, adapter)
    return with_fields(resolved, path=target, revision=revision, name=name)


def revision_with_adapter(revision: str | None, adapter: ResolvedAdapter | None) -> str | None:
    """The model revision provenance records: the base revision plus the adapter's label."""
    if adapter is None:
        return revision
    return f"{revision or 'unknown'} + adapter {adapter.label}"
