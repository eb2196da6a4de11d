"""`contentgen show`, `list`, `stats` and `export`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentgen.cli._common import default_rater, engine_from
from contentgen.export import FORMATS, export_outputs, export_rows, write_export

if TYPE_CHECKING:
    from contentgen.engine import Engine

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


def _filters(engine: Engine, **kwargs: str | None) -> dict[str, str]:
    if kwargs.get("task"):  # 'news-summary' works; a task the engine does not serve is an error
        kwargs["task"] = engine.tasks.get(str(kwargs["task"])).name
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
    if output.image_path:  # an image's fields are its record: placement, copy, sizes, digests
        for key, value in output.fields.items():
            click.echo(f"  {key}: {value}")
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
        rated = (
            r.score
            if r.kind == "score"
            else r.thumb
            if r.kind == "thumb"
            else r.comment or r.edited_text or r.preferred_output_id or "tie"
        )
        click.echo(f"  rating {r.kind} by {r.rater}: {rated}")


@click.command("list")
@filter_options
@click.option("--limit", default=20, show_default=True)
@click.pass_context
def list_outputs(ctx: click.Context, limit: int, **filters: str | None) -> None:
    """List stored outputs, newest first."""
    engine = engine_from(ctx)
    outputs = engine.list_outputs(limit=limit, **_filters(engine, **filters))
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
@click.option(
    "--approved", is_flag=True, help="Only approved copy (approved, exported or published)."
)
@click.option(
    "--mark-exported",
    is_flag=True,
    help="Move the approved outputs written to 'exported' (undoable on the review page).",
)
@click.option("--rater", default=default_rater, show_default="$CONTENTGEN_RATER or login name")
@filter_options
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str | None,
    out: Path | None,
    approved: bool,
    mark_exported: bool,
    rater: str,
    **filters: str | None,
) -> None:
    """Export outputs with their context, review status and ratings to CSV or JSONL."""
    engine = engine_from(ctx)
    if mark_exported and not approved:
        raise click.UsageError("--mark-exported needs --approved")
    shipped: list[str] = []
    wanted = _filters(engine, **filters)
    if out is None:
        rows = export_rows(engine.store, approved=approved, shipped=shipped, **wanted)
        count = write_export(rows, sys.stdout, fmt or "jsonl")
    else:
        count = export_outputs(engine.store, out, fmt, approved=approved, shipped=shipped, **wanted)
        click.echo(f"exported {count} output(s) to {out}", err=True)
    if mark_exported and shipped:
        from contentgen.review.workflow import mark_exported as mark

        mark(engine, shipped, rater=rater)
        click.echo(f"marked {len(shipped)} approved output(s) as exported", err=True)
