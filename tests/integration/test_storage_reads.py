"""The review page's named reads (storage.reads) on SQLite and PostgreSQL, called directly."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from contentgen.errors import ValidationError
from contentgen.ids import new_id
from contentgen.storage import jobs, reads
from contentgen.storage.reads import JobOutputs, QueueFilters, RatingSummary
from contentgen.storage.store import Store
from contentgen.storage.tables import OutputRow
from contentgen.types import Evaluation, Output, Provenance, Task

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
EVERYTHING = QueueFilters()


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store on a migrated, empty database."""
    opened = Store(db_url, tmp_path / "artifacts")
    yield opened
    opened.close()


def _output(request_id: str, index: int, task: Task, status: str, failed: Sequence[str]) -> Output:
    checks = ("channel", "brand")
    return Output(
        id=new_id(),
        request_id=request_id,
        task=task,
        index=index,
        text=f"text {request_id[:8]} {index}",
        fields={},
        image_path=None,
        image_sha256=None,
        status=status,  # type: ignore[arg-type]
        reason=None if status == "ok" else "a check failed",
        provenance=Provenance(
            generator_id="testing:echo" if task == Task.MARKETING else "builtin:extractive",
            generator_version="1",
            model_id=None,
            model_revision=None,
            template_id=f"{task.value}/default",
            template_hash=None,
            params={},
            seed=index,
            timings={},
        ),
        evaluations=tuple(Evaluation(name=n, passed=n not in failed) for n in checks),
    )


def _save(
    store: Store,
    minute: int,
    *,
    task: Task = Task.MARKETING,
    channel: str | None = "search_ad",
    variants: int = 1,
    status: str = "ok",
    failed: Sequence[str] = (),
    job_id: str | None = None,
) -> list[str]:
    """Store one request's outputs stamped `minute` minutes after EPOCH; returns their ids."""
    request_id = new_id()
    outputs = [_output(request_id, i, task, status, failed) for i in range(variants)]
    payload = {"channel": channel} if channel else {}
    store.save_result(
        request_id=request_id, task=task, payload=payload, outputs=outputs, job_id=job_id
    )
    ids = [o.id for o in outputs]
    # Fixed creation times make "newest first" independent of how fast the inserts ran.
    stamp = EPOCH + timedelta(minutes=minute)
    store.db.write(
        lambda s: s.execute(update(OutputRow).where(OutputRow.id.in_(ids)).values(created_at=stamp))
    )
    return ids


def test_the_queue_pages_unrated_outputs_first_then_newest_with_the_total(store: Store) -> None:
    (first,), (second,), (third,) = (_save(store, m) for m in (1, 2, 3))
    store.add_rating(third, rater="ann", kind="score", score=4)
    # A preference hangs off its first output only; it is not a review of it.
    store.add_rating(
        second, rater="ann", kind="preference", other_output_id=first, preferred_output_id=first
    )

    assert reads.queue_page(store, EVERYTHING, limit=2, offset=0) == ([second, first], 3)
    assert reads.queue_page(store, EVERYTHING, limit=2, offset=2) == ([third], 3)
    newest = reads.queue_page(store, EVERYTHING, limit=10, offset=0, unrated_first=False)
    assert newest == ([third, second, first], 3)


def test_queue_filters_narrow_by_column_job_and_failed_check(store: Store) -> None:
    job, _ = jobs.open_job(store, name="spring", task="marketing", config={}, total_rows=1)
    (flagged,) = _save(store, 1, failed=("brand",))
    (news,) = _save(store, 2, task=Task.NEWS_SUMMARY, channel=None)
    (rejected,) = _save(store, 3, status="rejected", failed=("channel",))
    (in_job,) = _save(store, 4, channel="email", job_id=job.id)

    def ids(**filters: str) -> set[str]:
        found, total = reads.queue_page(store, QueueFilters(**filters), limit=50, offset=0)
        assert total == len(found)
        return set(found)

    assert ids(task="marketing") == {flagged, rejected, in_job}
    assert ids(task="news_summary") == {news}
    assert ids(status="rejected") == {rejected}
    assert ids(channel="email") == {in_job}
    assert ids(job_id=job.id) == {in_job}
    assert ids(generator_id="builtin:extractive") == {news}
    assert ids(template_id="marketing/default", status="ok") == {flagged, in_job}
    assert ids(flag=reads.ANY_FLAG) == {flagged, rejected}
    assert ids(flag="brand") == {flagged}
    assert ids(flag="grounding") == set()


def test_rating_summaries_count_everyone_and_keep_this_reviewers_latest(store: Store) -> None:
    (rated,) = _save(store, 1)
    (unrated,) = _save(store, 2)
    for kind, value in (("score", 2), ("score", 4), ("thumb", False)):
        store.add_rating(rated, rater="ann", kind=kind, **{kind: value})  # type: ignore[arg-type]
    store.add_rating(rated, rater="bob", kind="thumb", thumb=True)
    store.add_rating(rated, rater="bob", kind="score", score=5)
    store.add_rating(rated, rater="bob", kind="edit", edited_text="Final words")
    store.add_rating(
        rated, rater="bob", kind="preference", other_output_id=unrated, preferred_output_id=rated
    )

    summaries = reads.rating_summaries(store, [rated, unrated], "ann")

    assert summaries[rated] == RatingSummary(
        count=6,
        mean_score=pytest.approx(11 / 3),
        thumbs_up=1,
        thumbs_down=1,
        my_score=4,
        my_thumb=False,
        final_text="Final words",
    )
    assert summaries[unrated] == RatingSummary()
    assert reads.rating_summaries(store, [rated], "carol")[rated].my_score is None


def test_facets_list_each_filters_values_and_the_newest_jobs(store: Store) -> None:
    older, _ = jobs.open_job(store, name="older", task="marketing", config={}, total_rows=None)
    newer, _ = jobs.open_job(store, name="newer", task="marketing", config={}, total_rows=None)
    _save(store, 1, channel="email")
    _save(store, 2, task=Task.NEWS_SUMMARY, channel=None)

    facets = reads.facets(store)

    assert facets.tasks == ("marketing", "news_summary")
    assert facets.templates == ("marketing/default", "news_summary/default")
    assert facets.generators == ("builtin:extractive", "testing:echo")
    assert facets.channels == ("email",)
    assert facets.evaluators == ("brand", "channel")
    assert set(facets.jobs) == {(older.id, "older"), (newer.id, "newer")}


def test_pick_pair_prefers_variants_of_one_request_not_compared_yet(store: Store) -> None:
    compared = _save(store, 1, variants=2)
    fresh = _save(store, 2, variants=2)
    _save(store, 3, variants=2, status="rejected")
    store.add_rating(
        compared[0],
        rater="ann",
        kind="preference",
        other_output_id=compared[1],
        preferred_output_id=compared[0],
    )

    for seed in range(5):
        pair = reads.pick_pair(store, EVERYTHING, random.Random(seed))
        assert pair is not None and set(pair) == set(fresh)


def test_pick_pair_falls_back_to_two_outputs_of_one_task_or_none(store: Store) -> None:
    (lonely,) = _save(store, 1, task=Task.NEWS_SUMMARY, channel=None)
    assert reads.pick_pair(store, EVERYTHING, random.Random(0)) is None
    (one,) = _save(store, 2)
    (two,) = _save(store, 3)

    pair = reads.pick_pair(store, EVERYTHING, random.Random(0))

    assert pair is not None and set(pair) == {one, two}
    assert reads.pick_pair(store, QueueFilters(task="news_summary"), random.Random(0)) is None


def test_channels_of_names_each_outputs_channel(store: Store) -> None:
    (ad,) = _save(store, 1, channel="search_ad")
    (news,) = _save(store, 2, task=Task.NEWS_SUMMARY, channel=None)

    assert reads.channels_of(store, [ad, news]) == {ad: "search_ad", news: None}
    assert reads.channels_of(store, []) == {}


def test_job_outputs_counts_a_jobs_outputs_and_the_reviewed_ones(store: Store) -> None:
    job, _ = jobs.open_job(store, name="spring", task="marketing", config={}, total_rows=2)
    empty, _ = jobs.open_job(store, name="empty", task="marketing", config={}, total_rows=0)
    scored, compared = _save(store, 1, variants=2, job_id=job.id)
    _save(store, 2)  # not in the job
    store.add_rating(scored, rater="ann", kind="score", score=3)
    store.add_rating(scored, rater="bob", kind="thumb", thumb=True)
    store.add_rating(
        compared, rater="ann", kind="preference", other_output_id=scored, preferred_output_id=scored
    )

    assert reads.job_outputs(store, job.id) == JobOutputs(outputs=2, rated=1)
    assert reads.job_outputs(store, empty.id) == JobOutputs(outputs=0, rated=0)


def test_queue_filters_parse_query_values_and_name_valid_statuses() -> None:
    parsed = QueueFilters.parse({"task": "news-summary", "status": " ok ", "channel": ""})
    assert parsed == QueueFilters(task="news_summary", status="ok")
    assert parsed.params() == {"task": "news_summary", "status": "ok"}
    assert QueueFilters(flag="any", job_id="j1").store_filters() == {"job_id": "j1"}
    with pytest.raises(ValidationError, match="rejected"):
        QueueFilters.parse({"status": "pending"})
