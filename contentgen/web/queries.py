"""Read-only queries behind the review pages: the queue, rating summaries, filter choices, pairs."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, select

from contentgen.errors import ValidationError
from contentgen.storage.models import EvaluationRow, JobRow, OutputRow, RatingRow, RequestRow
from contentgen.storage.store import Store
from contentgen.types import Task

STATUSES = ("ok", "rejected", "failed")
ANY_FLAG = "any"
PAIR_POOL = 200
SelectT = TypeVar("SelectT", bound=Select)  # type: ignore[type-arg]


@dataclass(frozen=True)
class QueueFilters:
    """What the queue is narrowed to; empty strings and None mean 'any'."""

    job_id: str | None = None
    task: str | None = None
    template_id: str | None = None
    generator_id: str | None = None
    channel: str | None = None
    status: str | None = None
    flag: str | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> QueueFilters:
        """Build from query parameters, checking task and status against the valid values."""
        values = {f.name: (str(raw.get(f.name) or "").strip() or None) for f in fields(cls)}
        if values["task"]:
            values["task"] = Task.parse(values["task"]).value
        if values["status"] and values["status"] not in STATUSES:
            raise ValidationError("status", f"unknown status {values['status']!r}", STATUSES)
        return cls(**values)

    def params(self) -> dict[str, str]:
        """The non-empty filters, for links and query strings."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def store_filters(self) -> dict[str, str]:
        """The filters Store.list_outputs / export understand (everything but `flag`)."""
        return {k: v for k, v in self.params().items() if k != "flag"}


@dataclass(frozen=True)
class RatingSummary:
    """Everyone's ratings of one output, and this reviewer's latest score and thumb."""

    count: int = 0
    mean_score: float | None = None
    thumbs_up: int = 0
    thumbs_down: int = 0
    my_score: int | None = None
    my_thumb: bool | None = None
    final_text: str | None = None


@dataclass(frozen=True)
class Facets:
    """The values each queue filter can take, for the filter drop-downs."""

    tasks: tuple[str, ...]
    templates: tuple[str, ...]
    generators: tuple[str, ...]
    channels: tuple[str, ...]
    evaluators: tuple[str, ...]
    jobs: tuple[tuple[str, str], ...]


def _rated() -> Any:
    # Preferences hang off the pair's first output only, so they do not count as a review.
    return (
        select(RatingRow.id)
        .where(RatingRow.output_id == OutputRow.id, RatingRow.kind != "preference")
        .exists()
    )


def _filtered(query: SelectT, f: QueueFilters) -> SelectT:
    if f.job_id:
        query = query.join(RequestRow, RequestRow.id == OutputRow.request_id).where(
            RequestRow.job_id == f.job_id
        )
    columns = {
        OutputRow.task: f.task,
        OutputRow.template_id: f.template_id,
        OutputRow.generator_id: f.generator_id,
        OutputRow.channel: f.channel,
        OutputRow.status: f.status,
    }
    for column, value in columns.items():
        if value:
            query = query.where(column == value)
    if f.flag:
        failed = select(EvaluationRow.id).where(
            EvaluationRow.output_id == OutputRow.id, EvaluationRow.passed.is_(False)
        )
        if f.flag != ANY_FLAG:
            failed = failed.where(EvaluationRow.name == f.flag)
        query = query.where(failed.exists())
    return query


def queue_page(
    store: Store, filters: QueueFilters, *, limit: int, offset: int, unrated_first: bool = True
) -> tuple[list[str], int]:
    """Output ids for one page of the queue (unrated first, newest first) and the total count."""
    base = _filtered(select(OutputRow.id), filters)
    order: list[Any] = [case((_rated(), 1), else_=0)] if unrated_first else []
    order += [OutputRow.created_at.desc(), OutputRow.request_id, OutputRow.idx]
    with store.db.read() as s:
        total = int(s.scalar(select(func.count()).select_from(base.subquery())) or 0)
        ids = list(s.scalars(base.order_by(*order).limit(limit).offset(offset)))
    return ids, total


def rating_summaries(
    store: Store, output_ids: Sequence[str], rater: str | None
) -> dict[str, RatingSummary]:
    """A RatingSummary per output id (outputs without ratings get an empty one)."""
    query = (
        select(RatingRow)
        .where(RatingRow.output_id.in_(list(output_ids)), RatingRow.kind != "preference")
        .order_by(RatingRow.created_at, RatingRow.id)
    )
    grouped: dict[str, list[RatingRow]] = {oid: [] for oid in output_ids}
    with store.db.read() as s:
        for row in s.scalars(query):
            grouped[row.output_id].append(row)
    return {oid: _summary(rows, rater) for oid, rows in grouped.items()}


def _summary(rows: list[RatingRow], rater: str | None) -> RatingSummary:
    scores = [r.score for r in rows if r.score is not None]
    mine = [r for r in rows if r.rater == rater]
    my_scores = [r.score for r in mine if r.score is not None]
    my_thumbs = [r.thumb for r in mine if r.thumb is not None]
    edits = [r.edited_text for r in rows if r.edited_text]
    return RatingSummary(
        count=len(rows),
        mean_score=sum(scores) / len(scores) if scores else None,
        thumbs_up=sum(1 for r in rows if r.thumb is True),
        thumbs_down=sum(1 for r in rows if r.thumb is False),
        my_score=my_scores[-1] if my_scores else None,
        my_thumb=my_thumbs[-1] if my_thumbs else None,
        final_text=edits[-1] if edits else None,
    )


def facets(store: Store) -> Facets:
    """Distinct tasks, templates, generators, channels, evaluator names and jobs."""

    def distinct(column: Any) -> tuple[str, ...]:
        rows = s.scalars(select(column).where(column.is_not(None)).distinct().order_by(column))
        return tuple(str(v) for v in rows)

    with store.db.read() as s:
        jobs = s.execute(
            select(JobRow.id, JobRow.name).order_by(JobRow.created_at.desc()).limit(200)
        )
        return Facets(
            tasks=distinct(OutputRow.task),
            templates=distinct(OutputRow.template_id),
            generators=distinct(OutputRow.generator_id),
            channels=distinct(OutputRow.channel),
            evaluators=distinct(EvaluationRow.name),
            jobs=tuple((str(i), str(n)) for i, n in jobs),
        )


def pick_pair(
    store: Store, filters: QueueFilters, rng: random.Random | None = None
) -> tuple[str, str] | None:
    """Two outputs to compare, in random order: variants of one request not yet compared, if any."""
    rng = rng or random.SystemRandom()
    usable = _filtered(select(OutputRow.id, OutputRow.request_id, OutputRow.task), filters).where(
        OutputRow.status == "ok"
    )
    with store.db.read() as s:
        pool = s.execute(usable.order_by(OutputRow.created_at.desc()).limit(PAIR_POOL)).all()
        compared = set(
            s.scalars(
                select(RatingRow.output_id).where(
                    RatingRow.kind == "preference", RatingRow.output_id.in_([r[0] for r in pool])
                )
            )
        )
    by_request: dict[str, list[str]] = {}
    for oid, request_id, _ in pool:
        by_request.setdefault(request_id, []).append(oid)
    siblings = [ids for ids in by_request.values() if len(ids) >= 2]
    fresh = [ids for ids in siblings if not compared.intersection(ids)]
    if fresh or siblings:
        pair = rng.sample(rng.choice(fresh or siblings), 2)
        return pair[0], pair[1]
    by_task: dict[str, list[str]] = {}
    for oid, _, task in pool:
        by_task.setdefault(task, []).append(oid)
    groups = [ids for ids in by_task.values() if len(ids) >= 2]
    if not groups:
        return None
    pair = rng.sample(rng.choice(groups), 2)
    return pair[0], pair[1]


def channels_of(store: Store, output_ids: Sequence[str]) -> dict[str, str | None]:
    """The marketing channel of each output (None for other tasks)."""
    if not output_ids:
        return {}
    with store.db.read() as s:
        rows = s.execute(
            select(OutputRow.id, OutputRow.channel).where(OutputRow.id.in_(list(output_ids)))
        )
        return {str(i): c for i, c in rows}
