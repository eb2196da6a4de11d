"""`contentgen generate creative`: copy first (unless given), then the creatives, then a sheet.

Built from the creative task's spec like every `generate TASK` command (its request fields are
the options), with `--placement` repeatable and `--copy-generator` for the copy step; the work
is one call to `contentgen.creatives.make_creatives`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from contentgen.cli._common import engine_from, parse_pairs
from contentgen.cli.generate import jsonable, openable_paths, routing_params
from contentgen.cli.task_options import build_fields, extra_dest, extra_params, field_params
from contentgen.creatives.backgrounds import DIFFUSERS, GeneratedBackground
from contentgen.errors import NoAcceptedOutputError

if TYPE_CHECKING:
    from contentgen.creatives.make import Creatives
    from contentgen.tasks.spec import TaskSpec

HIDDEN = (
    "copy",
    "copy__json",
    "template",
)  # copy is given field by field; creatives have no template


def _params(spec: TaskSpec) -> list[click.Parameter]:
    found: list[click.Parameter] = []
    for param in [*field_params(spec), *extra_params(spec), *routing_params()]:
        if param.name in HIDDEN:
            continue
        if param.name == "placements":
            param = click.Option(
                ["--placement", "placements"],
                multiple=True,
                help="A placement, e.g. 300x250 (repeat; default: the channel's placements).",
            )
        found.append(param)
    return [*found, *_own_options()]


def _own_options() -> list[click.Parameter]:
    """The options of the steps around the creatives: copy and generated backgrounds."""
    return [
        click.Option(
            ["--copy-generator"],
            help="Generator for the copy step (default: the marketing route).",
        ),
        click.Option(
            ["--copy-variants"],
            type=click.IntRange(1, 16),
            default=3,
            show_default=True,
            help="Copy variants written per copy channel (the first accepted one is used).",
        ),
        click.Option(
            ["--background-prompt"],
            help="Generate a background per placement shape from this description (needs "
            'an image generator with a model, e.g. [generators."builtin:diffusers"] model).',
        ),
        click.Option(
            ["--background-generator"],
            default=DIFFUSERS,
            show_default=True,
            help="The image generator that draws --background-prompt.",
        ),
        click.Option(
            ["--background-steps"],
            type=click.IntRange(1, 1000),
            help="Denoising steps for the generated backgrounds (default: the pipeline's).",
        ),
    ]


def creative_command(spec: TaskSpec) -> click.Command:
    """The `contentgen generate creative` command."""

    def run(**values: Any) -> None:
        _run(click.get_current_context(), spec, values)

    return click.Command(
        spec.command,
        callback=run,
        params=_params(spec),
        help=spec.description
        + "\n\nWithout --headline the copy is written first through the marketing task, one "
        "request per copy channel the placements need (social_creative, display_creative, "
        "banner_creative), and every creative records the copy's output id.",
        short_help=spec.description,
    )


def _run(ctx: click.Context, spec: TaskSpec, values: dict[str, Any]) -> None:
    from contentgen.creatives.make import make_creatives

    fields = build_fields(spec, {**values, "placements": values.get("placements") or None})
    if values["background_prompt"]:
        if fields.get("background"):
            raise click.UsageError("give --background (a file) or --background-prompt, not both")
        fields["background"] = GeneratedBackground(
            values["background_prompt"],
            values["background_generator"],
            steps=values["background_steps"],
        )
    engine = engine_from(ctx)
    made = make_creatives(
        engine,
        **fields,
        seed=values["seed"],
        generator=values["generator"],
        copy_generator=values["copy_generator"],
        copy_variants=values["copy_variants"],
        params=parse_pairs(values["params"], "--param", typed=True),
        contact_sheet=values.get(extra_dest("--contact-sheet")),
    )
    if values["as_json"]:
        click.echo(json.dumps(jsonable(_located(made, engine)), indent=2, ensure_ascii=False))
    else:
        _show(made, engine)
    if not made.outputs:
        raise NoAcceptedOutputError(
            "creative request",
            len(made.rejected),
            "the reasons are listed above; `contentgen show ID` shows a rejected output",
        )


def _located(made: Creatives, engine: Any) -> Creatives:
    """The creatives with absolute image paths (stored ones are relative to the artifacts)."""
    if made.result is None:
        return made
    return dataclasses.replace(
        made, result=openable_paths(made.result, engine.store.artifacts.path)
    )


def _show(made: Creatives, engine: Any) -> None:
    for result in made.copy:
        for output in result.outputs:
            channel = output.provenance.template_id or "copy"
            click.secho(f"[{output.id}] copy · {channel}", fg="cyan")
            click.echo(output.text or "")
        for output in result.rejected:
            click.secho(f"[{output.id}] copy rejected: {output.reason}", fg="yellow")
    if made.without_copy:
        click.secho(
            f"no copy passed the checks for {', '.join(made.without_copy)}: left out", fg="red"
        )
    for result in made.backgrounds:
        for output in result.outputs:
            f = output.fields
            size = f"{f.get('width', '?')}x{f.get('height', '?')}"
            click.secho(f"[{output.id}] background {size} · {output.provenance.generator_id}",
                        fg="cyan")  # fmt: skip
    located = _located(made, engine)
    for output in located.outputs:
        f = output.fields
        click.secho(f"[{output.id}] {f.get('placement')} · {f.get('layout')}", fg="cyan")
        click.echo(f"  image: {output.image_path}")
        click.echo(f"  contrast {f.get('contrast', '-')}; text covers {_share(f)}")
    for output in located.rejected:
        f = output.fields
        click.secho(
            f"[{output.id}] {f.get('placement')} · {f.get('layout')} rejected: {output.reason}",
            fg="yellow",
        )
    request = made.result.request_id if made.result is not None else "-"
    click.echo(f"{len(made.outputs)} creative(s), {len(made.rejected)} rejected; request {request}")
    if made.outputs:
        sheet = click.get_current_context().params.get(extra_dest("--contact-sheet"))
        if sheet:
            click.echo(f"contact sheet: {sheet}")


def _share(fields: Mapping[str, str]) -> str:
    share = fields.get("text_share")
    if not share:
        return "-"
    limit = fields.get("text_share_limit")
    return f"{float(share):.0%}" + (f" (limit {float(limit):.0%})" if limit else "")
