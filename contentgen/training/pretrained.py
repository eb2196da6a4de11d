"""contentgen's checkpoint folders: config.json + model.safetensors (+ a model card), no torch.

Reading a folder's config, finding the class of its model type, the shipped checkpoints and the
model card live here; saving and loading the networks is `contentgen.training.hub`'s mixin.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contentgen.errors import ModelNotAvailableError, ValidationError

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
