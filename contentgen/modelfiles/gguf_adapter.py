"""A LoRA adapter as weight deltas in a GGUF file's layout, for backends that read GGUF files.

OpenVINO decodes the default model from its GGUF file, so the copywriter adapter reaches it as
merged weights: each adapted projection's delta `scale * B @ A` (transformers layout) is renamed
to its GGUF tensor by gguf's own name map and, for the query and key projections, has its rows
put in llama.cpp's rotary order (the permutation llama.cpp's converter applies to them).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from contentgen.errors import GeneratorError
from contentgen.modelfiles.adapters import CONFIG_FILE, WEIGHTS_FILE, ResolvedAdapter

if TYPE_CHECKING:
    import numpy as np

SUPPORTED_ARCHITECTURES = ("llama",)
_LORA_A = ".lora_A.weight"


def rotary_rows(weights: np.ndarray, heads: int) -> np.ndarray:
    """Rows of a query/key projection in llama.cpp's order (its converter's `permute`)."""
    rows = weights.shape[0]
    return (
        weights.reshape(heads, 2, rows // heads // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


def _scale(config: dict[str, Any], adapter: ResolvedAdapter) -> float:
    unsupported = [k for k in ("use_dora", "rank_pattern", "alpha_pattern") if config.get(k)]
    if unsupported or config.get("fan_in_fan_out"):
        raise GeneratorError(
            f"adapter {adapter.name!r} uses {', '.join(unsupported) or 'fan_in_fan_out'}, "
            "which a GGUF backend cannot merge; use builtin:transformers for it"
        )
    rank, alpha = int(config["r"]), float(config["lora_alpha"])
    return alpha / math.sqrt(rank) if config.get("use_rslora") else alpha / rank


def lora_deltas(adapter: ResolvedAdapter, reader: Any) -> dict[str, np.ndarray]:
    """GGUF tensor name -> the float32 delta the adapter adds to it, for the model in `reader`."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    arch = str(reader.fields["general.architecture"].contents())
    if arch not in SUPPORTED_ARCHITECTURES:
        raise GeneratorError(f"cannot merge a LoRA adapter into a {arch!r} GGUF model")
    blocks = int(reader.fields[f"{arch}.block_count"].contents())
    heads = int(reader.fields[f"{arch}.attention.head_count"].contents())
    kv_heads = int(reader.fields[f"{arch}.attention.head_count_kv"].contents())
    names = gguf.TensorNameMap(gguf.MODEL_ARCH.LLAMA, blocks)
    config = json.loads((adapter.path / CONFIG_FILE).read_text(encoding="utf-8"))
    scale = _scale(config, adapter)
    weights = load_file(str(adapter.path / WEIGHTS_FILE))
    deltas: dict[str, np.ndarray] = {}
    for key, lora_a in weights.items():
        if not key.endswith(_LORA_A):
            continue
        module = key[: -len(_LORA_A)].removeprefix("base_model.model.")
        lora_b = weights[key[: -len(_LORA_A)] + ".lora_B.weight"]
        delta = scale * (lora_b.astype(np.float32) @ lora_a.astype(np.float32))
        target = names.get_name(f"{module}.weight", try_suffixes=(".weight",))
        if target is None:
            raise GeneratorError(f"adapter {adapter.name!r} adapts {module}, not in the GGUF model")
        if target.endswith(".attn_q.weight"):
            delta = rotary_rows(delta, heads)
        elif target.endswith(".attn_k.weight"):
            delta = rotary_rows(delta, kv_heads)
        deltas[target] = delta
    return deltas
