"""Pickle-free persistence: atomic file writes and nested state dicts as safetensors + JSON."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import TrainingError

if TYPE_CHECKING:
    import torch

_TENSOR = "__tensor__"
_TUPLE = "__tuple__"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600 files; checkpoints are shipped and shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, value: Any) -> None:
    """Write `value` as indented JSON, atomically."""
    atomic_write_bytes(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode())


def read_json(path: Path) -> Any:
    """Read a JSON file, naming the file when it is missing or malformed."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise TrainingError(f"{path} is missing") from None
    except json.JSONDecodeError as exc:
        raise TrainingError(f"{path} is not valid JSON: {exc}") from None


def save_tensors(
    path: Path, tensors: Mapping[str, torch.Tensor], meta: dict[str, str] | None = None
) -> None:
    """Write tensors as a safetensors file, atomically."""
    from safetensors.torch import save

    data = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    atomic_write_bytes(path, save(data, metadata=meta or {"format": "pt"}))


def load_tensors(path: Path, device: str = "cpu") -> dict[str, torch.Tensor]:
    """Read a safetensors file (no pickle involved)."""
    from safetensors.torch import load_file

    if not path.is_file():
        raise TrainingError(f"{path} is missing")
    return load_file(str(path), device=device)


def flatten_state(state: Any, tensors: dict[str, torch.Tensor], prefix: str = "s") -> Any:
    """Replace every tensor in a nested state dict by a reference; collect the tensors."""
    import torch

    if isinstance(state, torch.Tensor):
        tensors[prefix] = state
        return {_TENSOR: prefix}
    if isinstance(state, Mapping):
        # JSON keys must be strings: optimizer state is keyed by int parameter ids.
        return {
            "__map__": [
                [k, flatten_state(v, tensors, f"{prefix}.{i}")]
                for i, (k, v) in enumerate(state.items())
            ]
        }
    if isinstance(state, tuple):
        return {_TUPLE: [flatten_state(v, tensors, f"{prefix}.{i}") for i, v in enumerate(state)]}
    if isinstance(state, list):
        return [flatten_state(v, tensors, f"{prefix}.{i}") for i, v in enumerate(state)]
    if state is None or isinstance(state, bool | int | float | str):
        return state
    raise TrainingError(f"cannot persist a {type(state).__name__} in training state at {prefix}")


def unflatten_state(skeleton: Any, tensors: Mapping[str, torch.Tensor]) -> Any:
    """Inverse of `flatten_state`."""
    if isinstance(skeleton, dict):
        if _TENSOR in skeleton:
            return tensors[skeleton[_TENSOR]]
        if _TUPLE in skeleton:
            return tuple(unflatten_state(v, tensors) for v in skeleton[_TUPLE])
        return {k: unflatten_state(v, tensors) for k, v in skeleton["__map__"]}
    if isinstance(skeleton, list):
        return [unflatten_state(v, tensors) for v in skeleton]
    return skeleton
