"""`contentgen rate` and `contentgen compare`."""

from __future__ import annotations

import click

from contentgen.cli._common import default_rater, engine_from


@click.command()
@click.argument("output_id")
@click.option("--score", type=int, help="1 (poor) to 5 (publish as is).")
@click.option("--thumb", type=click.Choice(["up", "down"]))
@click.option("--comment")
@click.option("--edit", "edited_text", help="The edited final text.")
@click.option("--rater", default=default_rater, show_default="$CONTENTGEN_RATER or login name")
@click.pass_context
def rate(
    ctx: click.Context,
    output_id: str,
    score: int | None,
    thumb: str | None,
    comment: str | None,
    edited_text: str | None,
    rater: str,
) -> None:
    """Rate an output: score, thumb, comment and/or edited final text."""
    ratings = engine_from(ctx).rate(
        output_id,
        rater=rater,
        score=score,
        thumb=thumb,
        comment=comment,
        edited_text=edited_text,
        source="cli",
    )
    click.echo(f"stored {len(ratings)} rating(s) for {output_id} by {rater}")


@click.command()
@click.argument("first_id")
@click.argument("second_id")
@click.option("--prefer", required=True, help="The id of the better output (one of the two).")
@click.option("--rater", default=default_rater, show_default="$CONTENTGEN_RATER or login name")
@click.pass_context
def compare(ctx: click.Context, first_id: str, second_id: str, prefer: str, rater: str) -> None:
    """Record that one of two outputs is better."""
    engine_from(ctx).compare(first_id, second_id, preferred=prefer, rater=rater, source="cli")
    click.echo(f"stored preference for {prefer} by {rater}")
