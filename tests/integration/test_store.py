"""The store on SQLite and PostgreSQL: one transaction per call, provenance kept, ratings checked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from contentgen.errors import StorageError, UnknownNameError, ValidationError
from contentgen.ids import new_id
from contentgen.storage import migrate
from contentgen.storage.database import Database
from contentgen.storage.store import Store
from contentgen.storage.tables import Base, OutputRow
from contentgen.types import Evaluation, Output, Provenance, Task

PNG = b"\x89PNG\r\n\x1a\nfake-image-bytes"


def _output(
    request_id: str, index: int, *, text: str | None = "Hello", status: str = "ok"
) -> Output:
    return Output(
        id=new_id(),
        request_id=request_id,
        task=Task.MARKETING,
        index=index,
        text=text,
        fields={"headline": "Hello"},
        image_path=None,
        image_sha256=None,
        status=status,  # type: ignore[arg-type]
        reason=None if status == "ok" else "channel: headline is missing",
        provenance=Provenance(
            generator_id="testing:echo",
            generator_version="1.0",
            model_id="echo",
            model_revision="r1",
            template_id="marketing/search_ad",
            template_hash="ab" * 32,
            params={"temperature": 0.8},
            seed=42,
            timings={"generate_s": 0.01},
        ),
        evaluations=(Evaluation(name="channel", passed=True, score=1.0, detail={"problems": []}),),
    )


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Store:
    built = Store(db_url, tmp_path / "artifacts")
    yield built
    built.close()


def test_a_result_round_trips_with_provenance_and_evaluations(store: Store) -> None:
    rid = new_id()
    saved = store.save_result(
        request_id=rid,
        task=Task.MARKETING,
        payload={"channel": "search_ad"},
        outputs=[_output(rid, 0), _output(rid, 1, status="rejected")],
    )
    loaded = store.get_output(saved[0].id)
    assert loaded.provenance.template_hash == "ab" * 32 and loaded.provenance.seed == 42
    assert loaded.evaluations[0].name == "channel" and loaded.fields == {"headline": "Hello"}
    assert store.get_output(saved[1].id).reason == "channel: headline is missing"
    assert store.request_payload(rid) == {"channel": "search_ad"}


def test_images_are_content_addressed_and_stored_once(store: Store) -> None:
    saved = []
    for _ in range(2):
        rid = new_id()
        output = _output(rid, 0, text=None)
        saved += store.save_result(
            request_id=rid, task=Task.IMAGE, payload={}, outputs=[output], images={output.id: PNG}
        )
    assert (
        saved[0].image_sha256 == saved[1].image_sha256
        and saved[0].image_path == saved[1].image_path
    )
    assert store.get_output(saved[1].id).image_path == saved[0].image_path
    assert store.artifacts.verify(saved[0].image_path, saved[0].image_sha256)
    assert len(list(store.artifacts.root.rglob("*.png"))) == 1


def test_ratings_of_every_kind_are_stored_and_summarised(store: Store) -> None:
    rid = new_id()
    a, b = store.save_result(
        request_id=rid,
        task=Task.MARKETING,
        payload={"channel": "search_ad"},
        outputs=[_output(rid, 0), _output(rid, 1)],
    )
    store.add_rating(a.id, rater="anna", kind="score", score=4)
    store.add_rating(a.id, rater="ben", kind="score", score=2)
    store.add_rating(a.id, rater="anna", kind="thumb", thumb=True)
    store.add_rating(b.id, rater="anna", kind="edit", edited_text="Better copy")
    store.add_rating(
        a.id, rater="anna", kind="preference", other_output_id=b.id, preferred_output_id=b.id
    )
    (row,) = store.stats(by="template")
    assert (row.key, row.outputs, row.rated, row.mean_score, row.thumbs_up) == (
        "marketing/search_ad",
        2,
        2,
        3.0,
        1,
    )
    assert {r.kind for r in store.ratings(b.id)} == {"edit", "preference"}


def test_rating_an_unknown_output_is_a_clear_error_and_stores_nothing(store: Store) -> None:
    with pytest.raises(UnknownNameError, match="unknown output 'nope'"):
        store.add_rating("nope", rater="anna", kind="score", score=3)
    assert store.count("ratings") == 0


def test_a_reimported_rating_is_not_stored_twice(store: Store) -> None:
    rid = new_id()
    (a,) = store.save_result(
        request_id=rid, task=Task.MARKETING, payload={}, outputs=[_output(rid, 0)]
    )
    first = store.add_rating(a.id, rater="sheet", kind="score", score=5, import_key="sheet-1:row-2")
    again = store.add_rating(a.id, rater="sheet", kind="score", score=5, import_key="sheet-1:row-2")
    assert first.id == again.id and store.count("ratings") == 1


def test_list_filters_and_orders_unrated_first(store: Store) -> None:
    rid = new_id()
    outs = store.save_result(
        request_id=rid,
        task=Task.MARKETING,
        payload={"channel": "search_ad"},
        outputs=[_output(rid, i) for i in range(3)],
    )
    store.add_rating(outs[0].id, rater="anna", kind="score", score=5)
    listed = store.list_outputs(unrated_first=True, task="marketing", channel="search_ad")
    assert listed[-1].id == outs[0].id and len(listed) == 3
    with pytest.raises(ValidationError, match="unknown filter"):
        store.list_outputs(colour="red")


def test_iter_outputs_streams_every_output_once_in_order_across_tied_timestamps(
    store: Store,
) -> None:
    stored = []
    for channel in ("search_ad", "email", "search_ad"):
        rid = new_id()
        outputs = [_output(rid, i) for i in range(3)]
        stored += store.save_result(
            request_id=rid, task=Task.MARKETING, payload={"channel": channel}, outputs=outputs
        )
    # Every output at one instant: pages must continue on (request_id, idx), not time alone.
    same = datetime(2024, 1, 1, tzinfo=UTC)
    store.db.write(lambda s: s.execute(update(OutputRow).values(created_at=same)))
    in_order = sorted(stored, key=lambda o: (o.request_id, o.index))

    for size in (1, 2, 4, 9, 10):
        assert [o.id for o in store.iter_outputs(batch_size=size)] == [o.id for o in in_order]
    ads = [o.id for o in store.iter_outputs(batch_size=2, channel="search_ad")]
    assert len(ads) == 6 and set(ads) <= {o.id for o in stored}


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    rid = new_id()
    duplicate = _output(rid, 0)
    with pytest.raises((IntegrityError, StorageError)):
        store.save_result(
            request_id=rid, task=Task.MARKETING, payload={}, outputs=[duplicate, duplicate]
        )
    assert store.count("requests") == 0 and store.count("outputs") == 0


def test_tables_and_migrations_do_not_drift(db_url: str) -> None:
    database = Database(db_url)
    try:
        migrate.upgrade(database)
        with database.write_engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": migrate.include_object}
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"tables and migrations differ: {diff}"
        assert migrate.current_revision(database) == migrate.head_revision()
    finally:
        database.dispose()


def test_the_schema_of_a_url_is_reported_and_upgraded_without_credentials(db_url: str) -> None:
    before = migrate.schema_state(db_url)
    assert before.current is None and before.newest == migrate.head_revision()
    after = migrate.upgrade_schema(db_url)
    assert after.current == after.newest == migrate.head_revision()
    assert after.location == before.location and "@" not in after.location
    assert migrate.schema_state(db_url) == after


def test_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.read_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
