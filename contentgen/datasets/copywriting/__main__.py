"""`python -m contentgen.datasets.copywriting build|check`: build the corpus or review it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from contentgen.datasets.copywriting.briefs import BENEFIT_SHARE
from contentgen.errors import ContentgenError


@click.group()
def main() -> None:
    """Build or check the copywriting corpus."""


@main.command()
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for every random choice."
)
@click.option(
    "--briefs", type=click.IntRange(1), default=1250, show_default=True, help="Product briefs."
)
@click.option("--news", type=click.IntRange(1), default=800, show_default=True, help="News items.")
@click.option(
    "--variants",
    type=click.IntRange(1, 5),
    default=2,
    show_default=True,
    help="Variants per channel.",
)
@click.option(
    "--few-shot", is_flag=True, help="Put the templates' example turns into the SFT chats."
)
@click.option(
    "--benefit-share",
    type=click.FloatRange(0, 1),
    default=BENEFIT_SHARE,
    show_default=True,
    help="Share of briefs that state benefits; the rest are facts only.",
)
def build(
    out: Path,
    seed: int,
    briefs: int,
    news: int,
    variants: int,
    few_shot: bool,
    benefit_share: float,
) -> None:
    """Write briefs, marketing, customer-service, news and SFT JSONL files into OUT."""
    from contentgen.datasets.copywriting.build import BuildConfig, build_corpus

    cfg = BuildConfig(
        seed=seed,
        briefs=briefs,
        news=news,
        variants=variants,
        few_shot=few_shot,
        benefit_share=benefit_share,
    )
    manifest = build_corpus(out, cfg)
    click.echo(json.dumps(manifest["counts"], indent=2))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(folder: Path, as_json: bool) -> None:
    """Run contentgen's checks and the corpus rules on every record in FOLDER."""
    from contentgen.datasets.copywriting.check import check_corpus

    report = check_corpus(folder)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for name, count in sorted(report.checked.items()):
            click.echo(f"{name:24} checked {count:6}  failed {report.failures.get(name, 0)}")
        for name in sorted(set(report.failures) - set(report.checked)):
            click.echo(f"{name:24} failed {report.failures[name]}")
        for name, examples in sorted(report.examples.items()):
            click.echo(f"\n{name}:")
            for example in examples:
                click.echo(f"  {example}")
    sys.exit(0 if report.ok else 1)


def run() -> None:
    """Entry point: a ContentgenError becomes its message and exit code, never a traceback."""
    try:
        main(standalone_mode=False)
    except ContentgenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(1)


if __name__ == "__main__":
    run()
