"""Job bookkeeping for the batch layer: job rows, item states and errors, the rows' outcomes.

Every function takes the Store; the writes of a model batch's rows are in `commit` (the engine's
one write path), the claims of rows by runs in `job_claims`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import desc, func, select, text, update
from sqlalchemy.orm import Session, selectinload

from contentgen.errors import BatchError, UnknownNameError
from contentgen.ids import new_id
from contentgen.storage.rows import iso, to_output
from contentgen.storage.tables import JobItemRow, JobRow, OutputRow, utcnow
from contentgen.types import Output, Result

if TYPE_CHECKING:
    from contentgen.storage.store import Store

DONE, FAILED = "done", "failed"


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
class ItemError:
    """A failed row and why it failed."""

    row_index: int
    row_key: str
    error: str
    attempts: int


@dataclass(frozen=True)
class RowOutcome:
    """What became of one batch row: done with its request's result, or failed with an error."""

    row: int
    key: str
    status: str
    result: Result | None = None
    error: str | None = None

    @classmethod
    def of(cls, result: Result) -> RowOutcome:
        """The outcome of a batch row's result as the engine committed it (a note: failed)."""
        if result.item is None:
            raise ValueError("a RowOutcome is made from the result of a batch row")
        failed = bool(result.notes)
        return cls(
            result.item.row_index,
            result.item.row_key,
            FAILED if failed else DONE,
            result,
            result.notes[0] if failed else None,
        )

    @property
    def outputs(self) -> tuple[Output, ...]:
        """The row's accepted outputs (none for a failed row)."""
        return self.result.outputs if self.result is not None and self.status == DONE else ()

    @property
    def rejected(self) -> int:
        """How many drafts of the row were rejected."""
        return len(self.result.rejected) if self.result is not None else 0

    @property
    def request_id(self) -> str | None:
        """The stored request of a done row."""
        return self.result.request_id if self.result is not None and self.status == DONE else None

    @property
    def generate_s(self) -> float:
        """Seconds spent generating the row's drafts."""
        if self.result is None:
            return 0.0
        drafts = (*self.result.outputs, *self.result.rejected)
        return sum(float(o.provenance.timings.get("generate_s", 0.0)) for o in drafts)


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
        created_at=iso(row.created_at),
        updated_at=iso(row.updated_at),
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


def _lock_name(s: Session, name: str) -> None:
    """Serialise opening jobs of one name, so two runs started at once share one job.

    SQLite's write transactions are serial already (BEGIN IMMEDIATE); PostgreSQL's READ
    COMMITTED would let both runs find no job and create one each.
    """
    if s.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(f"contentgen-job\0{name}".encode(), digest_size=8).digest()
    s.execute(
        text("SELECT pg_advisory_xact_lock(:key)"),
        {"key": int.from_bytes(digest, "big", signed=True)},
    )


def open_job(
    store: Store, *, name: str, task: str, config: Mapping[str, Any], total_rows: int | None
) -> tuple[JobInfo, bool]:
    """Resume the newest job called `name` or create it; returns (job, resumed).

    A job's `config["fingerprint"]` (task, generator, template hash, parameters, mapping) must
    match to resume: the same name with different settings would mix two kinds of output.
    """

    def work(s: Session) -> tuple[JobInfo, bool]:
        _lock_name(s, name)
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

    return store.db.write(work)


def set_status(store: Store, job_id: str, status: str) -> None:
    """Mark a job running, done or interrupted."""
    store.db.write(
        lambda s: s.execute(
            update(JobRow).where(JobRow.id == job_id).values(status=status, updated_at=utcnow())
        )
    )


def get_job(store: Store, id_or_name: str) -> JobInfo:
    """A job by id, or the newest job with that name; UnknownNameError naming recent jobs."""
    with store.db.read() as s:
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


def list_jobs(store: Store, *, limit: int = 50) -> list[JobInfo]:
    """Jobs, newest first, with done/failed counts."""
    with store.db.read() as s:
        rows = list(s.scalars(select(JobRow).order_by(desc(JobRow.created_at)).limit(limit)))
        counts = _counts(s, [r.id for r in rows])
        return [_info(r, counts[r.id]) for r in rows]


def item_errors(store: Store, job_id: str, *, limit: int = 20) -> list[ItemError]:
    """The first failed rows of a job, in input order."""
    with store.db.read() as s:
        query = (
            select(JobItemRow)
            .where(JobItemRow.job_id == job_id, JobItemRow.status == FAILED)
            .order_by(JobItemRow.row_index)
            .limit(limit)
        )
        return [
            ItemError(r.row_index, r.row_key, r.error or "", r.attempts) for r in s.scalars(query)
        ]


def iter_export(store: Store, job_id: str, *, page: int = 500) -> Iterator[RowOutcome]:
    """A job's finished rows in input order (done ones with their accepted outputs), streamed
    page by page (keyset)."""
    last = -1
    while True:
        with store.db.read() as s:
            items = s.execute(
                select(
                    JobItemRow.row_index,
                    JobItemRow.row_key,
                    JobItemRow.status,
                    JobItemRow.error,
                    JobItemRow.request_id,
                )
                .where(
                    JobItemRow.job_id == job_id,
                    JobItemRow.row_index > last,
                    JobItemRow.status.in_((DONE, FAILED)),  # not rows a run has only claimed
                )
                .order_by(JobItemRow.row_index)
                .limit(page)
            ).all()
            outputs = _accepted(s, [i.request_id for i in items if i.status == DONE])
        for index, key, status, error, request_id in items:
            found = outputs.get(request_id or "", ())
            if status != DONE:
                yield RowOutcome(index, key, status, None, error)
                continue
            if not found:  # a done row always has accepted outputs; nothing to write otherwise
                continue
            result = Result(request_id=found[0].request_id, task=found[0].task, outputs=found)
            yield RowOutcome(index, key, DONE, result)
        if len(items) < page:
            return
        last = items[-1].row_index


def _accepted(s: Session, request_ids: list[str | None]) -> dict[str, tuple[Output, ...]]:
    """The accepted outputs of these requests, in variant order."""
    ids = [r for r in request_ids if r]
    if not ids:
        return {}
    query = (
        select(OutputRow)
        .options(selectinload(OutputRow.evaluations), selectinload(OutputRow.artifact))
        .where(OutputRow.request_id.in_(ids), OutputRow.status == "ok")
        .order_by(OutputRow.request_id, OutputRow.idx)
    )
    found: dict[str, list[Output]] = {}
    for row in s.scalars(query):
        found.setdefault(row.request_id, []).append(to_output(row))
    return {k: tuple(v) for k, v in found.items()}
