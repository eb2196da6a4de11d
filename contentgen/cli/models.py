"""`contentgen models list|convert`: the local model cache (converted checkpoints, CTranslate2)."""

from __future__ import annotations

from typing import Any

import click


def _settings(ctx: click.Context) -> Any:
    from contentgen.config import load_settings

    root = ctx.find_root().obj or {}
    return load_settings(root.get("config_path"))


@click.group()
def models() -> None:
    """Manage the local model cache."""


@models.command("list")
@click.option(
    "--cache-dir", type=click.Path(file_okay=False), help="Cache folder (default: settings)."
)
@click.pass_context
def list_models(ctx: click.Context, cache_dir: str | None) -> None:
    """Show cached models: converted checkpoints and CTranslate2 models, with sizes."""
    from contentgen.modelfiles import list_cached_models

    root = cache_dir or str(_settings(ctx).cache_dir)
    found = list_cached_models(root)
    if not found:
        click.echo(
            f"no cached models in {root} (they are built on first use or by `models convert`)"
        )
        return
    for item in found:
        state = "" if item.complete else "  (incomplete)"
        click.echo(
            f"{item.kind:7} {item.name:40} {item.size_bytes / 1e6:8.1f} MB  {item.path}{state}"
        )


@models.command()
@click.option(
    "--model", default=None, help="Model spec: smollm2, a checkpoint dir, a .gguf file or a hub id."
)
@click.option("--quantization", default=None, help="CTranslate2 quantization (default int8).")
@click.option(
    "--cache-dir", type=click.Path(file_okay=False), help="Cache folder (default: settings)."
)
@click.pass_context
def convert(
    ctx: click.Context, model: str | None, quantization: str | None, cache_dir: str | None
) -> None:
    """Build the CTranslate2 model for builtin:ctranslate2 now instead of on first use."""
    from contentgen.modelfiles import resolve_text_model
    from contentgen.modelfiles.ct2 import check_quantization, ensure_ct2_model, is_converted

    settings = _settings(ctx)
    configured = settings.options_for("builtin:ctranslate2")
    spec = model or str(configured.get("model", "smollm2"))
    quant = quantization or str(configured.get("compute_type", "int8"))
    check_quantization(quant)
    root = cache_dir or str(settings.cache_dir)
    resolved = resolve_text_model(
        spec,
        cache_dir=root,
        revision=configured.get("revision"),
        local_files_only=bool(configured.get("local_files_only", True)),
    )
    if is_converted(resolved, quant, root):
        click.echo(f"already converted: {resolved.model_id} ({quant})")
    else:
        click.echo(f"converting {resolved.model_id} to CTranslate2 {quant} ...")
    path = ensure_ct2_model(resolved, quant, root)
    click.echo(str(path))
