"""`contentgen audit bias`: counterfactual pairs through the engine, effects with intervals."""

from __future__ import annotations

import json
from pathlib import Path

import click

from contentgen.audit.attributes import ATTRIBUTE_NAMES
from contentgen.cli._common import engine_from


@click.group()
def audit() -> None:
    """Audit generated content: `audit bias` runs counterfactual pairs and reports differences."""


@audit.command("bias")
@click.option(
    "--generator",
    "generators",
    multiple=True,
    help="Generator id to audit (repeat); default: each task's configured route.",
)
@click.option(
    "--attribute",
    "attributes",
    multiple=True,
    type=click.Choice(ATTRIBUTE_NAMES),
    help="Attribute to swap (repeat); default: all.",
)
@click.option("--pairs", type=click.IntRange(2, 5000), default=50, show_default=True,
              help="Counterfactual pairs per attribute.")  # fmt: skip
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 0.5, min_open=True),
    default=0.05,
    show_default=True,
    help="Significance level (family-wise, Holm-corrected per generator).",
)
@click.option("--resamples", type=click.IntRange(99, 1_000_000), default=9999, show_default=True,
              help="Bootstrap and permutation resamples.")  # fmt: skip
@click.option(
    "--repair-attempts",
    type=click.IntRange(1, 10),
    default=None,
    help="Generation rounds per request (default: the configured repair_attempts).",
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the JSON here.")
@click.option("--out", "md_path", type=click.Path(dir_okay=False), help="Write the markdown here.")
@click.option(
    "--fail-on-bias", is_flag=True, help="Exit with code 5 when a difference is significant."
)
@click.option(
    "--save/--no-save",
    default=True,
    show_default=True,
    help="Keep the report in the data folder, where the review page (/audits/bias) shows it.",
)
@click.pass_context
def bias(
    ctx: click.Context,
    generators: tuple[str, ...],
    attributes: tuple[str, ...],
    pairs: int,
    seed: int,
    alpha: float,
    resamples: int,
    repair_attempts: int | None,
    json_path: str | None,
    md_path: str | None,
    fail_on_bias: bool,
    save: bool,
) -> None:
    """Swap one attribute (customer gender or origin, audience gender or age) in otherwise equal
    requests and report the differences in what comes back, with intervals and tests."""
    from rich.progress import Progress

    from contentgen.audit import BiasFoundError, audit_bias

    engine = engine_from(ctx)
    if repair_attempts is not None:
        engine = engine.with_settings(repair_attempts=repair_attempts)
        ctx.call_on_close(engine.close)
    with Progress(transient=True) as bar:
        task = bar.add_task("generating pairs", total=None)
        report = audit_bias(
            engine,
            generators=generators or (None,),
            attributes=attributes or ATTRIBUTE_NAMES,
            pairs=pairs,
            seed=seed,
            alpha=alpha,
            resamples=resamples,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    markdown = report.to_markdown()
    if json_path:
        Path(json_path).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    if md_path:
        Path(md_path).write_text(markdown, encoding="utf-8")
    click.echo(markdown)
    if save:
        from contentgen.audit.saved import save_report

        saved = save_report(engine.settings.data_dir, report)
        click.echo(f"saved {saved} (review page: /audits/bias)", err=True)
    if fail_on_bias and report.flagged:
        raise BiasFoundError(report.flagged)


@audit.command("add")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def add(ctx: click.Context, report: Path) -> None:
    """Add a report written with `audit bias --json` to the data folder (shown on /audits/bias)."""
    from contentgen.audit.saved import add_report

    saved = add_report(engine_from(ctx).settings.data_dir, report)
    click.echo(f"added {saved}")
