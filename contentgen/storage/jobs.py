"""SQL for batch jobs: job rows, per-row items with idempotency keys, and export reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import desc, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contentgen.errors import BatchError, StorageError, UnknownNameError
from contentgen.ids import new_id
from contentgen.storage.database import Database
from contentgen.storage.models import (
    EvaluationRow,
    JobItemRow,
    JobRow,
    OutputRow,
    RequestRow,
    utcnow,
)
from contentgen.storage.store import Store

if TYPE_CHECKING:
    from contentgen.types import Output, Task

DONE, FAILED = "done", "failed"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class JobInfo:
    """A batch job with its item counts."""

    id: str
    name: str
    task: str
    status: str
    config: Mapping[str, Any]
    total_rows: int | None
    done: int = 0
    failed: int = 0
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def pending(self) -> int | None:
        """Rows not finished yet (None while the input has not been counted)."""
        if self.total_rows is None:
            return None
        return max(0, self.total_rows - self.done - self.failed)


@dataclass(frozen=True)
class ItemState:
    """What the database knows about one row of a job."""

    row_index: int
    status: str


@dataclass(frozen=True)
class ItemError:
    """A failed row and why it failed."""

    row_index: int
    row_key: str
    error: str
    attempts: int


@dataclass(frozen=True)
class StoredRequest:
    """A generated request ready to store: the fields of Store.save_result."""

    request_id: str
    task: Task
    payload: Mapping[str, Any]
    outputs: Sequence[Output]
    images: Mapping[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemCommit:
    """One row's outcome: its item, and for a done row the request with its outputs."""

    key: str
    row_index: int
    row_key: str
    status: str
    error: str | None = None
    request: StoredRequest | None = None


@dataclass(frozen=True)
class ExportRow:
    """One line of a job's results file: an accepted variant, or a failed row."""

    row_index: int
    row_key: str
    status: str
    variant: int | None
    text: str | None
    fields: Mapping[str, str]
    error: str | None
    output_id: str | None


def _info(row: JobRow, counts: Mapping[str, int]) -> JobInfo:
    return JobInfo(
        id=row.id,
        name=row.name,
        task=row.task,
        status=row.status,
        config=dict(row.config or {}),
        total_rows=row.total_rows,
        done=counts.get(DONE, 0),
        failed=counts.get(FAILED, 0),
        created_at=_iso(row.created_at),
        updated_at=_iso(row.updated_at),
    )


def _counts(s: Session, job_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {j: {} for j in job_ids}
    if not job_ids:
        return found
    query = (
        select(JobItemRow.job_id, JobItemRow.status, func.count())
        .where(JobItemRow.job_id.in_(job_ids))
        .group_by(JobItemRow.job_id, JobItemRow.status)
    )
    for job_id, status, n in s.execute(query):
        found[job_id][status] = int(n)
    return found


def open_job(
    db: Database, *, name: str, task: str, config: Mapping[str, Any], total_rows: int | None
) -> tuple[JobInfo, bool]:
    """Resume the newest job called `name` or create it; returns (job, resumed).

    A job's `config["fingerprint"]` (task, generator, template hash, parameters, mapping) must
    match to resume: the same name with different settings would mix two kinds of output.
    """

    def work(s: Session) -> tuple[JobInfo, bool]:
        row = s.scalar(
            select(JobRow).where(JobRow.name == name).order_by(desc(JobRow.created_at)).limit(1)
        )
        if row is not None:
            old = (row.config or {}).get("fingerprint")
            if old != config.get("fingerprint"):
                changed = [
                    k
                    for k in (
                        "task",
                        "generator",
                        "template",
                        "template_hash",
                        "params",
                        "variants",
                        "channel",
                        "mapping",
                        "key",
                    )
                    if (row.config or {}).get(k) != config.get(k)
                ]
                raise BatchError(
                    f"job {name!r} ({row.id}) was started with other settings "
                    f"(changed: {', '.join(changed) or 'fingerprint'}); "
                    "rerun with the same options "
                    "to resume it, or pick a new --job-name"
                )
            row.status = "running"
            if total_rows is not None:
                row.total_rows = total_rows
            row.config = {**(row.config or {}), **dict(config)}
            s.flush()
            return _info(row, _counts(s, [row.id])[row.id]), True
        row = JobRow(
            id=new_id(),
            name=name,
            task=task,
            status="running",
            config=dict(config),
            total_rows=total_rows,
        )
        s.add(row)
        s.flush()
        return _info(row, {}), False

    return db.write(work)


def set_status(db: Database, job_id: str, status: str) -> None:
    """Mark a job running, done or interrupted."""
    db.write(
        lambda s: s.execute(
            update(JobRow).where(JobRow.id == job_id).values(status=status, updated_at=utcnow())
        )
    )


def get_job(db: Database, id_or_name: str) -> JobInfo:
    """A job by id, or the newest job with that name."""
    with db.read() as s:
        row = s.get(JobRow, id_or_name) or s.scalar(
            select(JobRow)
            .where(JobRow.name == id_or_name)
            .order_by(desc(JobRow.created_at))
            .limit(1)
        )
        if row is None:
            known = s.scalars(select(JobRow.name).order_by(desc(JobRow.created_at)).limit(20))
            raise UnknownNameError("job", id_or_name, list(known))
        return _info(row, _counts(s, [row.id])[row.id])


def list_jobs(db: Database, *, limit: int = 50) -> list[JobInfo]:
    """Jobs, newest first, with done/failed counts."""
    with db.read() as s:
        rows = list(s.scalars(select(JobRow).order_by(desc(JobRow.created_at)).limit(limit)))
        counts = _counts(s, [r.id for r in rows])
        return [_info(r, counts[r.id]) for r in rows]


def item_states(db: Database, job_id: str, keys: Sequence[str]) -> dict[str, ItemState]:
    """The stored state of the items with these idempotency keys (missing keys: not started)."""
    if not keys:
        return {}
    with db.read() as s:
        query = select(JobItemRow.idempotency_key, JobItemRow.row_index, JobItemRow.status).where(
            JobItemRow.job_id == job_id, JobItemRow.idempotency_key.in_(list(keys))
        )
        return {k: ItemState(i, st) for k, i, st in s.execute(query)}


def item_errors(db: Database, job_id: str, *, limit: int = 20) -> list[ItemError]:
    """The first failed rows of a job, in input order."""
    with db.read() as s:
        query = (
            select(JobItemRow)
            .where(JobItemRow.job_id == job_id, JobItemRow.status == FAILED)
            .order_by(JobItemRow.row_index)
            .limit(limit)
        )
        return [
            ItemError(r.row_index, r.row_key, r.error or "", r.attempts) for r in s.scalars(query)
        ]


def output_values(output: Output, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The `outputs` row of a text output as plain values (Store._output_row, without objects)."""
    p = output.provenance
    return {
        "id": output.id,
        "request_id": output.request_id,
        "idx": output.index,
        "task": output.task.value,
        "status": output.status,
        "reason": output.reason,
        "text": output.text,
        "fields": dict(output.fields),
        "channel": payload.get("channel"),
        "artifact_sha256": output.image_sha256,
        "generator_id": p.generator_id,
        "generator_version": p.generator_version,
        "model_id": p.model_id,
        "model_revision": p.model_revision,
        "template_id": p.template_id,
        "template_hash": p.template_hash,
        "params": dict(p.params),
        "seed": p.seed,
        "timings": dict(p.timings),
        "fallback_from": p.fallback_from,
    }


def _bulk_insert(s: Session, job_id: str, requests: Sequence[StoredRequest]) -> None:
    """Insert a model batch's requests, outputs and evaluations with one executemany per table.

    Building ORM objects one by one cost more than generating with a fast model, so text-only
    batches go through Core inserts; rows with images use Store.save_result instead.
    """
    if not requests:
        return
    now = utcnow()
    s.execute(
        insert(RequestRow),
        [
            {
                "id": r.request_id,
                "task": r.task.value,
                "payload": dict(r.payload),
                "job_id": job_id,
                "created_at": now,
            }
            for r in requests
        ],
    )
    outputs = [
        {**output_values(o, r.payload), "created_at": now} for r in requests for o in r.outputs
    ]
    if outputs:
        s.execute(insert(OutputRow), outputs)
    evaluations = [
        {
            "output_id": o.id,
            "name": e.name,
            "passed": e.passed,
            "score": e.score,
            "detail": dict(e.detail),
        }
        for r in requests
        for o in r.outputs
        for e in o.evaluations
    ]
    if evaluations:
        s.execute(insert(EvaluationRow), evaluations)


def commit_items(
    store: Store, job_id: str, items: Sequence[ItemCommit], *, attempts: int = 4
) -> list[bool]:
    """Store a model batch's requests, outputs and item statuses in ONE transaction.

    Returns, per item, whether it was written (False: another worker had already finished it).
    A concurrent writer finishing the same key makes the unique (job_id, key) constraint fire;
    the whole transaction is then retried and the now-finished items are skipped.
    """

    def work(s: Session) -> list[bool]:
        keys = [i.key for i in items]
        query = select(JobItemRow).where(
            JobItemRow.job_id == job_id, JobItemRow.idempotency_key.in_(keys)
        )
        if not store.db.is_sqlite:
            query = query.with_for_update()
        existing = {r.idempotency_key: r for r in s.scalars(query)}
        written = []
        text_only: list[StoredRequest] = []
        new_items: dict[str, dict[str, Any]] = {}
        now = utcnow()
        for item in items:
            row = existing.get(item.key)
            if (row is not None and row.status == DONE) or item.key in new_items:
                written.append(False)
                continue
            request = item.request if item.status == DONE else None
            if request is not None and request.images:
                store.save_result(
                    request_id=request.request_id,
                    task=request.task,
                    payload=request.payload,
                    outputs=request.outputs,
                    images=request.images,
                    job_id=job_id,
                    session=s,
                )
            elif request is not None:
                text_only.append(request)
            values = {
                "status": item.status,
                "error": item.error,
                "updated_at": now,
                "request_id": request.request_id if request is not None else None,
            }
            if row is None:
                new_items[item.key] = {
                    "job_id": job_id,
                    "row_index": item.row_index,
                    "row_key": item.row_key[:200],
                    "idempotency_key": item.key,
                    "attempts": 1,
                    **values,
                }
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                row.attempts = (row.attempts or 0) + 1
            written.append(True)
        if new_items:
            s.execute(insert(JobItemRow), list(new_items.values()))
        _bulk_insert(s, job_id, text_only)
        s.flush()
        return written

    for attempt in range(1, attempts + 1):
        try:
            return store.db.write(work)
        except IntegrityError as exc:
            if attempt == attempts:
                raise StorageError(
                    f"could not record batch items for job {job_id}: {exc.orig}"
                ) from exc
    raise AssertionError("unreachable")


def iter_export(db: Database, job_id: str, *, page: int = 500) -> Iterator[ExportRow]:
    """A job's accepted outputs and failed rows in input order, streamed page by page."""
    last = -1
    while True:
        with db.read() as s:
            items = s.execute(
                select(
                    JobItemRow.row_index,
                    JobItemRow.row_key,
                    JobItemRow.status,
                    JobItemRow.error,
                    JobItemRow.request_id,
                )
                .where(JobItemRow.job_id == job_id, JobItemRow.row_index > last)
                .order_by(JobItemRow.row_index)
                .limit(page)
            ).all()
            request_ids = [i.request_id for i in items if i.status == DONE and i.request_id]
            outputs: dict[str, list[Any]] = {}
            if request_ids:
                query = (
                    select(
                        OutputRow.request_id,
                        OutputRow.idx,
                        OutputRow.text,
                        OutputRow.fields,
                        OutputRow.id,
                    )
                    .where(OutputRow.request_id.in_(request_ids), OutputRow.status == "ok")
                    .order_by(OutputRow.request_id, OutputRow.idx)
                )
                for row in s.execute(query):
                    outputs.setdefault(row.request_id, []).append(row)
        for index, key, status, error, request_id in items:
            if status != DONE:
                yield ExportRow(index, key, status, None, None, {}, error, None)
                continue
            for o in outputs.get(request_id or "", []):
                yield ExportRow(
                    index, key, DONE, o.idx + 1, o.text, dict(o.fields or {}), None, o.id
                )
        if len(items) < page:
            return
        last = items[-1].row_index
