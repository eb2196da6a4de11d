"""The queue's search indexes: pg_trgm GIN indexes on PostgreSQL (migration 0006), none on SQLite,
and where the extension cannot be installed, a warning and the same search without them."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from contentgen.config import Settings
from contentgen.engine import Engine
from contentgen.plugins import load_plugins
from contentgen.storage import migrate, reads, search
from contentgen.storage.database import Database
from contentgen.storage.tables import OutputRow
from contentgen.types import MarketingRequest
from tests.conftest import fast_plugin


def _index_names(database: Database) -> set[str]:
    with database.write_engine.connect() as conn:
        found = inspect(conn)
        return {str(i["name"]) for t in ("outputs", "requests") for i in found.get_indexes(t)}


def test_trigram_indexes_exist_on_postgresql_only(db_url: str) -> None:
    database = Database(db_url)
    try:
        migrate.upgrade(database)
        made = _index_names(database) & migrate.SEARCH_INDEXES
        expected = migrate.SEARCH_INDEXES if db_url.startswith("postgresql") else set()
        assert made == expected
    finally:
        database.dispose()


def test_the_search_query_is_one_the_trigram_indexes_serve(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        migrate.upgrade(database)
        runner = reads.QueueFilters(q="Runner")
        count = reads._filtered(select(func.count(OutputRow.id)), runner, indexed=True)
        with database.write_engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")  # an empty table: ask for indexes
            query = count.compile(conn)  # the pattern as a parameter, as the queue sends it
            rows = conn.exec_driver_sql(f"EXPLAIN {query}", query.params)
            plan = "\n".join(str(r[0]) for r in rows)
        for name in migrate.SEARCH_INDEXES:
            assert name in plan, plan
    finally:
        database.dispose()


@pytest.fixture
def plain_role_url(postgres_url: str) -> Iterator[str]:
    """The test database as a role that may create tables but not install extensions."""
    import psycopg

    role, password = f"cg_plain_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    admin_url = make_url(postgres_url).set(drivername="postgresql")
    with psycopg.connect(admin_url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        admin.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {role}")
        try:
            yield admin_url.set(username=role, password=password).render_as_string(
                hide_password=False
            )
        finally:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")


def test_without_the_extension_search_works_and_a_warning_says_why(
    plain_role_url: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", fast_plugin())])
    with Engine(replace(settings, database_url=plain_role_url), plugins, evaluators=[]) as engine:
        with caplog.at_level(logging.WARNING, logger="contentgen.storage.migrate"):
            engine.store  # noqa: B018  (opened, and migrated, on first use)
        assert "without trigram indexes" in caplog.text and "pg_trgm" in caplog.text
        assert migrate.current_revision(engine.store.db) == migrate.head_revision()
        assert not _index_names(engine.store.db) & migrate.SEARCH_INDEXES
        for i in range(2):
            product = {"name": f"Trail Runner {i}", "price": "89 EUR", "sku": f"TR-{i}"}
            engine.generate(MarketingRequest(product=product, channel="sms", variants=2, seed=i))
        for query, count in (("TR-1", 2), ("trail runner", 4), ("Runner 7", 0)):
            _, total = reads.queue_page(
                engine.store, reads.QueueFilters(q=query), limit=9, offset=0
            )
            assert total == count, query


EXPECTED_TOTALS = {
    "trail runner": 6,
    "TR-1": 2,
    "Brûlée": 2,
    "89 EUR": 8,
    "100%_": 0,
    "Runner 7": 0,
}


def test_both_search_forms_find_the_same_outputs_and_the_share_of_matches_picks_one(
    postgres_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", fast_plugin())])
    with Engine(replace(settings, database_url=postgres_url), plugins, evaluators=[]) as engine:
        names = ["Trail Runner 0", "Trail Runner 1", "Trail Runner 2", "Crème Brûlée Set"]
        for i, name in enumerate(names):
            product = {"name": name, "price": "89 EUR", "sku": f"TR-{i}"}
            engine.generate(MarketingRequest(product=product, channel="sms", variants=2, seed=i))
        with engine.store.db.read() as session:
            assert not search.indexed_form(session, "trail runner"), "in 6 of 8 texts: inline"
            assert search.indexed_form(session, "Brûlée"), "in 2 of 8: the trigram indexes"
        for small in (reads.SMALL, 0):  # one pass over few matches, and the large-store path
            monkeypatch.setattr(reads, "SMALL", small)
            for query in EXPECTED_TOTALS:
                pages = {}
                for indexed in (False, True):
                    monkeypatch.setattr(search, "indexed_form", lambda s, q, i=indexed: i)
                    filters = reads.QueueFilters(q=query)
                    pages[indexed] = reads.queue_page(engine.store, filters, limit=3, offset=1)
                assert pages[False] == pages[True], query
                assert pages[True][1] == EXPECTED_TOTALS[query]
