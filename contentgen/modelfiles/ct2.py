"""CTranslate2 model directories converted from resolved transformers checkpoints, cached once."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from contentgen.errors import GeneratorError, ValidationError
from contentgen.modelfiles.atomic import build_atomically, is_complete
from contentgen.modelfiles.resolve import ResolvedModel, cache_root, quiet_progress_bars

log = logging.getLogger(__name__)

QUANTIZATIONS: tuple[str, ...] = (
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float32",
    "float16",
    "bfloat16",
)


def ct2_dir(
    resolved: ResolvedModel, quantization: str, cache_dir: str | os.PathLike[str] | None
) -> Path:
    """Where the converted model for `resolved` at `quantization` lives."""
    check_quantization(quantization)
    return cache_root(cache_dir) / "ct2" / f"{resolved.name}-{quantization}"


def check_quantization(quantization: str) -> None:
    """Raise a ValidationError naming the valid quantizations when `quantization` is unknown."""
    if quantization not in QUANTIZATIONS:
        raise ValidationError("quantization", f"unknown value {quantization!r}", QUANTIZATIONS)


def ct2_stamp(resolved: ResolvedModel) -> str:
    """Identifies the checkpoint a converted model came from, so a changed source is reconverted."""
    return f"{resolved.model_id} {resolved.revision}"


def is_converted(resolved: ResolvedModel, quantization: str, cache_dir: str | None) -> bool:
    """True when the converted model is already in the cache."""
    return is_complete(ct2_dir(resolved, quantization, cache_dir), ct2_stamp(resolved))


def ensure_ct2_model(
    resolved: ResolvedModel,
    quantization: str = "int8",
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """The CTranslate2 directory for `resolved`, converting it (atomically, once) when missing."""
    target = ct2_dir(resolved, quantization, cache_dir)

    def convert(tmp: Path) -> None:
        from ctranslate2.converters import TransformersConverter

        started = time.perf_counter()
        log.warning(
            "converting %s to CTranslate2 (%s) in %s; this happens once",
            resolved.model_id,
            quantization,
            target,
        )
        try:
            with quiet_progress_bars():
                TransformersConverter(str(resolved.path)).convert(
                    str(tmp), quantization=quantization, force=True
                )
        except Exception as exc:
            raise GeneratorError(
                f"CTranslate2 cannot convert {resolved.model_id} ({type(exc).__name__}: {exc}); "
                "use the builtin:transformers generator for this model"
            ) from exc
        log.info("converted %s in %.1f s", resolved.model_id, time.perf_counter() - started)

    return build_atomically(target, convert, stamp=ct2_stamp(resolved))
