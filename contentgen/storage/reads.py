"""Named reads behind the review pages: the queue, rating summaries, filter choices, pairs, jobs.

Read-only and index-backed: the queue filters on indexed `outputs` columns (task, status,
channel, generator_id, template_id, created_at) and the rating/evaluation foreign keys, and asks
the database for one page of ids; the page then loads those outputs with `Store.get_outputs`.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, select

from contentgen.errors import ValidationError
from contentgen.storage import search, team
from contentgen.storage.facets import Facets as Facets
from contentgen.storage.facets import facets as facets
from contentgen.storage.store import Store
from contentgen.storage.tables import (
    EvaluationRow,
    JobItemRow,
    OutputRow,
    RatingRow,
    RequestRow,
    ReviewStateRow,
)
from contentgen.types import Task

STATUSES = ("ok", "rejected", "failed")
REVIEW_STATUSES = ("draft", "approved", "rejected", "exported", "published")
ANY_FLAG = "any"
MAX_SEARCH = 200
# Filters the queue applies itself; Store.list_outputs and exports take the others.
_QUEUE_ONLY = frozenset({"flag", "q", "review", "assigned"})
SMALL = 500
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
    q: str | None = None
    review: str | None = None
    assigned: str | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any], tasks: Collection[str] | None = None) -> QueueFilters:
        """Build from query parameters, checking task (against `tasks`) and status."""
        values = {f.name: (str(raw.get(f.name) or "").strip() or None) for f in fields(cls)}
        if values["task"]:
            values["task"] = Task.parse(values["task"]).value
            if tasks is not None and values["task"] not in tasks:
                raise ValidationError("task", f"unknown task {values['task']!r}", tasks)
        if values["status"] and values["status"] not in STATUSES:
            raise ValidationError("status", f"unknown status {values['status']!r}", STATUSES)
        if values["review"] and values["review"] not in REVIEW_STATUSES:
            raise ValidationError(
                "review", f"unknown review status {values['review']!r}", REVIEW_STATUSES
            )
        if values["q"] and len(values["q"]) > MAX_SEARCH:
            raise ValidationError("q", f"search for at most {MAX_SEARCH} characters")
        return cls(**values)

    def params(self) -> dict[str, str]:
        """The non-empty filters, for links and query strings."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def store_filters(self) -> dict[str, str]:
        """The filters Store.list_outputs / export understand (not `flag`, `q`, `review`, `assigned`)."""
        return {k: v for k, v in self.params().items() if k not in _QUEUE_ONLY}


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


def _rated() -> Any:
    # Preferences hang off the pair's first output only, so they do not count as a review.
    return (
        select(RatingRow.id)
        .where(RatingRow.output_id == OutputRow.id, RatingRow.kind != "preference")
        .exists()
    )


def _filtered(query: SelectT, f: QueueFilters, *, indexed: bool = False) -> SelectT:
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
    if f.review:
        query = query.where(_review_is(f.review))
    if f.q:
        query = query.where(search.matches(f.q, indexed=indexed))
    if f.assigned:
        query = query.where(team.assigned(f.assigned))
    return query


def _review_is(status: str) -> Any:
    state = select(ReviewStateRow.output_id).where(ReviewStateRow.output_id == OutputRow.id)
    if status == "draft":  # drafts have no state row
        return ~state.exists()
    return state.where(ReviewStateRow.status == status).exists()


_ORDER = (OutputRow.created_at.desc(), OutputRow.request_id, OutputRow.idx)


def queue_page(
    store: Store, filters: QueueFilters, *, limit: int, offset: int, unrated_first: bool = True
) -> tuple[list[str], int]:
    """Output ids for one page of the queue (unrated first, newest first) and the total count.

    With `assigned`, "unrated" means not yet reviewed by that reviewer. A filter that matches
    few outputs is read in one pass; otherwise unrated and rated outputs are asked for apart,
    each newest first: the database walks the created_at index and stops after one page,
    instead of sorting every output by a per-row subquery.
    """
    reviewed = team.reviewed_by(filters.assigned) if filters.assigned else _rated()
    with store.db.read() as s:
        indexed = bool(filters.q and not store.is_sqlite and search.indexed_form(s, filters.q))
        base = _filtered(select(OutputRow.id), filters, indexed=indexed)
        if unrated_first:  # a narrow filter (a search, a SKU): one pass finds all, sorted here
            found = _all_if_few(s, filters, reviewed, indexed)
            if found is not None:
                return found[offset : offset + limit], len(found)
        total = int(s.scalar(select(func.count()).select_from(base.subquery())) or 0)
        if not unrated_first:
            return list(s.scalars(base.order_by(*_ORDER).limit(limit).offset(offset))), total
        fresh = base.where(~reviewed)
        ids = list(s.scalars(fresh.order_by(*_ORDER).limit(limit).offset(offset)))
        if len(ids) < limit:
            count = select(func.count()).select_from(fresh.subquery())
            unrated = offset + len(ids) if ids else int(s.scalar(count) or 0)
            rest = base.where(reviewed).order_by(*_ORDER)
            ids += s.scalars(rest.limit(limit - len(ids)).offset(max(0, offset - unrated)))
    return ids, total


def _all_if_few(s: Any, filters: QueueFilters, reviewed: Any, indexed: bool) -> list[str] | None:
    """Every matching id in queue order when at most SMALL match (else None), in one pass."""
    columns = (OutputRow.id, OutputRow.created_at, OutputRow.request_id, OutputRow.idx)
    probe = _filtered(select(*columns, case((reviewed, 1), else_=0)), filters, indexed=indexed)
    rows = list(s.execute(probe.limit(SMALL + 1)))
    if len(rows) > SMALL:
        return None
    rows.sort(key=lambda r: (r[2], r[3]))  # stable sorts: the last key sorted is the first
    rows.sort(key=lambda r: r[1], reverse=True)
    rows.sort(key=lambda r: r[4])
    return [str(r[0]) for r in rows]


def filtered_ids(store: Store, filters: QueueFilters, *, limit: int) -> list[str]:
    """The ids of up to `limit` outputs matching the filters, newest first."""
    with store.db.read() as s:
        query = _filtered(select(OutputRow.id), filters).order_by(*_ORDER).limit(limit)
        return [str(i) for i in s.scalars(query)]


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


def pick_pair(
    store: Store, filters: QueueFilters, rng: random.Random | None = None
) -> tuple[str, str] | None:
    """Two outputs to compare, in random order: variants of one request not yet compared, if any."""
    rng = rng or random.SystemRandom()
    usable = _filtered(
        select(OutputRow.id, OutputRow.request_id, OutputRow.task, OutputRow.text), filters
    ).where(OutputRow.status == "ok")
    with store.db.read() as s:
        pool = s.execute(usable.order_by(OutputRow.created_at.desc()).limit(PAIR_POOL)).all()
        compared = set(
            s.scalars(
                select(RatingRow.output_id).where(
                    RatingRow.kind == "preference", RatingRow.output_id.in_([r[0] for r in pool])
                )
            )
        )
    by_request: dict[str, list[tuple[str, str | None]]] = {}
    for oid, request_id, _, text in pool:
        by_request.setdefault(request_id, []).append((oid, text))
    siblings = [_distinct(group) for group in by_request.values()]
    siblings = [ids for ids in siblings if len(ids) >= 2]
    fresh = [ids for ids in siblings if not compared.intersection(ids)]
    if fresh or siblings:
        pair = rng.sample(rng.choice(fresh or siblings), 2)
        return pair[0], pair[1]
    by_task: dict[str, list[tuple[str, str | None]]] = {}
    for oid, _, task, text in pool:
        by_task.setdefault(task, []).append((oid, text))
    groups = [_distinct(group) for group in by_task.values()]
    groups = [ids for ids in groups if len(ids) >= 2]
    if not groups:
        return None
    pair = rng.sample(rng.choice(groups), 2)
    return pair[0], pair[1]


def _distinct(group: Sequence[tuple[str, str | None]]) -> list[str]:
    """One output id per distinct text (images, with no text, are all distinct)."""
    seen: set[str] = set()
    ids = []
    for oid, text in group:
        key = " ".join((text or "").split()).casefold()
        if text is not None and key in seen:
            continue
        seen.add(key)
        ids.append(oid)
    return ids


def channels_of(store: Store, output_ids: Sequence[str]) -> dict[str, str | None]:
    """The marketing channel of each output (None for other tasks)."""
    if not output_ids:
        return {}
    with store.db.read() as s:
        rows = s.execute(
            select(OutputRow.id, OutputRow.channel).where(OutputRow.id.in_(list(output_ids)))
        )
        return {str(i): c for i, c in rows}


@dataclass(frozen=True)
class JobOutputs:
    """How many outputs a batch job stored, and how many of them someone reviewed."""

    outputs: int = 0
    rated: int = 0


def job_outputs(store: Store, job_id: str) -> JobOutputs:
    """The job's stored outputs and how many have a score, thumb, comment or edit."""
    outputs = (
        select(OutputRow.id)
        .join(RequestRow, RequestRow.id == OutputRow.request_id)
        .where(RequestRow.job_id == job_id)
    )
    rated = select(func.count(func.distinct(RatingRow.output_id))).where(
        RatingRow.output_id.in_(outputs), RatingRow.kind != "preference"
    )
    with store.db.read() as s:
        total = s.scalar(select(func.count()).select_from(outputs.subquery())) or 0
        return JobOutputs(int(total), int(s.scalar(rated) or 0))


def request_payloads(store: Store, request_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored payload of each request id (ids not stored are left out)."""
    wanted = list(dict.fromkeys(request_ids))
    found: dict[str, dict[str, Any]] = {}
    with store.db.read() as s:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = s.execute(
                select(RequestRow.id, RequestRow.payload).where(RequestRow.id.in_(chunk))
            )
            found.update({str(i): dict(p or {}) for i, p in rows})
    return found


def job_row_keys(store: Store, request_ids: Sequence[str]) -> dict[str, str]:
    """The batch input row key (the --key column's value, else '#n') of each job request."""
    wanted = list(dict.fromkeys(request_ids))
    found: dict[str, str] = {}
    with store.db.read() as s:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = s.execute(
                select(JobItemRow.request_id, JobItemRow.row_key).where(
                    JobItemRow.request_id.in_(chunk)
                )
            )
            found.update({str(r): str(k) for r, k in rows if r is not None})
    return found


def job_output_ids(store: Store, job_id: str, *, status: str | None = None) -> list[str]:
    """The ids of a job's outputs (optionally only those with generation `status`), oldest first."""
    query = (
        select(OutputRow.id)
        .join(RequestRow, RequestRow.id == OutputRow.request_id)
        .where(RequestRow.job_id == job_id)
        .order_by(OutputRow.created_at, OutputRow.request_id, OutputRow.idx)
    )
    if status is not None:
        query = query.where(OutputRow.status == status)
    with store.db.read() as s:
        return [str(i) for i in s.scalars(query)]
