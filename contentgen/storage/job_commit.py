"""One model batch in one transaction: requests, outputs, evaluations and job-item statuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contentgen.errors import StorageError
from contentgen.storage.jobs import DONE
from contentgen.storage.models import EvaluationRow, JobItemRow, OutputRow, RequestRow, utcnow
from contentgen.storage.store import Store, output_values

if TYPE_CHECKING:
    from contentgen.types import Output, Task


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
    store: Store,
    job_id: str,
    items: Sequence[ItemCommit],
    *,
    run_id: str | None = None,
    attempts: int = 4,
) -> list[bool]:
    """Store a model batch's requests, outputs and item statuses in ONE transaction.

    Returns, per item, whether it was written (False: another worker had already finished it).
    A concurrent writer finishing the same key makes the unique (job_id, key) constraint fire;
    the whole transaction is then retried and the now-finished items are skipped. Each item
    records `run_id`, the run that finished it (see storage.job_claims).
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
                "run_id": run_id,
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
