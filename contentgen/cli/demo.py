"""`contentgen demo`: the main job on the embedded defaults — ad copy for the example catalogue.

It runs through the batch runner as the job "demo": interrupt it and run it again, and it picks
up where it stopped; the results file is rewritten in catalogue order when the job completes.
"""

from __future__ import annotations

import csv
import itertools
import time
from pathlib import Path
from typing import Any

import click

from contentgen.cli._common import engine_from
from contentgen.errors import BatchError, ValidationError
from contentgen.tabular import unguard

DEFAULT_CATALOGUE = Path("examples/products.csv")
DEFAULT_OUT = Path(".contentgen/demo_results.csv")


@click.command()
@click.option(
    "--catalogue",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CATALOGUE,
    show_default=True,
    help="Product CSV (sku, name, category, price_eur, ...).",
)
@click.option("--channel", default="search_ad", show_default=True)
@click.option("--variants", default=3, show_default=True)
@click.option("--rows", type=int, help="Only the first N products.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Results file (.csv, .jsonl or .xlsx).",
)
@click.pass_context
def demo(
    ctx: click.Context, catalogue: Path, channel: str, variants: int, rows: int | None, out: Path
) -> None:
    """Write ad copy for every product of the example catalogue (the resumable batch job "demo")."""
    from contentgen.cli.batch import progress

    if not catalogue.is_file():
        raise ValidationError("--catalogue", f"{catalogue} does not exist")
    engine = engine_from(ctx)
    source: object = catalogue
    if rows is not None:
        with catalogue.open(encoding="utf-8", newline="") as handle:
            source = list(itertools.islice(csv.DictReader(handle), rows))
    options: dict[str, Any] = {
        "task": "marketing",
        "channel": channel,
        "variants": variants,
        "key": "sku",
        "out": out,
    }
    try:
        run = engine.batch(source, job_name="demo", **options)
    except BatchError as exc:
        if "other settings" not in str(exc):
            raise
        # The configured generator or template changed since the last demo: start a new job.
        run = engine.batch(source, job_name=f"demo-{time.strftime('%Y%m%d-%H%M%S')}", **options)
    job = run.plan.job
    click.echo(
        f"writing {channel} copy: {job.total_rows} products x {variants} variants with "
        f"{run.plan.generator_id} (job {job.name}, model batch {run.plan.batch_size}) ..."
    )
    with progress(job.total_rows, job.done + job.failed, "products") as advance:
        for finished, _ in enumerate(run, start=1):
            advance(finished)
    s = run.summary()
    state = run.job
    click.secho(
        f"\n{state.done} of {state.total_rows} products done, {state.failed} failed", bold=True
    )
    click.echo(
        f"  this run  {s.done + s.failed} products, {s.outputs} outputs accepted, "
        f"{s.rejected} rejected drafts, {s.elapsed_s:.1f} s"
        + (f" ({s.outputs / s.elapsed_s:.2f} outputs/s)" if s.outputs else "")
        + (f"; {s.already_done} were done before" if s.already_done else "")
    )
    click.echo(f"  file      {out}")
    click.echo(f"  database  {engine.settings.db_url}")
    _preview(out, 3)
    click.echo(
        f"\nnext: `contentgen list --job {job.id}`, `contentgen rate <output_id> --score 4`, "
        "`contentgen stats`, `contentgen jobs`"
    )


def _preview(out: Path, products: int) -> None:
    if out.suffix.lower() != ".csv" or not out.is_file():
        return
    with out.open(encoding="utf-8", newline="") as handle:
        shown: list[str] = []
        for guarded in csv.DictReader(handle):
            line = {k: unguard(v or "") for k, v in guarded.items()}  # as a spreadsheet shows it
            if line["key"] not in shown:
                if len(shown) == products:
                    break
                shown.append(line["key"])
                click.secho(f"\n{line['key']}", bold=True)
            if line["status"] != "done":
                click.echo(f"  failed: {line['error']}")
                continue
            fields = [
                v
                for k, v in line.items()
                if k not in ("row", "key", "variant", "status", "error", "output_id")
            ]
            click.echo(f"  {line['variant']}. " + " | ".join(f for f in fields if f))
