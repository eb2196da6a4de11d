"""`contentgen templates`, `generators` and `plugins`: what is installed and configured."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from contentgen.cli._common import engine_from

if TYPE_CHECKING:
    from contentgen.engine import Engine
    from contentgen.generator import GeneratorSpec


@click.command()
@click.option("--task", help="Only this task's templates.")
@click.pass_context
def templates(ctx: click.Context, task: str | None) -> None:
    """List templates with their variables and where they come from; broken ones with the error."""
    engine = engine_from(ctx)
    name = engine.tasks.get(task).name if task else None
    for info in engine.templates.list(name, include_broken=True):
        if info.problem is not None:
            click.echo(f"{info.id:34} BROKEN (requests using it fail)")
            click.secho(f"{'':34} {info.problem}", fg="red")
            continue
        click.echo(f"{info.id:34} {info.description}")
        click.echo(f"{'':34} variables: {', '.join(sorted(info.variables))}; file {info.path}")


@click.command()
@click.option("--options", "show_options", is_flag=True, help="Also list each generator's options.")
@click.pass_context
def generators(ctx: click.Context, show_options: bool) -> None:
    """List registered generators, their tasks and the routes that use them."""
    engine = engine_from(ctx)
    routes = {name: engine.settings.route(name) for name in engine.tasks.names()}
    for spec in engine.registry.specs():
        used = [task for task, r in routes.items() if r.generator == spec.id]
        tasks = ", ".join(t.name for t in engine.tasks if engine.registry.handles(spec, t.name))
        click.echo(
            f"{spec.id:26} v{spec.version:6} {spec.modality:5} [{tasks}] plugin {spec.plugin}"
        )
        if spec.description:
            click.echo(f"{'':26} {spec.description}")
        for line in _server_lines(engine, spec.id, spec.factory):
            click.echo(f"{'':26} {line}")
        for line in _choice_lines(engine, spec.id, spec.factory):
            click.echo(f"{'':26} {line}")
        if used:
            click.echo(f"{'':26} default for: {', '.join(used)}")
        if show_options:
            for line in _option_lines(spec):
                click.echo(f"{'':26} {line}")


def _option_lines(spec: GeneratorSpec) -> list[str]:
    """One line per option: name, type, default, range or choices, description."""
    from contentgen.generator import Generator
    from contentgen.generator_options import describe_options, docs_from_defaults, format_default

    factory = spec.factory
    if isinstance(factory, type) and issubclass(factory, Generator):
        docs = describe_options(factory)
    else:
        docs = list(docs_from_defaults(spec.options))
    if not docs:
        return ["options: (none)"]
    lines = ["options:"]
    for doc in docs:
        kind = f"{doc.type} {doc.allowed}" if doc.allowed else doc.type
        line = f"  {doc.name + ' = ' + format_default(doc):34} {kind}"
        lines.append(line + (f"; {doc.description}" if doc.description else ""))
    return lines


def _choice_lines(engine: Engine, generator_id: str, factory: Any) -> list[str]:
    """For builtin:auto: the backend chosen on this host and the figures behind it (never raises)."""
    if not callable(getattr(factory, "choice_lines", None)):
        return []
    from contentgen.errors import ContentgenError

    try:
        return list(getattr(engine.registry.get(generator_id), "choice_lines")())  # noqa: B009
    except (ContentgenError, OSError) as exc:
        return [f"backend choice not readable: {exc}"]


def _server_lines(engine: Engine, generator_id: str, factory: Any) -> list[str]:
    """For a generator behind a server: its URL, whether it answers and its models (never raises)."""
    if not callable(getattr(factory, "server_status", None)):
        return []
    from contentgen.errors import ContentgenError

    try:
        status = getattr(engine.registry.get(generator_id), "server_status")(timeout_s=2.0)  # noqa: B009
    except ContentgenError as exc:  # a misconfigured server is shown, not fatal to the listing
        return [f"server not usable: {exc}"]
    if not status.reachable:
        return [f"server {status.base_url}: NOT reachable ({status.problem})"]
    if status.problem:
        return [f"server {status.base_url}: reachable, but {status.problem}"]
    return [f"server {status.base_url}: reachable; models: {', '.join(status.models) or '(none)'}"]


@click.command()
@click.pass_context
def plugins(ctx: click.Context) -> None:
    """List plugins with versions, generators, tasks and any load error."""
    from contentgen.config import load_settings
    from contentgen.plugins import load_plugins

    root = ctx.find_root().obj or {}
    settings = load_settings(root.get("config_path"))
    found = load_plugins(settings.blocked_plugins)
    for info in sorted(found.infos.values(), key=lambda i: i.name):
        state = "blocked" if info.blocked else "error" if info.error else "ok"
        click.echo(f"{info.name:20} {info.version:10} {state:8} {info.module}")
        if info.generators:
            click.echo(f"{'':20} generators: {', '.join(info.generators)}")
        if info.evaluators:
            click.echo(f"{'':20} evaluators: {', '.join(info.evaluators)}")
        if info.tasks:
            click.echo(f"{'':20} tasks: {', '.join(info.tasks)}")
        if info.template_dirs:
            click.echo(f"{'':20} templates: {', '.join(info.template_dirs)}")
        if info.error:
            click.secho(f"{'':20} {info.error}", fg="red")
