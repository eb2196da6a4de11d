"""save_pretrained/from_pretrained for contentgen's networks: config.json + model.safetensors."""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from contentgen.errors import ModelNotAvailableError, ValidationError
from contentgen.training.persist import (
    atomic_write_bytes,
    atomic_write_json,
    load_tensors,
    save_tensors,
)

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
CARD_NAME = "model_card.json"
README_NAME = "README.md"

# model_type -> "module:Class"; imported only when such a checkpoint is loaded.
MODEL_TYPES: Mapping[str, str] = {
    "conditional-vae": "contentgen.training.vae:ConditionalVAE",
    "conditional-dcgan": "contentgen.training.gan:ConditionalDCGAN",
    "image-classifier": "contentgen.training.classifier:ImageClassifier",
}

M = TypeVar("M", bound="PretrainedMixin")


class PretrainedMixin:
    """Keeps the constructor kwargs as `config` and persists them beside the weights (no pickle)."""

    model_type: ClassVar[str]
    config: dict[str, Any]

    def _remember_config(self, **config: Any) -> None:
        self.config = {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}

    def save_pretrained(self, directory: str | Path, card: Mapping[str, Any] | None = None) -> Path:
        """Write config.json, model.safetensors and, given a card, model_card.json + README.md."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        weights = self.state_dict()  # type: ignore[attr-defined]
        save_tensors(out / WEIGHTS_NAME, weights, {"format": "pt", "model_type": self.model_type})
        atomic_write_json(out / CONFIG_NAME, {"model_type": self.model_type, **self.config})
        if card is not None:
            atomic_write_json(out / CARD_NAME, dict(card))
            atomic_write_bytes(out / README_NAME, render_card(self.model_type, card).encode())
        return out

    @classmethod
    def from_pretrained(cls: type[M], directory: str | Path, device: str = "cpu") -> M:
        """Rebuild the model from its config and load its weights (eval mode)."""
        path = Path(directory)
        config = read_config(path)
        found = config.pop("model_type")
        if found != cls.model_type:
            raise ValidationError(
                "model", f"{path} holds a {found!r}, not a {cls.model_type!r}", MODEL_TYPES
            )
        accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
        unknown = sorted(set(config) - accepted)
        if unknown:
            raise ValidationError(
                "config.json", f"{path} has unknown settings {unknown}", sorted(accepted)
            )
        model = cls(**config)
        model.load_state_dict(load_tensors(path / WEIGHTS_NAME, device), strict=True)  # type: ignore[attr-defined]
        return model.to(device).eval()  # type: ignore[attr-defined,no-any-return]


def read_config(path: Path) -> dict[str, Any]:
    """A checkpoint folder's config.json, with a clear error when the folder is not a checkpoint."""
    config_file = path / CONFIG_NAME
    if not config_file.is_file() or not (path / WEIGHTS_NAME).is_file():
        raise ModelNotAvailableError(
            f"{path} is not a contentgen checkpoint (needs {CONFIG_NAME} and {WEIGHTS_NAME}); "
            "train one with `contentgen train` or use a shipped one"
        )
    config = json.loads(config_file.read_text())
    if config.get("model_type") not in MODEL_TYPES:
        raise ValidationError(
            "model_type", f"{config.get('model_type')!r} in {config_file}", MODEL_TYPES
        )
    return dict(config)


def model_class(model_type: str) -> type[Any]:
    """The class that implements `model_type`."""
    if model_type not in MODEL_TYPES:
        raise ValidationError("model_type", f"unknown model type {model_type!r}", MODEL_TYPES)
    module, attr = MODEL_TYPES[model_type].split(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def load_pretrained(directory: str | Path, device: str = "cpu") -> Any:
    """Load any contentgen checkpoint folder, whatever its model type."""
    path = Path(directory)
    return model_class(read_config(path)["model_type"]).from_pretrained(path, device)


def read_card(directory: str | Path) -> dict[str, Any]:
    """A checkpoint's model card (empty when it has none)."""
    card = Path(directory) / CARD_NAME
    return dict(json.loads(card.read_text())) if card.is_file() else {}


def _lines(value: Any, indent: str = "") -> list[str]:
    if isinstance(value, Mapping):
        out = []
        for key, item in value.items():
            if isinstance(item, Mapping):
                out += [f"{indent}- **{key}**:", *_lines(item, indent + "  ")]
            else:
                out.append(f"{indent}- **{key}**: {item}")
        return out
    if isinstance(value, list | tuple):
        return [f"{indent}- {item}" for item in value]
    return [f"{indent}- {value}"]


def render_card(model_type: str, card: Mapping[str, Any]) -> str:
    """The model card as Markdown (README.md beside the weights)."""
    parts = [f"# {card.get('name', model_type)}", "", str(card.get("description", "")), ""]
    if "command" in card.get("training", {}):
        parts += ["Trained with:", "", "```", card["training"]["command"], "```", ""]
    for section in ("metrics", "training", "data", "notes"):
        if section in card:
            parts += [f"## {section.capitalize()}", "", *_lines(card[section]), ""]
    return "\n".join(parts)


def shipped_checkpoint(name: str) -> Path:
    """The checkpoint folder contentgen ships for `name` ("vae", "gan" or "classifier")."""
    return Path(__file__).resolve().parent.parent / "_checkpoints" / name
