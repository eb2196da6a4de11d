"""`contentgen show`, `list`, `stats` and `export`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from contentgen.cli._common import engine_from
from contentgen.export import FORMATS, export_outputs, export_rows, write_export

FILTERS = [
    click.option("--task"),
    click.option("--template", "template_id"),
    click.option("--generator", "generator_id"),
    click.option("--channel"),
    click.option("--status", type=click.Choice(["ok", "rejected", "failed"])),
    click.option("--job", "job_id"),
]


def filter_options(function):  # type: ignore[no-untyped-def]
    """Add the output filters."""
    for option in reversed(FILTERS):
        function = option(function)
    return function


def _filters(**kwargs: str | None) -> dict[str, str]:
    from contentgen.types import Task

    if kwargs.get("task"):
        kwargs["task"] = Task.parse(str(kwargs["task"])).value
    return {k: v for k, v in kwargs.items() if v}


@click.command()
@click.argument("output_id")
@click.pass_context
def show(ctx: click.Context, output_id: str) -> None:
    """Show one output with provenance, evaluations and ratings."""
    engine = engine_from(ctx)
    output = engine.get_output(output_id)
    p = output.provenance
    click.secho(f"output {output.id} ({output.task.value}, {output.status})", bold=True)
    if output.reason:
        click.secho(f"reason: {output.reason}", fg="yellow")
    click.echo(output.text or f"image: {engine.store.artifacts.path(output.image_path or '')}")
    click.echo(
        f"\ngenerator {p.generator_id} v{p.generator_version}; model {p.model_id} ({p.model_revision or '-'})"
    )
    click.echo(
        f"template {p.template_id or '-'} sha256 {(p.template_hash or '-')[:12]}; seed {p.seed}"
    )
    if p.fallback_from:
        click.echo(f"fallback from {p.fallback_from}")
    click.echo(f"params {json.dumps(dict(p.params))}; timings {json.dumps(dict(p.timings))}")
    for e in output.evaluations:
        mark = "pass" if e.passed else "FAIL"
        click.echo(f"  {mark:4} {e.name:14} {'' if e.score is None else round(e.score, 3)}")
    for r in engine.ratings(output.id):
        value = (
            r.score
            if r.kind == "score"
            else r.thumb
            if r.kind == "thumb"
            else r.comment or r.edited_text or r.preferred_output_id
        )
        click.echo(f"  rating {r.kind} by {r.rater}: {value}")


@click.command("list")
@filter_options
@click.option("--limit", default=20, show_default=True)
@click.pass_context
def list_outputs(ctx: click.Context, limit: int, **filters: str | None) -> None:
    """List stored outputs, newest first."""
    engine = engine_from(ctx)
    outputs = engine.list_outputs(limit=limit, **_filters(**filters))
    for o in outputs:
        # An image path is printed whole and absolute, so it opens from wherever the user is.
        text = (
            str(engine.store.artifacts.path(o.image_path))
            if o.image_path
            else (o.text or "").replace("\n", " | ")[:70]
        )
        click.echo(
            f"{o.id}  {o.task.value:16} {o.status:8} {(o.provenance.template_id or '-'):28} {text}"
        )
    click.echo(f"{len(outputs)} output(s)")


@click.command()
@click.option(
    "--by",
    default="template",
    show_default=True,
    type=click.Choice(["template", "generator", "task", "channel", "model", "status"]),
)
@click.pass_context
def stats(ctx: click.Context, by: str) -> None:
    """Outputs, ratings and rejections grouped by template, generator, task, channel or model."""
    rows = engine_from(ctx).stats(by=by)
    click.echo(
        f"{by:32} {'outputs':>8} {'rejected':>8} {'rated':>6} {'mean':>5} {'up':>4} {'down':>4}"
    )
    for r in rows:
        mean = f"{r.mean_score:.2f}" if r.mean_score is not None else "-"
        click.echo(
            f"{r.key:32} {r.outputs:8} {r.rejected:8} {r.rated:6} {mean:>5} {r.thumbs_up:4} {r.thumbs_down:4}"
        )


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Defaults to the --out extension."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout as JSONL).",
)
@filter_options
@click.pass_context
def export(ctx: click.Context, fmt: str | None, out: Path | None, **filters: str | None) -> None:
    """Export outputs with their ratings to CSV or JSONL."""
    engine = engine_from(ctx)
    if out is None:
        count = write_export(
            export_rows(engine.store, **_filters(**filters)), sys.stdout, fmt or "jsonl"
        )
    else:
        count = export_outputs(engine.store, out, fmt, **_filters(**filters))
        click.echo(f"exported {count} output(s) to {out}", err=True)
