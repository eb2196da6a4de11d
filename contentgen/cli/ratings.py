"""`contentgen rate` and `contentgen compare`."""

from __future__ import annotations

import click

from contentgen.cli._common import default_rater, engine_from


@click.command()
@click.argument("output_id")
@click.option("--score", type=int, help="1 (poor) to 5 (publish as is).")
@click.option("--thumb", type=click.Choice(["up", "down"]))
@click.option("--comment")
@click.option("--edit", "edited_text", help="The edited final text (checked before it is saved).")
@click.option(
    "--override-reason",
    help="Why to save an edit that fails a blocking check anyway (recorded with the edit).",
)
@click.option("--rater", default=default_rater, show_default="$CONTENTGEN_RATER or login name")
@click.pass_context
def rate(
    ctx: click.Context,
    output_id: str,
    score: int | None,
    thumb: str | None,
    comment: str | None,
    edited_text: str | None,
    override_reason: str | None,
    rater: str,
) -> None:
    """Rate an output: score, thumb, comment and/or edited final text."""
    from contentgen.ratings import rating_rows
    from contentgen.review.edits import save_edit

    engine = engine_from(ctx)
    rating_rows(rater=rater, score=score, thumb=thumb, comment=comment, edited_text=edited_text)
    ratings = []
    if edited_text is not None:  # refused (EditBlocked) unless it passes or is overridden
        saved = save_edit(
            engine,
            output_id,
            edited_text,
            rater=rater,
            source="cli",
            override_reason=override_reason,
        )
        ratings.append(saved.rating)
    if (score, thumb, comment) != (None, None, None):
        ratings += engine.rate(
            output_id, rater=rater, score=score, thumb=thumb, comment=comment, source="cli"
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
