"""`contentgen db upgrade|current`: database migrations."""

from __future__ import annotations

import click

from contentgen.cli._common import engine_from


@click.group()
def db() -> None:
    """Database commands."""


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Create or migrate the database to the newest schema."""
    from contentgen.storage.migrate import upgrade_schema

    state = upgrade_schema(engine_from(ctx).settings.db_url)
    click.echo(f"database {state.location} is at revision {state.current}")


@db.command()
@click.pass_context
def current(ctx: click.Context) -> None:
    """Show the database's schema revision and the newest one shipped."""
    from contentgen.storage.migrate import schema_state

    state = schema_state(engine_from(ctx).settings.db_url)
    click.echo(f"current {state.current or '(empty)'}; newest {state.newest}")
