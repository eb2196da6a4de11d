"""`contentgen corpus add|list|remove|check`: reference corpora for the copying check."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from contentgen.config import Settings


def _settings(ctx: click.Context) -> Settings:
    from contentgen.config import load_settings

    root = ctx.find_root().obj or {}
    return load_settings(root.get("config_path"))


@click.group()
def corpus() -> None:
    """Reference corpora the copying check compares every output with."""


@corpus.command("add")
@click.argument("name")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a corpus of the same name.")
@click.pass_context
def add(ctx: click.Context, name: str, files: tuple[Path, ...], replace: bool) -> None:
    """Register FILES (.txt/.md paragraphs, .csv `text` column, .jsonl records) as NAME."""
    from contentgen.checks.corpora import CorpusStore

    info = CorpusStore(_settings(ctx).data_dir).add(name, files, replace=replace)
    click.echo(
        f"corpus {info.name}: {info.documents} documents, {info.passages} passages "
        f"from {', '.join(info.files)}"
    )


@corpus.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_corpora(ctx: click.Context, as_json: bool) -> None:
    """The registered corpora with their sizes."""
    from dataclasses import asdict

    from contentgen.checks.corpora import CorpusStore

    found = CorpusStore(_settings(ctx).data_dir).all()
    if as_json:
        click.echo(json.dumps([asdict(c) for c in found], indent=2))
        return
    if not found:
        click.echo("no corpora registered (contentgen corpus add NAME FILES...)")
    for c in found:
        click.echo(f"{c.name:24} {c.documents:8} documents {c.passages:8} passages  {c.created_at}")


@corpus.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Delete the registered corpus NAME."""
    from contentgen.checks.corpora import CorpusStore

    CorpusStore(_settings(ctx).data_dir).remove(name)
    click.echo(f"removed corpus {name}")


@corpus.command("check")
@click.argument("text", required=False)
@click.option(
    "--file", "path", type=click.Path(dir_okay=False, path_type=Path), help="Check a file's text."
)
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
@click.pass_context
def check(ctx: click.Context, text: str | None, path: Path | None, as_json: bool) -> None:
    """Whether TEXT (or --file) copies a reference; exit 1 when it does."""
    from contentgen.checks.copying import load_reference_index
    from contentgen.errors import ValidationError

    if (text is None) == (path is None):
        raise ValidationError("text", "give the text to check, or --file PATH (not both)")
    body = text if text is not None else Path(str(path)).read_text(encoding="utf-8")
    matches = load_reference_index(_settings(ctx)).find(body)
    if as_json:
        click.echo(json.dumps([m.as_dict() for m in matches], indent=2, ensure_ascii=False))
    elif not matches:
        click.echo("no copying found")
    for m in matches if not as_json else ():
        click.secho(
            f"copies {m.corpus}/{m.doc_id}: {m.shared} shared 3-word shingles "
            f"({m.containment:.0%}), longest verbatim run {m.longest_run} words",
            fg="yellow",
        )
        click.echo(
            f"  output [{m.output_start}:{m.output_end}]: {body[m.output_start : m.output_end]}"
        )
        click.echo(f"  source: {m.source}")
    if matches:
        sys.exit(1)  # like grep: a finding is a non-zero exit, for scripts and CI
