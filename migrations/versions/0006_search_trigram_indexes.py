"""review search: trigram indexes on PostgreSQL for the queue's substring search

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00.000000

The review queue's search is `ILIKE '%term%'` on the outputs' text and on the requests' payload
as text (`contentgen.storage.reads`); a pg_trgm GIN index serves both, so a search reads the
matching rows instead of testing every one. SQLite has no such index: there this is a no-op.
pg_trgm is a trusted extension (PostgreSQL 13+): a role with CREATE on the database may install
it. Where it cannot be installed the indexes are left out with a warning; search gives the same
results, only slower, and running the statements below later adds them.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

logger = logging.getLogger("contentgen.storage.migrate")
EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
# fastupdate off: each insert updates the index at once. With GIN's default pending list, a
# bulk of new outputs made the planner skip the index (and scans read the list) until the
# next vacuum.
INDEXES = {
    "ix_outputs_text_trgm": "ON outputs USING gin (text gin_trgm_ops) WITH (fastupdate = off)",
    "ix_requests_payload_trgm": (
        "ON requests USING gin ((CAST(payload AS TEXT)) gin_trgm_ops) WITH (fastupdate = off)"
    ),
}


def _attempt(connection: sa.Connection, statement: str) -> str | None:
    """Run `statement` in a savepoint; the database's error message if it failed."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(statement)
    except sa.exc.DBAPIError as exc:
        return str(exc.orig).strip().splitlines()[0]
    return None


def upgrade() -> None:
    """Apply this migration."""
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    installed = connection.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar()
    failed = None if installed else _attempt(connection, EXTENSION)
    for name, definition in INDEXES.items():
        failed = failed or _attempt(connection, f"CREATE INDEX IF NOT EXISTS {name} {definition}")
    if failed:
        statements = [EXTENSION, *(f"CREATE INDEX {n} {d}" for n, d in INDEXES.items())]
        logger.warning(
            "review search runs without trigram indexes (%s); the same results, slower on "
            "large stores. A database owner can add them later: %s",
            failed,
            "; ".join(statements),
        )


def downgrade() -> None:
    """Revert this migration (the extension stays: other schemas may use it)."""
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
