"""Counting a batch job's items straight from the database, for tests that kill a batch run."""

from __future__ import annotations

from sqlalchemy import text

from contentgen.storage.database import Database


def count_items(db: Database, status_clause: str) -> int:
    """Job items whose status matches `status_clause` (e.g. "= 'done'"); 0 before the tables exist."""
    try:
        with db.read() as s:
            query = text(f"SELECT count(*) FROM job_items WHERE status {status_clause}")
            return int(s.execute(query).scalar() or 0)
    except Exception:  # tables not created yet by the first run
        return 0
