"""What the model cache holds: converted checkpoints, CTranslate2 models and requantized GGUFs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from contentgen.modelfiles.atomic import COMPLETE_MARKER
from contentgen.modelfiles.resolve import cache_root

KINDS: tuple[str, ...] = ("models", "ct2", "gguf")


@dataclass(frozen=True)
class CachedModel:
    """One directory in the model cache."""

    kind: str
    name: str
    path: Path
    size_bytes: int
    complete: bool


def list_cached_models(cache_dir: str | os.PathLike[str] | None = None) -> list[CachedModel]:
    """Every cached model directory, sorted by kind then name; running builds are skipped."""
    root = cache_root(cache_dir)
    found: list[CachedModel] = []
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for item in sorted(folder.iterdir()):
            if item.name.startswith(".") or not item.is_dir():
                continue
            size = sum(f.stat().st_size for f in item.rglob("*") if f.is_file())
            found.append(
                CachedModel(kind, item.name, item, size, (item / COMPLETE_MARKER).is_file())
            )
    return found
