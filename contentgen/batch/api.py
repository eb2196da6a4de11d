"""The batch entry points: `run_batch` / `Engine.batch` build a BatchRun, which you iterate;
`export_job` writes a finished (or partial) job's results file from the database."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.batch.claims import RunLease
from contentgen.batch.jobs import BatchSpec, JobPlan, plan_job
from contentgen.batch.mapping import RowMapping
from contentgen.batch.readers import RowSource
from contentgen.batch.runner import BatchStats, run_local
from contentgen.batch.writers import ResultsFile
from contentgen.errors import BatchError
from contentgen.ids import new_id
from contentgen.storage.jobs import JobInfo, RowOutcome, get_job, iter_export, set_status
from contentgen.types import Task

if TYPE_CHECKING:
    from contentgen.engine import Engine
    from contentgen.tasks.registry import TaskRegistry

log = logging.getLogger(__name__)
BACKENDS: tuple[str, ...] = ("local", "ray")


@dataclass(frozen=True)
class BatchSummary:
    """How a batch run went."""

    job_id: str
    job_name: str
    rows: int | None
    already_done: int
    done: int
    failed: int
    pending: int | None
    outputs: int
    rejected: int
    elapsed_s: float
    generate_s: float
    out_path: str | None
    database: str
    errors: tuple[str, ...]
    by_other_runs: int = 0  # rows another run of the job finished while this one waited

    @property
    def rows_per_s(self) -> float:
        """Rows finished per second in this run."""
        return (self.done + self.failed) / self.elapsed_s if self.elapsed_s > 0 else 0.0


def scan(source: RowSource, mapping: RowMapping) -> tuple[int | None, dict[int, int]]:
    """Count the rows and find rows repeating an earlier row's --key (row -> first row).

    A file none of whose rows can be read is not in its format at all: one BatchError.
    """
    if source.format == "rows":
        return source.count(), {}
    first: dict[bytes, int] = {}
    duplicates: dict[int, int] = {}
    total = readable = 0
    first_error = ""
    for row in source:
        total += 1
        if row.error is None:
            readable += 1
        elif not first_error:
            first_error = f"{row.where}: {row.error}"
        if mapping.key is None or row.values is None or mapping.key_problem(row):
            continue
        key = mapping.row_key(row).encode("utf-8", "surrogatepass")
        digest = hashlib.blake2b(key, digest_size=12).digest()
        seen = first.setdefault(digest, row.index)
        if seen != row.index:
            duplicates[row.index] = seen
    if total and not readable:
        name = source.path.name if source.path else "the input"
        raise BatchError(
            f"{name}: none of its {total} rows can be read as {source.format.upper()} "
            f"({first_error})"
        )
    return total, duplicates


def field_names(spec: BatchSpec) -> list[str]:
    """The output fields (results-file columns) of a job's task, e.g. a marketing channel's."""
    task = spec.mapping.task_spec
    output = task.output_spec(task.build_request({**task.example, **spec.fixed_fields()}))
    return [f.name for f in output.fields] if output is not None else []


class BatchRun:
    """One run of a (new or resumed) batch job; iterate it to run, or call `run()`."""

    def __init__(
        self,
        engine: Engine,
        rows: str | os.PathLike[str] | Iterable[Mapping[str, Any]] | RowSource,
        spec: BatchSpec,
        *,
        out: str | os.PathLike[str] | None = None,
        input_format: str | None = None,
        backend: str = "local",
        workers: int = 2,
        engine_factory: Callable[[], Engine] | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise BatchError(f"unknown batch engine {backend!r} (valid: {', '.join(BACKENDS)})")
        if backend == "ray" and engine_factory is None:
            raise BatchError(
                "the ray engine needs an engine_factory that builds an Engine in each worker"
            )
        self.engine = engine
        if isinstance(rows, RowSource):
            self.source = rows
        elif isinstance(rows, str | os.PathLike):
            self.source = RowSource(Path(rows), fmt=input_format)
        else:
            self.source = RowSource(rows=rows)
        spec.mapping.check_columns(self.source.columns())
        self.spec = spec
        self.backend = backend
        self.workers = max(1, workers)
        self.engine_factory = engine_factory
        total, self._duplicates = scan(self.source, spec.mapping)
        # A file's stem names its job; rows from memory get a fresh name (pass job_name to resume).
        default = self.source.name if self.source.path else f"rows-{new_id()[:12]}"
        self.plan: JobPlan = plan_job(
            engine,
            spec,
            default_name=default,
            total_rows=total,
            source=str(self.source.path.resolve()) if self.source.path else None,
        )
        self.stats = BatchStats(total=total)
        self.results_file = ResultsFile(Path(out), field_names(spec)) if out is not None else None
        self.finished = False

    @property
    def job(self) -> JobInfo:
        """The job as it stands in the database now."""
        return get_job(self.engine.store, self.plan.job.id)

    def __iter__(self) -> Iterator[RowOutcome]:
        store = self.engine.store
        job_id = self.plan.job.id
        # This run's claim on rows: another run of the job at the same time leaves them alone.
        lease = RunLease(store, job_id, retry_failed=self.spec.retry_failed)
        self.plan = replace(self.plan, run_id=lease.run_id)
        try:
            if self.results_file is not None:
                self.results_file.start(iter_export(store, job_id))
            for result in self._results(lease):
                self.stats.add(result)
                if self.results_file is not None:
                    self.results_file.append([result])
                yield result
            self.finished = True
        finally:
            lease.close()
            if self.results_file is not None:
                self.results_file.close()
            job = get_job(store, job_id)
            complete = self.finished and (job.pending == 0 or job.total_rows is None)
            set_status(store, job_id, "done" if complete else "incomplete")
        if self.results_file is not None:
            self.results_file.finish(iter_export(store, job_id))

    def _results(self, lease: RunLease) -> Iterator[RowOutcome]:
        if self.backend == "ray":
            from contentgen.batch.ray_runner import run_ray

            assert self.engine_factory is not None
            return run_ray(
                self.engine,
                self.plan,
                self.source,
                self.stats,
                lease,
                engine_factory=self.engine_factory,
                workers=self.workers,
                duplicates=self._duplicates,
            )
        return run_local(self.engine, self.plan, self.source, self.stats, lease, self._duplicates)

    def run(self) -> BatchSummary:
        """Run to the end and return the summary."""
        for _ in self:
            pass
        return self.summary()

    def summary(self) -> BatchSummary:
        """Totals so far (counts of the whole job come from the database)."""
        job = self.job
        return BatchSummary(
            job_id=job.id,
            job_name=job.name,
            rows=job.total_rows,
            already_done=self.stats.already_done,
            done=self.stats.done,
            failed=self.stats.failed,
            pending=job.pending,
            outputs=self.stats.outputs,
            rejected=self.stats.rejected,
            elapsed_s=self.stats.elapsed_s,
            generate_s=self.stats.generate_s,
            out_path=str(self.results_file.path) if self.results_file else None,
            database=self.engine.store.location,
            errors=tuple(self.stats.errors),
            by_other_runs=self.stats.by_other_runs,
        )


def build_spec(
    *,
    task: str | Task,
    template: str | None = None,
    mapping: Mapping[str, str] | Sequence[str] | None = None,
    variants: int | None = None,
    job_name: str | None = None,
    key: str | None = None,
    channel: str | None = None,
    generator: str | None = None,
    params: Mapping[str, Any] | None = None,
    retry_failed: bool = False,
    max_field_chars: int | None = None,
    window: int | None = None,
    tasks: TaskRegistry | None = None,
) -> BatchSpec:
    """The job definition from run_batch's keyword arguments (mapping errors surface here)."""
    limit = {"max_field_chars": max_field_chars} if max_field_chars else {}
    return BatchSpec(
        mapping=RowMapping.build(task, mapping, key=key, tasks=tasks, **limit),
        template=template,
        generator=generator,
        channel=channel,
        variants=variants,
        params=dict(params or {}),
        job_name=job_name,
        retry_failed=retry_failed,
        **({"window": window} if window else {}),
    )


def export_job(engine: Engine, job: str, out: str | os.PathLike[str]) -> JobInfo:
    """Write a job's (by id or name) results file from the database: .csv, .jsonl or .xlsx."""
    info = get_job(engine.store, job)
    mapping = RowMapping.build(info.task, tasks=engine.tasks)
    spec = BatchSpec(mapping=mapping, channel=info.config.get("channel"))
    ResultsFile(Path(out), field_names(spec)).finish(iter_export(engine.store, info.id))
    return info


def run_batch(
    engine: Engine,
    rows: str | os.PathLike[str] | Iterable[Mapping[str, Any]],
    *,
    out: str | os.PathLike[str] | None = None,
    input_format: str | None = None,
    backend: str = "local",
    workers: int = 2,
    engine_factory: Callable[[], Engine] | None = None,
    **options: Any,
) -> BatchRun:
    """Open (or resume) a batch job over rows or a CSV/JSONL/Parquet file; iterate it to run.

    Options (see build_spec): task, template, mapping, variants, job_name, key, channel,
    generator, params, retry_failed, max_field_chars, window.
    """
    return BatchRun(
        engine,
        rows,
        build_spec(tasks=engine.tasks, **options),
        out=out,
        input_format=input_format,
        backend=backend,
        workers=workers,
        engine_factory=engine_factory,
    )
