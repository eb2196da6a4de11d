"""`contentgen explain ID`: why an output is what it is."""

from __future__ import annotations

import json

import click

from contentgen.cli._common import engine_from


@click.command()
@click.argument("output_id")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.pass_context
def explain(ctx: click.Context, output_id: str, as_json: bool) -> None:
    """Facts per sentence, template and examples, checks, choice, model, decoding and seed."""
    explanation = engine_from(ctx).explain(output_id)
    if as_json:
        click.echo(json.dumps(explanation.as_dict(), indent=2, ensure_ascii=False, default=str))
        return
    from contentgen.explain.text import render_text

    click.echo(render_text(explanation))
