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
    from contentgen.storage import migrate
    from contentgen.storage.database import Database

    engine = engine_from(ctx)
    database = Database(engine.settings.db_url)
    try:
        revision = migrate.upgrade(database)
    finally:
        database.dispose()
    click.echo(f"database {database.url.split('@')[-1]} is at revision {revision}")


@db.command()
@click.pass_context
def current(ctx: click.Context) -> None:
    """Show the database's schema revision and the newest one shipped."""
    from contentgen.storage import migrate
    from contentgen.storage.database import Database

    database = Database(engine_from(ctx).settings.db_url)
    try:
        click.echo(
            f"current {migrate.current_revision(database) or '(empty)'}; newest {migrate.head_revision()}"
        )
    finally:
        database.dispose()
