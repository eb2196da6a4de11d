"""`contentgen demo`: the main job on the embedded defaults — ad copy for the example catalogue."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import click

from contentgen.cli._common import engine_from
from contentgen.errors import ValidationError

DEFAULT_CATALOGUE = Path("examples/products.csv")


@click.command()
@click.option("--catalogue", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CATALOGUE,
              show_default=True, help="Product CSV (name, category, price_eur, ...).")
@click.option("--channel", default="search_ad", show_default=True)
@click.option("--variants", default=3, show_default=True)
@click.option("--rows", type=int, help="Only the first N products.")
@click.pass_context
def demo(ctx: click.Context, catalogue: Path, channel: str, variants: int, rows: int | None) -> None:
    """Write ad copy for every product of the example catalogue and store it in the database."""
    from contentgen.types import MarketingRequest

    if not catalogue.is_file():
        raise ValidationError("--catalogue", f"{catalogue} does not exist")
    with catalogue.open(encoding="utf-8", newline="") as handle:
        products = list(csv.DictReader(handle))[:rows]
    engine = engine_from(ctx)
    requests = [
        MarketingRequest(product={k: v for k, v in p.items() if v and k != "sku"}, channel=channel,
                         variants=variants, seed=index)
        for index, p in enumerate(products)
    ]
    click.echo(f"writing {channel} copy: {len(requests)} products x {variants} variants "
               f"with {engine.settings.route(requests[0].task).generator} ...")
    started = time.perf_counter()
    results = []
    with click.progressbar(length=len(requests), label="products") as bar:
        for start in range(0, len(requests), 8):
            results += engine.generate_many(requests[start : start + 8])
            bar.update(len(requests[start : start + 8]))
    elapsed = time.perf_counter() - started
    ok = sum(len(r.outputs) for r in results)
    rejected = sum(len(r.rejected) for r in results)
    click.echo(f"\n{ok} outputs accepted, {rejected} rejected attempts, in {elapsed:.1f} s "
               f"({ok / elapsed:.2f} outputs/s); database {engine.settings.db_url}")
    for product, result in list(zip(products, results, strict=True))[:3]:
        click.secho(f"\n{product['name']}", bold=True)
        for output in result.outputs:
            click.echo("  " + (output.text or "").replace("\n", "\n  "))
    click.echo("\nnext: `contentgen list`, `contentgen rate <id> --score 4`, `contentgen stats`")
