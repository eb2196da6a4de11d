"""The streaming, resumable batch loop: window -> claim -> rows to requests -> the engine's stream.

The batch layer reads rows, claims them and maps them to requests tagged with their job item;
`Engine.stream` generates them and commits every model batch's requests, outputs and job-item
statuses in one transaction, keyed by idempotency keys, so a run killed at any moment (SIGKILL
included) and started again finishes the job with every row stored exactly once. Rows are
claimed before they are generated, so two runs of one job at once never both generate a row:
each leaves the other's rows to it and waits for them at the end (taking them over if that run
dies). Memory holds one window of rows at a time, plus the keys of rows another run holds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contentgen.batch.claims import RunLease
from contentgen.batch.jobs import JobPlan
from contentgen.batch.readers import InputRow, RowSource
from contentgen.errors import ContentgenError
from contentgen.storage.jobs import DONE, RowOutcome
from contentgen.types import JobItem, JobRun, RowRequest

if TYPE_CHECKING:
    from contentgen.engine import Engine

log = logging.getLogger(__name__)
# How often a run that finished its own rows looks at the rows another run still holds.
WAIT_POLL_S = 1.0


@dataclass(frozen=True)
class PendingRow:
    """An input row that still needs work, with its keys (and its error, if already known)."""

    row: InputRow
    row_key: str
    key: str
    error: str | None = None


@dataclass
class BatchStats:
    """Running totals of one batch run."""

    total: int | None = None
    already_done: int = 0
    by_other_runs: int = 0
    done: int = 0
    failed: int = 0
    outputs: int = 0
    rejected: int = 0
    generate_s: float = 0.0
    load_s: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    errors: list[str] = field(default_factory=list)

    def add(self, result: RowOutcome) -> None:
        """Count one finished row."""
        if result.status == DONE:
            self.done += 1
        else:
            self.failed += 1
            if len(self.errors) < 20 and result.error:
                self.errors.append(result.error)
        self.outputs += len(result.outputs)
        self.rejected += result.rejected
        self.generate_s += result.generate_s

    @property
    def processed(self) -> int:
        """Rows finished in this run."""
        return self.done + self.failed

    @property
    def elapsed_s(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.started


def windows(rows: Iterable[InputRow], size: int) -> Iterator[list[InputRow]]:
    """Consecutive lists of at most `size` rows."""
    window: list[InputRow] = []
    for row in rows:
        window.append(row)
        if len(window) >= size:
            yield window
            window = []
    if window:
        yield window


def duplicate_key(key: str, row: InputRow) -> str:
    """A key of its own for a row repeating an earlier row's key, so it is reported, not lost."""
    return hashlib.sha256(f"{key}\0duplicate\0{row.index}".encode()).hexdigest()


@dataclass
class Selection:
    """A window's rows sorted out: claimed by this run, finished already, held by another run."""

    pending: list[PendingRow]
    finished: int = 0
    held: dict[str, int] = field(default_factory=dict)  # idempotency key -> row index


def candidates(
    plan: JobPlan, rows: Sequence[InputRow], duplicates: dict[int, int] | None = None
) -> list[PendingRow]:
    """Every row of a window with its keys, and its error where one is known before generating."""
    mapping = plan.spec.mapping
    found: list[PendingRow] = []
    first_in_window: dict[str, int] = {}
    for row in rows:
        row_key = mapping.row_key(row)
        key = plan.key(row_key)
        error = row.error or mapping.key_problem(row)
        first = (duplicates or {}).get(row.index, first_in_window.get(key))
        if first is not None and error is None:
            key = duplicate_key(key, row)
            error = f"duplicate key {row_key!r} (first seen in row {first + 1})"
        elif error is None:
            first_in_window[key] = row.index
        found.append(PendingRow(row, row_key, key, f"{row.where}: {error}" if error else None))
    return found


def select_pending(
    plan: JobPlan,
    rows: Sequence[InputRow],
    lease: RunLease,
    duplicates: dict[int, int] | None = None,
) -> Selection:
    """Claim the rows of a window that still need work; count the finished, note the held."""
    found = candidates(plan, rows, duplicates)
    claim = lease.claim([JobItem(c.key, c.row.index, c.row_key) for c in found])
    return Selection(
        [c for c in found if c.key in claim.claimed],
        len(claim.finished),
        {c.key: c.row.index for c in found if c.key in claim.held},
    )


Execute = Callable[[list[PendingRow]], Iterator[RowOutcome]]


def wait_for_held(
    plan: JobPlan,
    source: RowSource,
    stats: BatchStats,
    lease: RunLease,
    held: dict[str, int],
    execute: Execute,
    duplicates: dict[int, int] | None = None,
) -> Iterator[RowOutcome]:
    """Wait for the rows another live run holds; generate those it abandons (its process died)."""
    held = dict(held)
    while held:
        log.info("waiting for %d rows another run of this job is generating", len(held))
        time.sleep(WAIT_POLL_S)
        claim = lease.claim([JobItem(k, i, "") for k, i in held.items()], insert=False)
        stats.by_other_runs += len(claim.finished)
        taken = {held[k] for k in claim.claimed}
        held = {k: i for k, i in held.items() if k in claim.held}
        if taken:
            log.warning("taking over %d rows from a batch run that stopped", len(taken))
            rows = _reread(plan, source, taken, claim.claimed, duplicates)
            if len(rows) < len(taken):  # rows from a one-shot iterable cannot be read again
                log.warning(
                    "%d rows could not be read again; rerun the job", len(taken) - len(rows)
                )
            yield from execute(rows)


def _reread(
    plan: JobPlan,
    source: RowSource,
    indices: set[int],
    keys: frozenset[str],
    duplicates: dict[int, int] | None,
) -> list[PendingRow]:
    """The rows at these positions, read again (windows as in the first pass, for duplicates)."""
    found: list[PendingRow] = []
    for window in windows(source, max(plan.spec.window, plan.batch_size)):
        if any(row.index in indices for row in window):
            found += [c for c in candidates(plan, window, duplicates) if c.key in keys]
    return found


def row_request(plan: JobPlan, pending: PendingRow) -> RowRequest:
    """A claimed row as the engine takes it: its request, or why it has none."""
    row = pending.row
    item = JobItem(pending.key, row.index, pending.row_key, row.where)
    if pending.error is not None or row.values is None:
        return RowRequest(item, None, pending.error)
    try:
        return RowRequest(
            item, plan.spec.mapping.to_request(row.values, plan.fixed(pending.row_key))
        )
    except ContentgenError as exc:
        return RowRequest(item, None, f"{row.where}: {exc}")


def process(engine: Engine, plan: JobPlan, pending: Sequence[PendingRow]) -> Iterator[RowOutcome]:
    """Hand claimed rows to the engine's stream; yield each row's outcome as it commits."""
    if not pending:
        return
    job = JobRun(plan.job.id, plan.run_id, plan.spec.task)
    requests = [row_request(plan, p) for p in pending]
    for result in engine.stream(requests, job=job, window=len(requests)):
        yield RowOutcome.of(result)


def run_local(
    engine: Engine,
    plan: JobPlan,
    source: RowSource,
    stats: BatchStats,
    lease: RunLease,
    duplicates: dict[int, int] | None = None,
) -> Iterator[RowOutcome]:
    """The single-process loop: one window in memory, outcomes yielded as batches commit."""

    def execute(pending: list[PendingRow]) -> Iterator[RowOutcome]:
        return process(engine, plan, pending)

    held: dict[str, int] = {}
    for window in windows(source, max(plan.spec.window, plan.batch_size)):
        selection = select_pending(plan, window, lease, duplicates)
        stats.already_done += selection.finished
        held.update(selection.held)
        yield from execute(selection.pending)
    yield from wait_for_held(plan, source, stats, lease, held, execute, duplicates)
