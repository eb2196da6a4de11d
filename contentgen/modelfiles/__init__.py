"""Local model resolution and caches: aliases, checkpoint directories, GGUF files, hub ids."""

from __future__ import annotations

from contentgen.modelfiles.cache import CachedModel, list_cached_models
from contentgen.modelfiles.resolve import (
    ALIASES,
    ResolvedModel,
    cache_root,
    default_cache_dir,
    resolve_text_model,
)

__all__ = [
    "ALIASES",
    "CachedModel",
    "ResolvedModel",
    "cache_root",
    "default_cache_dir",
    "list_cached_models",
    "resolve_text_model",
]
