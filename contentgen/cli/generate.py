"""`contentgen generate TASK`: one request from the command line, printed as text or JSON.

One subcommand per task the engine serves, plugin tasks included, built by `task_command` from
the task's spec: its request fields are the options (contentgen.tasks.spec describes the field
metadata), its `cli_extras` add the rest, and the routing options are shared.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from contentgen.cli._common import engine_from, parse_pairs
from contentgen.cli.task_options import build_fields, extra_dest, extra_params, field_params
from contentgen.errors import NoAcceptedOutputError, ValidationError
from contentgen.types import Output, Result

if TYPE_CHECKING:
    from contentgen.tasks.spec import TaskSpec

# Built-in tasks whose command does more than one request: task name -> "module:factory(spec)".
# (A plugin's task sets TaskSpec.cli_command instead; a built-in task never imports a face.)
OWN_COMMANDS: dict[str, str] = {"creative": "contentgen.cli.creative:creative_command"}


def routing_params() -> list[click.Parameter]:
    """The options every `generate TASK` command shares (fresh objects for each command)."""
    from contentgen.sampling import COMMON_PARAMS

    recorded = ("bandit_arm", "bandit_posterior")
    chosen = ", ".join(p for p in COMMON_PARAMS if p not in recorded)
    return [
        click.Option(
            ["--generator"],
            help="Generator id, e.g. builtin:transformers (see `contentgen generators`).",
        ),
        click.Option(
            ["--template"],
            help="Template id, e.g. marketing/search_ad (see `contentgen templates`).",
        ),
        click.Option(["--seed"], type=int, help="Seed for reproducible output."),
        click.Option(
            ["--param", "params"],
            multiple=True,
            metavar="KEY=VALUE",
            help=(
                "Sampling parameter (repeat), e.g. temperature=0.7 or stop='[\"###\"]': "
                f"{chosen}, {', '.join(recorded)} (recorded by the bandit), or one the "
                "generator declares."
            ),
        ),
        click.Option(["--json", "as_json"], is_flag=True, help="Print the result as JSON."),
    ]


def _common(
    generator: str | None, template: str | None, seed: int | None, params: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "generator": generator,
        "template": template,
        "seed": seed,
        "params": parse_pairs(params, "--param", typed=True),
    }


def _show(result: Result, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(jsonable(result), indent=2, ensure_ascii=False))
        return
    for output in result.outputs:
        p = output.provenance
        click.secho(
            f"[{output.id}] {p.generator_id} · {p.template_id or '-'} · seed {p.seed}", fg="cyan"
        )
        if output.image_path:
            click.echo(f"  image: {output.image_path} ({_image_facts(output.fields)})")
        else:
            click.echo(output.text or "")
        click.echo()
    for output in result.rejected:
        click.secho(f"[{output.id}] rejected: {output.reason}", fg="yellow")
    for note in result.notes:
        click.secho(f"note: {note}", fg="red")
    click.echo(
        f"{len(result.outputs)} output(s), {len(result.rejected)} rejected; request {result.request_id}"
    )


def _image_facts(fields: Mapping[str, str]) -> str:
    """What a user needs to know about one image: its class, how it was chosen, its real size."""
    facts = []
    if "class_name" in fields:
        how = fields.get("mapped_by", "?")
        similarity = f", similarity {fields['similarity']}" if "similarity" in fields else ""
        facts.append(f"class {fields['class_name']}, chosen by {how}{similarity}")
    if "width" in fields and "height" in fields:
        size = f"{fields['width']}x{fields['height']}"
        if "resized_from" in fields:
            size += f" resized from {fields['resized_from']} ({fields.get('resample', '?')})"
        facts.append(size)
    if "tint" in fields:
        facts.append(f"tinted {fields['tint']} ({fields.get('tint_drawn', fields['tint_rgb'])})")
    if fields.get("flagged") == "True":
        facts.append("flagged by the safety checker")
    return "; ".join(facts) or "image"


def openable_paths(result: Result, locate: Callable[[str], Path]) -> Result:
    """The result with absolute image paths: stored ones are relative to the artifact store."""

    def located(outputs: tuple[Output, ...]) -> tuple[Output, ...]:
        return tuple(
            dataclasses.replace(o, image_path=str(locate(o.image_path))) if o.image_path else o
            for o in outputs
        )

    return dataclasses.replace(
        result, outputs=located(result.outputs), rejected=located(result.rejected)
    )


def jsonable(value: Any) -> Any:
    """Records (dataclasses, mappings, sequences) as plain JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class TaskCommands(click.Group):
    """`contentgen generate`: a subcommand per task of the engine, built when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [spec.command for spec in engine_from(ctx).tasks]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        tasks = engine_from(ctx).tasks
        try:
            spec = tasks.get(cmd_name)
        except ValidationError:
            commands = ", ".join(s.command for s in tasks)
            raise click.UsageError(f"unknown task {cmd_name!r} (tasks: {commands})", ctx) from None
        if spec.cli_command is not None:
            return cast(click.Command, spec.cli_command(spec))
        if spec.name in OWN_COMMANDS:
            module_name, attr = OWN_COMMANDS[spec.name].split(":")
            return cast(click.Command, getattr(importlib.import_module(module_name), attr)(spec))
        return task_command(spec)


@click.group(cls=TaskCommands)
def generate() -> None:
    """Generate content for one request: marketing copy, summaries, replies, images, or a task a
    plugin adds (`contentgen generate TASK --help` lists its options)."""


def task_command(spec: TaskSpec) -> click.Command:
    """The `contentgen generate TASK` command of one task, built from its spec."""

    def run(**values: Any) -> None:
        _run(click.get_current_context(), spec, values)

    return click.Command(
        spec.command,
        callback=run,
        params=[*field_params(spec), *extra_params(spec), *routing_params()],
        help=spec.description,
        short_help=spec.description,
    )


def _run(ctx: click.Context, spec: TaskSpec, values: dict[str, Any]) -> None:
    """Build the request from the options, generate, print; exit code 4 when nothing passed."""
    fields = build_fields(spec, values)
    common = _common(values["generator"], values["template"], values["seed"], values["params"])
    engine = engine_from(ctx)
    result = engine.generate(spec.build_request({**fields, **common}))
    if any(o.image_path for o in (*result.outputs, *result.rejected)):
        result = openable_paths(result, engine.store.artifacts.path)
    _show(result, values["as_json"])
    for extra in spec.cli_extras:
        value = values.get(extra_dest(extra.name))
        if extra.after is not None and value not in (None, False):
            line = extra.after(value, result)
            if line:
                click.echo(line)
    if not result.outputs:
        raise NoAcceptedOutputError(
            f"request {result.request_id}",
            len(result.rejected),
            "the reasons are listed above; `contentgen show ID` shows a rejected output",
        )
