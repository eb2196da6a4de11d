"""The streaming, resumable batch loop: window -> claim -> render -> model batches -> commit.

Every model batch's requests, outputs and job-item statuses are committed in one transaction,
keyed by idempotency keys, so a run killed at any moment (SIGKILL included) and started again
finishes the job with every row stored exactly once. Rows are claimed before they are generated,
so two runs of one job at once never both generate a row: each leaves the other's rows to it and
waits for them at the end (taking them over if that run dies). Memory holds one window of rows
at a time, plus the keys of rows another run holds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contentgen.batch.claims import RunLease
from contentgen.batch.jobs import JobPlan
from contentgen.batch.readers import InputRow, RowSource
from contentgen.errors import ContentgenError
from contentgen.storage.job_claims import ItemKey
from contentgen.storage.job_commit import ItemCommit, StoredRequest, commit_items
from contentgen.storage.jobs import DONE, FAILED, ExportRow
from contentgen.types import Output

if TYPE_CHECKING:
    from contentgen.engine import Engine, Produced, Work

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


@dataclass(frozen=True)
class RowResult:
    """What one input row produced in this run."""

    row: int
    key: str
    status: str
    lines: tuple[ExportRow, ...] = ()
    outputs: tuple[Output, ...] = ()
    rejected: int = 0
    error: str | None = None
    request_id: str | None = None
    generate_s: float = 0.0

    @classmethod
    def build(
        cls, row: int, key: str, status: str, outputs: Sequence[Output] = (), **extra: Any
    ) -> RowResult:
        """A result with its results-file lines: one per accepted variant, or one for a failure."""
        error = extra.get("error")
        if status == DONE:
            lines = tuple(
                ExportRow(row, key, DONE, o.index + 1, o.text, dict(o.fields), None, o.id)
                for o in outputs
            )
        else:
            lines = (ExportRow(row, key, status, None, None, {}, error, None),)
        return cls(row, key, status, lines, tuple(outputs), **extra)


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

    def add(self, result: RowResult) -> None:
        """Count one finished row."""
        if result.status == DONE:
            self.done += 1
        else:
            self.failed += 1
            if len(self.errors) < 20 and result.error:
                self.errors.append(result.error)
        self.outputs += len(result.lines) if result.status == DONE else 0
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
    claim = lease.claim([ItemKey(c.key, c.row.index, c.row_key) for c in found])
    return Selection(
        [c for c in found if c.key in claim.claimed],
        len(claim.finished),
        {c.key: c.row.index for c in found if c.key in claim.held},
    )


Execute = Callable[[list[PendingRow]], Iterator[RowResult]]


def wait_for_held(
    plan: JobPlan,
    source: RowSource,
    stats: BatchStats,
    lease: RunLease,
    held: dict[str, int],
    execute: Execute,
    duplicates: dict[int, int] | None = None,
) -> Iterator[RowResult]:
    """Wait for the rows another live run holds; generate those it abandons (its process died)."""
    held = dict(held)
    while held:
        log.info("waiting for %d rows another run of this job is generating", len(held))
        time.sleep(WAIT_POLL_S)
        claim = lease.claim([ItemKey(k, i, "") for k, i in held.items()], insert=False)
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


def process(
    engine: Engine, plan: JobPlan, pending: Sequence[PendingRow]
) -> Iterator[list[RowResult]]:
    """Render, sort by prompt length, generate in model batches, commit and yield each batch."""
    works: list[tuple[PendingRow, Work]] = []
    early: list[tuple[PendingRow, str]] = []
    for item in pending:
        if item.error is not None:
            early.append((item, item.error))
            continue
        assert item.row.values is not None
        try:
            request = plan.spec.mapping.to_request(item.row.values, plan.fixed(item.row_key))
            works.append((item, engine.prepare(request)))
        except ContentgenError as exc:
            early.append((item, f"{item.row.where}: {exc}"))
    if early:
        yield commit(engine, plan, [(item, None, error) for item, error in early])
    works.sort(key=lambda pw: len(pw[1].rendered.text) if pw[1].rendered else 0)
    size = plan.batch_size
    for start in range(0, len(works), size):
        chunk = works[start : start + size]
        generated = _generate(engine, [w for _, w in chunk])
        entries = []
        for (item, _), produced in zip(chunk, generated, strict=True):
            problem = _problem(produced)
            entries.append((item, produced, f"{item.row.where}: {problem}" if problem else None))
        yield commit(engine, plan, entries)


def _generate(engine: Engine, works: list[Work]) -> list[Produced]:
    engine.run(works)
    failed = [w for w in works if w.error]
    if (
        len(works) > 1
        and len(failed) == len(works)
        and "failed to load" not in (failed[0].error or "")
    ):
        # One bad prompt can fail a whole model batch: retry one by one so only it fails.
        log.warning(
            "a model batch of %d failed (%s); retrying its rows one by one",
            len(works),
            failed[0].error,
        )
        for work in works:
            work.error = None
            engine.run([work])
    return [engine.finish(w) for w in works]


def _problem(produced: Produced) -> str | None:
    if produced.error:
        return produced.error
    if not any(o.status == "ok" for o in produced.outputs):
        reasons = [o.reason for o in produced.outputs if o.reason]
        return "no variant passed the checks" + (f": {reasons[0]}" if reasons else "")
    return None


def commit(
    engine: Engine, plan: JobPlan, entries: Sequence[tuple[PendingRow, Produced | None, str | None]]
) -> list[RowResult]:
    """Store one model batch (requests, outputs, item statuses) in one transaction."""
    commits = []
    results = []
    for item, produced, error in entries:
        status = FAILED if error else DONE
        stored = None
        if produced is not None and status == DONE:
            stored = StoredRequest(
                produced.request_id,
                produced.task,
                produced.payload,
                produced.outputs,
                produced.images,
            )
        commits.append(ItemCommit(item.key, item.row.index, item.row_key, status, error, stored))
        outputs = produced.outputs if produced is not None else ()
        results.append(
            RowResult.build(
                item.row.index,
                item.row_key,
                status,
                tuple(o for o in outputs if o.status == "ok") if status == DONE else (),
                rejected=sum(1 for o in outputs if o.status != "ok"),
                error=error,
                request_id=stored.request_id if stored else None,
                generate_s=sum(float(o.provenance.timings.get("generate_s", 0.0)) for o in outputs),
            )
        )
    written = commit_items(engine.store, plan.job.id, commits, run_id=plan.run_id)
    return [r for r, w in zip(results, written, strict=True) if w]


def run_local(
    engine: Engine,
    plan: JobPlan,
    source: RowSource,
    stats: BatchStats,
    lease: RunLease,
    duplicates: dict[int, int] | None = None,
) -> Iterator[RowResult]:
    """The single-process loop: one window in memory, results yielded as batches commit."""

    def execute(pending: list[PendingRow]) -> Iterator[RowResult]:
        for results in process(engine, plan, pending):
            yield from results

    held: dict[str, int] = {}
    for window in windows(source, max(plan.spec.window, plan.batch_size)):
        selection = select_pending(plan, window, lease, duplicates)
        stats.already_done += selection.finished
        held.update(selection.held)
        yield from execute(selection.pending)
    yield from wait_for_held(plan, source, stats, lease, held, execute, duplicates)
