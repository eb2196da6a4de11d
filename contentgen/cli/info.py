"""`contentgen templates`, `generators` and `plugins`: what is installed and configured."""

from __future__ import annotations

import click

from contentgen.cli._common import engine_from


@click.command()
@click.option("--task", help="Only this task's templates.")
@click.pass_context
def templates(ctx: click.Context, task: str | None) -> None:
    """List templates with their variables and where they come from."""
    from contentgen.types import Task

    library = engine_from(ctx).templates
    for info in library.list(Task.parse(task) if task else None):
        click.echo(f"{info.id:34} {info.description}")
        click.echo(f"{'':34} variables: {', '.join(sorted(info.variables))}; file {info.path}")


@click.command()
@click.pass_context
def generators(ctx: click.Context) -> None:
    """List registered generators, their tasks and the routes that use them."""
    from contentgen.types import Task

    engine = engine_from(ctx)
    routes = {t.value: engine.settings.route(t) for t in Task}
    for spec in engine.registry.specs():
        used = [task for task, r in routes.items() if r.generator == spec.id]
        tasks = ", ".join(sorted(t.value for t in spec.tasks))
        click.echo(
            f"{spec.id:26} v{spec.version:6} {spec.modality:5} [{tasks}] plugin {spec.plugin}"
        )
        if spec.description:
            click.echo(f"{'':26} {spec.description}")
        if used:
            click.echo(f"{'':26} default for: {', '.join(used)}")


@click.command()
@click.pass_context
def plugins(ctx: click.Context) -> None:
    """List plugins with versions, generators and any load error."""
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
        if info.template_dirs:
            click.echo(f"{'':20} templates: {', '.join(info.template_dirs)}")
        if info.error:
            click.secho(f"{'':20} {info.error}", fg="red")
