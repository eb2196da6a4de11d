"""save_pretrained/from_pretrained for contentgen's networks through huggingface_hub's mixin.

`PyTorchModelHubMixin` records the constructor arguments and rebuilds the network from them;
the folder holds config.json (those arguments plus `model_type`) and model.safetensors (never a
pickle). Loading reads local folders only: a path that is not a checkpoint folder is a clear
error, never a hub download. Files are written atomically, so a folder being saved over (a
shipped checkpoint retrained in place) is never seen half-written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

from huggingface_hub import ModelCard, PyTorchModelHubMixin

from contentgen.errors import ValidationError
from contentgen.training.persist import atomic_write_bytes, atomic_write_json, save_tensors
from contentgen.training.pretrained import (
    CARD_NAME,
    CONFIG_NAME,
    MODEL_TYPES,
    README_NAME,
    WEIGHTS_NAME,
    read_config,
    render_card,
)


class PretrainedMixin(PyTorchModelHubMixin, library_name="contentgen"):
    """A network whose constructor arguments are its config, saved beside its weights."""

    model_type: ClassVar[str]

    @property
    def config(self) -> dict[str, Any]:
        """The constructor arguments, as config.json holds them (without `model_type`)."""
        saved = self._hub_mixin_config if isinstance(self._hub_mixin_config, dict) else {}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in saved.items()}

    def _resolved(self, **values: Any) -> None:
        """Record arguments the constructor filled in (e.g. default class names) as given."""
        self._hub_mixin_config = {**self.config, **values}

    def save_pretrained(  # type: ignore[override]
        self, directory: str | Path, card: Mapping[str, Any] | None = None
    ) -> Path:
        """Write config.json, model.safetensors and, given a card, model_card.json + README.md."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        if card is not None:
            atomic_write_json(out / CARD_NAME, dict(card))
            atomic_write_bytes(out / README_NAME, render_card(self.model_type, card).encode())
        super().save_pretrained(out)
        return out

    def _save_pretrained(self, save_directory: Path) -> None:
        weights = self.state_dict()  # type: ignore[attr-defined]
        meta = {"format": "pt", "model_type": self.model_type}
        save_tensors(save_directory / WEIGHTS_NAME, weights, meta)
        atomic_write_json(
            save_directory / CONFIG_NAME, {"model_type": self.model_type, **self.config}
        )

    def generate_model_card(self, *args: Any, **kwargs: Any) -> ModelCard:
        """The README of a folder saved without a card: what it is and how to load it."""
        metadata = self._hub_mixin_info.model_card_data.to_yaml()
        return ModelCard(
            f"---\n{metadata}\n---\n\n# {self.model_type}\n\nA contentgen network: load it "
            "with `contentgen.training.pretrained.load_pretrained(<this folder>)`.\n"
        )

    @classmethod
    def from_pretrained(  # type: ignore[override]
        cls, directory: str | Path, device: str = "cpu"
    ) -> Self:
        """Rebuild the network from a local checkpoint folder and load its weights (eval mode)."""
        path = Path(directory)
        config = read_config(path)  # checked here, so nothing reaches the hub
        found = config.pop("model_type")
        if found != cls.model_type:
            raise ValidationError(
                "model", f"{path} holds a {found!r}, not a {cls.model_type!r}", MODEL_TYPES
            )
        accepted = set(cls._hub_mixin_init_parameters) - {"self"}
        unknown = sorted(set(config) - accepted)
        if unknown:
            raise ValidationError(
                "config.json", f"{path} has unknown settings {unknown}", sorted(accepted)
            )
        return super().from_pretrained(path, local_files_only=True, map_location=device)

    @classmethod
    def _from_pretrained(
        cls,
        *,
        model_id: str,
        revision: str | None,
        cache_dir: str | Path | None,
        force_download: bool,
        local_files_only: bool,
        token: str | bool | None,
        map_location: str = "cpu",
        strict: bool = True,
        **model_kwargs: Any,
    ) -> Self:
        model = cls(**model_kwargs)
        weights = str(Path(model_id) / WEIGHTS_NAME)
        loaded = cls._load_as_safetensor(model, weights, map_location, strict)
        return loaded.to(map_location)  # type: ignore[attr-defined,no-any-return]
