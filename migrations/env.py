"""Alembic environment: runs on the connection of contentgen's own Database object."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from contentgen.storage.migrate import include_object
from contentgen.storage.tables import Base

config = context.config
_LOCK = 0x636F6E74656E74  # "content": the advisory lock key of contentgen's migrations
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations online, with batch mode so SQLite can alter tables."""
    database = config.attributes.get("database")
    engine = (
        database.write_engine
        if database is not None
        else create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Two processes opening a fresh database at once (two batch runs, say) would
                # both create the tables; the second waits here, then finds them current.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
            context.run_migrations()
        connection.commit()


run_migrations()
