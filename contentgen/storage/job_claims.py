"""SQL for claiming batch rows: runs register, claim rows before generating, and end.

A row belongs to the run in its `run_id` while that run is alive. Claims are taken with a
conditional INSERT ... ON CONFLICT DO NOTHING / UPDATE ... WHERE ... RETURNING in one transaction,
which SQLite serialises (BEGIN IMMEDIATE) and PostgreSQL re-checks row by row under concurrent
updates, so of two runs claiming the same row exactly one gets it. A claim lapses when its run
ends, when the run's heartbeat is older than the lease, or when its process is gone (checked by
the caller, who knows the host); the next claimer then takes the row over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, and_, func, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from contentgen.ids import new_id
from contentgen.storage.jobs import DONE, FAILED
from contentgen.storage.tables import JobItemRow, JobRunRow, utcnow
from contentgen.types import JobItem

if TYPE_CHECKING:
    from contentgen.storage.store import Store

PENDING = "pending"
_ITEMS = cast(Table, JobItemRow.__table__)


@dataclass(frozen=True)
class RunOwner:
    """Who runs a job: a host (with its process namespace), a process id and its start time."""

    host: str
    pid: int
    pid_started: str | None = None


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming some rows: what this run now holds, what is finished, what waits."""

    claimed: frozenset[str] = frozenset()
    finished: Mapping[str, str] = field(default_factory=dict)
    held: frozenset[str] = frozenset()


def db_clock(s: Session) -> float:
    """Seconds since the epoch on the database server's clock (one clock for every host)."""
    if s.get_bind().dialect.name == "postgresql":
        return float(s.scalar(select(func.extract("epoch", func.clock_timestamp()))) or 0.0)
    return float(
        s.scalar(select(literal_column("(julianday('now') - 2440587.5) * 86400.0"))) or 0.0
    )


def start_run(store: Store, job_id: str, owner: RunOwner) -> str:
    """Register a run of the job; returns its id."""
    run_id = new_id()

    def work(s: Session) -> str:
        now = db_clock(s)
        s.add(
            JobRunRow(
                id=run_id,
                job_id=job_id,
                host=owner.host[:200],
                pid=owner.pid,
                pid_started=owner.pid_started,
                started_at=now,
                heartbeat_at=now,
            )
        )
        return run_id

    return store.db.write(work)


def heartbeat(store: Store, run_id: str) -> None:
    """Renew the run's lease (and revive it, should another run have given it up for dead)."""

    def work(s: Session) -> None:
        now = db_clock(s)
        s.execute(
            update(JobRunRow).where(JobRunRow.id == run_id).values(heartbeat_at=now, ended_at=None)
        )

    store.db.write(work)


def end_run(store: Store, run_id: str) -> None:
    """End the run and hand back the rows it claimed but did not finish."""

    def work(s: Session) -> None:
        now = db_clock(s)
        s.execute(update(JobRunRow).where(JobRunRow.id == run_id).values(ended_at=now))
        s.execute(
            update(_ITEMS)
            .where(_ITEMS.c.run_id == run_id, _ITEMS.c.status == PENDING)
            .values(run_id=None)
        )

    store.db.write(work)


def _end_lapsed_runs(
    s: Session,
    job_id: str,
    run_id: str,
    now: float,
    lease_s: float,
    is_dead: Callable[[RunOwner], bool],
) -> None:
    """Mark the job's other runs ended when their lease lapsed or their process is gone."""
    runs = s.execute(
        select(
            JobRunRow.id,
            JobRunRow.host,
            JobRunRow.pid,
            JobRunRow.pid_started,
            JobRunRow.heartbeat_at,
        ).where(JobRunRow.job_id == job_id, JobRunRow.ended_at.is_(None), JobRunRow.id != run_id)
    ).all()
    lapsed = [
        r.id
        for r in runs
        if r.heartbeat_at < now - lease_s or is_dead(RunOwner(r.host, r.pid, r.pid_started))
    ]
    if lapsed:
        s.execute(update(JobRunRow).where(JobRunRow.id.in_(lapsed)).values(ended_at=now))


def _insert_missing(s: Session, job_id: str, run_id: str, items: Sequence[JobItem]) -> set[str]:
    """Insert rows no run has touched yet, claimed by this run; returns the keys inserted."""
    if not items:
        return set()
    dialect = s.get_bind().dialect.name
    build: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    # One order for every run, so two runs inserting the same rows cannot deadlock.
    values = [
        {
            "job_id": job_id,
            "row_index": i.row_index,
            "row_key": i.row_key[:200],
            "idempotency_key": i.key,
            "status": PENDING,
            "attempts": 0,
            "updated_at": now,
            "run_id": run_id,
        }
        for i in sorted(items, key=lambda i: i.key)
    ]
    statement = (
        build(_ITEMS)
        .values(values)
        .on_conflict_do_nothing(index_elements=["job_id", "idempotency_key"])
        .returning(_ITEMS.c.idempotency_key)
    )
    return set(s.scalars(statement))


def claim_items(
    store: Store,
    job_id: str,
    run_id: str,
    items: Sequence[JobItem],
    *,
    insert: bool = True,
    retry_failed: bool = False,
    lease_s: float,
    is_dead: Callable[[RunOwner], bool] = lambda owner: False,
) -> Claim:
    """Claim the rows no live run holds (failed ones too with `retry_failed`), in one transaction.

    Rows new to the job are inserted claimed (unless `insert` is False: rows known to exist).
    A failed row is retried only when the run that recorded its failure has ended: a row that
    failed again in this run, or in another live one, is not generated a second time.
    """
    if not items:
        return Claim()
    keys = [i.key for i in items]
    statuses = (PENDING, FAILED) if retry_failed else (PENDING,)

    def work(s: Session) -> Claim:
        now = db_clock(s)
        _end_lapsed_runs(s, job_id, run_id, now, lease_s, is_dead)
        ended = select(JobRunRow.id).where(
            JobRunRow.job_id == job_id, JobRunRow.ended_at.is_not(None)
        )
        free = or_(_ITEMS.c.run_id.is_(None), _ITEMS.c.run_id.in_(ended))
        claimable = and_(_ITEMS.c.status.in_(statuses), free)
        claimed = _insert_missing(s, job_id, run_id, items) if insert else set()
        claimed |= set(
            s.scalars(
                update(_ITEMS)
                .where(_ITEMS.c.job_id == job_id, _ITEMS.c.idempotency_key.in_(keys), claimable)
                .values(run_id=run_id)
                .returning(_ITEMS.c.idempotency_key)
            )
        )
        rest = [k for k in keys if k not in claimed]
        finished: dict[str, str] = {}
        held: set[str] = set()
        if rest:
            for key, status in s.execute(
                select(_ITEMS.c.idempotency_key, _ITEMS.c.status).where(
                    _ITEMS.c.job_id == job_id, _ITEMS.c.idempotency_key.in_(rest)
                )
            ):
                if status in (DONE, FAILED):
                    finished[key] = status
                else:
                    held.add(key)
        return Claim(frozenset(claimed), finished, frozenset(held))

    return store.db.write(work)
