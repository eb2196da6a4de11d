"""A GGUF model rewritten with Q8_0 weights (metadata and tokenizer kept), cached once.

OpenVINO GenAI reads GGUF files directly, but its reading of the default model's Q4_1 weights
gives a different model (greedy text diverges from transformers and llama.cpp on the first
token), while the same weights stored as Q8_0 decode like transformers' fp32 copy. Q8_0 keeps
int8 compute; the file is 47% larger than the Q4_1 one (145 vs 98 MB for SmolLM2-135M).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import GeneratorError
from contentgen.modelfiles.atomic import build_atomically
from contentgen.modelfiles.resolve import ResolvedModel, cache_root, file_stamp, slug

if TYPE_CHECKING:
    from contentgen.modelfiles.adapters import ResolvedAdapter

log = logging.getLogger(__name__)

Q8_FILE = "model.gguf"
_FILE_TYPE_Q8_0 = 7  # llama.cpp's LLAMA_FTYPE_MOSTLY_Q8_0


def q8_dir(
    resolved: ResolvedModel,
    cache_dir: str | os.PathLike[str] | None,
    adapter: ResolvedAdapter | None = None,
) -> Path:
    """Where the Q8_0 copy of `resolved`'s GGUF file (with `adapter` merged) lives."""
    merged = f"+{slug(adapter.name)}-{adapter.sha256[:12]}" if adapter else ""
    return cache_root(cache_dir) / "gguf" / f"{resolved.name}{merged}-q8_0"


def ensure_q8_gguf(
    resolved: ResolvedModel,
    cache_dir: str | os.PathLike[str] | None = None,
    adapter: ResolvedAdapter | None = None,
) -> Path:
    """The Q8_0 copy of `resolved.gguf`, `adapter` merged in (written atomically, once)."""
    source = resolved.gguf
    if source is None:
        raise GeneratorError(f"{resolved.model_id} was not loaded from a GGUF file")
    target = q8_dir(resolved, cache_dir, adapter)

    def write(tmp: Path) -> None:
        started = time.perf_counter()
        log.warning("rewriting %s with Q8_0 weights in %s; this happens once", source.name, target)
        try:
            requantize_q8(source, tmp / Q8_FILE, adapter)
        except (ValueError, KeyError, NotImplementedError) as exc:
            raise GeneratorError(
                f"cannot rewrite {source} as Q8_0 ({type(exc).__name__}: {exc})"
            ) from exc
        log.info("rewrote %s in %.1f s", source.name, time.perf_counter() - started)

    stamp = file_stamp(source) + (f" + adapter {adapter.sha256}" if adapter else "")
    return build_atomically(target, write, stamp=stamp) / Q8_FILE


def requantize_q8(source: Path, out: Path, adapter: ResolvedAdapter | None = None) -> None:
    """Copy every metadata field of `source` and store its matrices as Q8_0 (vectors stay F32),
    with `adapter`'s deltas added to the matrices it adapts."""
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(source)
    deltas: dict[str, Any] = {}
    if adapter is not None:
        from contentgen.modelfiles.gguf_adapter import lora_deltas

        deltas = lora_deltas(adapter, reader)
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(out, arch=arch)
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue  # the writer sets these itself
        value: Any = _FILE_TYPE_Q8_0 if key == "general.file_type" else field.contents()
        kind = field.types[0]
        sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, value, kind, sub_type=sub)
    q8 = gguf.GGMLQuantizationType.Q8_0
    for tensor in reader.tensors:
        if tensor.tensor_type == gguf.GGMLQuantizationType.F32 and len(tensor.shape) == 1:
            writer.add_tensor(tensor.name, np.asarray(tensor.data))
            continue
        weights = gguf.quants.dequantize(tensor.data, tensor.tensor_type)
        if tensor.name in deltas:
            weights = weights + deltas.pop(tensor.name)
        writer.add_tensor(tensor.name, gguf.quants.quantize(weights, q8), raw_dtype=q8)
    if deltas:
        raise ValueError(f"adapter tensors missing from {source.name}: {sorted(deltas)[:3]}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
