"""Alembic migrations, run programmatically from the copy shipped inside the package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from contentgen.storage.database import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "_migrations"
# PostgreSQL-only indexes made by migration 0006 (pg_trgm, where it can be installed); they
# are not in the tables' metadata, so schema comparisons leave them alone.
SEARCH_INDEXES = frozenset({"ix_outputs_text_trgm", "ix_requests_payload_trgm"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter for schema comparisons: everything but the optional search indexes."""
    return not (type_ == "index" and reflected and name in SEARCH_INDEXES)


def alembic_config(db: Database) -> Config:
    """An Alembic config pointing at the shipped migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    config.attributes["database"] = db
    return config


def head_revision() -> str:
    """The newest migration id shipped with this version."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    """The migration id the database is at (None when empty)."""
    with db.write_engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> str:
    """Bring the database to `revision` (default: newest); returns the revision reached."""
    command.upgrade(alembic_config(db), revision)
    return current_revision(db) or ""


def ensure_current(db: Database) -> None:
    """Upgrade when the database is behind the shipped migrations (cheap when it is not)."""
    if current_revision(db) != head_revision():
        upgrade(db)


@dataclass(frozen=True)
class SchemaState:
    """Where a database is (its URL without credentials) and its schema revision against ours."""

    location: str
    current: str | None
    newest: str


def _state(db: Database) -> SchemaState:
    return SchemaState(db.url.split("@")[-1], current_revision(db), head_revision())


def schema_state(url: str) -> SchemaState:
    """The schema revision of the database at `url`, and the newest one shipped."""
    db = Database(url)
    try:
        return _state(db)
    finally:
        db.dispose()


def upgrade_schema(url: str) -> SchemaState:
    """Create or migrate the database at `url` to the newest schema."""
    db = Database(url)
    try:
        upgrade(db)
        return _state(db)
    finally:
        db.dispose()
