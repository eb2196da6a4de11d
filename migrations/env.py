"""Alembic environment: runs on the connection of contentgen's own Database object."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from contentgen.storage.models import Base

config = context.config
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
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
