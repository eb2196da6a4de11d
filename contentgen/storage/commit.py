"""The one write path of generated content: a model batch's results in ONE transaction.

Requests, outputs, evaluations, image artifacts and, for batch rows, the job items' statuses are
written together with one executemany per table (building ORM objects one by one cost more than
generating with a fast model). A batch row's idempotency key makes the write exactly-once: a row
another run already finished is skipped, and a concurrent writer finishing the same key makes
the unique (job_id, key) constraint fire, after which the whole transaction is retried and the
now-finished rows are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contentgen.errors import StorageError
from contentgen.storage.artifacts import StoredFile
from contentgen.storage.jobs import DONE, FAILED
from contentgen.storage.rows import output_values
from contentgen.storage.tables import (
    ArtifactRow,
    EvaluationRow,
    JobItemRow,
    OutputRow,
    RequestRow,
    utcnow,
)
from contentgen.types import JobRun, Output, Result

if TYPE_CHECKING:
    from contentgen.storage.store import Store

ATTEMPTS = 4


def commit_results(
    store: Store,
    results: Sequence[Result],
    *,
    payloads: Mapping[str, Mapping[str, Any]],
    images: Mapping[str, bytes] | None = None,
    job: JobRun | None = None,
) -> list[Result | None]:
    """Store a model batch's results in one transaction; returns them as stored, in order.

    `payloads` is each request's stored payload (by request id), `images` the PNG bytes of image
    outputs (by output id; written to the artifact store first, content-addressed), `job` the
    job the requests belong to (needed for batch rows, optional for others). A result
    with a job `item` also sets that item's status: failed (not stored) when it has a note, else
    done with its request. Such a result comes back None when another run had already finished
    its row, so nothing of it was written. Each item records `job.run_id`, the run that
    finished it (see storage.job_claims).
    """
    files = {oid: store.artifacts.put(data, "image/png") for oid, data in (images or {}).items()}
    stored = [_with_files(r, files) for r in results]
    rows = any(r.item is not None for r in stored)
    if rows and job is None:
        raise ValueError("results of batch rows need the job they belong to")

    def work(s: Session) -> list[Result | None]:
        written: list[Result | None] = list(stored)
        if rows and job is not None:
            written = _claim_items(s, store, stored, job)
        _insert(s, [r for r in written if r is not None and not _failed(r)], payloads, files, job)
        s.flush()
        return written

    for attempt in range(1, ATTEMPTS + 1):
        try:
            return store.db.write(work)
        except IntegrityError as exc:
            if attempt == ATTEMPTS:
                where = f"job {job.job_id}" if job is not None else "the store"
                raise StorageError(f"could not record results for {where}: {exc.orig}") from exc
    raise AssertionError("unreachable")


def _failed(result: Result) -> bool:
    """A batch row that failed: its item records the error, its outputs are not stored."""
    return result.item is not None and bool(result.notes)


def _with_files(result: Result, files: Mapping[str, StoredFile]) -> Result:
    if not files:
        return result

    def filed(output: Output) -> Output:
        file = files.get(output.id)
        if file is None:
            return output
        return replace(output, image_path=file.relative_path, image_sha256=file.sha256)

    return replace(
        result,
        outputs=tuple(filed(o) for o in result.outputs),
        rejected=tuple(filed(o) for o in result.rejected),
    )


def _claim_items(
    s: Session, store: Store, results: Sequence[Result], job: JobRun
) -> list[Result | None]:
    """Write the job items' statuses; None for rows another run finished (or repeated here)."""
    keys = [r.item.key for r in results if r.item is not None]
    query = select(JobItemRow).where(
        JobItemRow.job_id == job.job_id, JobItemRow.idempotency_key.in_(keys)
    )
    if not store.db.is_sqlite:
        query = query.with_for_update()
    existing = {row.idempotency_key: row for row in s.scalars(query)}
    new_items: dict[str, dict[str, Any]] = {}
    written: list[Result | None] = []
    now = utcnow()
    for result in results:
        item = result.item
        if item is None:
            written.append(result)
            continue
        row = existing.get(item.key)
        if (row is not None and row.status == DONE) or item.key in new_items:
            written.append(None)
            continue
        failed = _failed(result)
        values = {
            "status": FAILED if failed else DONE,
            "error": result.notes[0] if failed else None,
            "updated_at": now,
            "request_id": None if failed else result.request_id,
            "run_id": job.run_id,
        }
        if row is None:
            new_items[item.key] = {
                "job_id": job.job_id,
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
        written.append(result)
    if new_items:
        s.execute(insert(JobItemRow), list(new_items.values()))
    return written


def _insert(
    s: Session,
    results: Sequence[Result],
    payloads: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, StoredFile],
    job: JobRun | None,
) -> None:
    """Insert the requests, artifacts, outputs and evaluations: one executemany per table."""
    if not results:
        return
    now = utcnow()
    job_id = job.job_id if job is not None else None
    s.execute(
        insert(RequestRow),
        [
            {
                "id": r.request_id,
                "task": r.task.value,
                "payload": dict(payloads.get(r.request_id, {})),
                "job_id": job_id,
                "created_at": now,
            }
            for r in results
        ],
    )
    outputs = [(o, payloads.get(r.request_id, {})) for r in results for o in _all_outputs(r)]
    _insert_artifacts(s, [files[o.id] for o, _ in outputs if o.id in files])
    if outputs:
        s.execute(
            insert(OutputRow), [{**output_values(o, p), "created_at": now} for o, p in outputs]
        )
    evaluations = [
        {
            "output_id": o.id,
            "name": e.name,
            "passed": e.passed,
            "score": e.score,
            "detail": dict(e.detail),
        }
        for o, _ in outputs
        for e in o.evaluations
    ]
    if evaluations:
        s.execute(insert(EvaluationRow), evaluations)


def _all_outputs(result: Result) -> list[Output]:
    """A request's outputs, accepted and rejected, in their stored order."""
    return sorted((*result.outputs, *result.rejected), key=lambda o: o.index)


def _insert_artifacts(s: Session, files: Sequence[StoredFile]) -> None:
    by_sha = {f.sha256: f for f in files}
    if not by_sha:
        return
    known = set(s.scalars(select(ArtifactRow.sha256).where(ArtifactRow.sha256.in_(by_sha))))
    missing = [f for sha, f in by_sha.items() if sha not in known]
    if missing:
        s.execute(
            insert(ArtifactRow),
            [
                {
                    "sha256": f.sha256,
                    "path": f.relative_path,
                    "media_type": f.media_type,
                    "size_bytes": f.size_bytes,
                }
                for f in missing
            ],
        )
