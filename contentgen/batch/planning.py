"""--dry-run: what a batch job would do (rows, routing, bad rows) and how long, storing nothing."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.batch.api import build_spec, scan
from contentgen.batch.jobs import BatchSpec, fingerprint, routing
from contentgen.batch.readers import RowSource
from contentgen.errors import ContentgenError, UnknownNameError
from contentgen.storage.jobs import get_job

if TYPE_CHECKING:
    from contentgen.engine import Engine


@dataclass(frozen=True)
class DryRun:
    """The plan of a batch job and a time estimate from a short calibration run."""

    input: str
    format: str
    rows: int
    job_name: str
    job_state: str
    variants: int
    rows_to_run: int
    generator: str
    template: str | None
    template_hash: str | None
    params: Mapping[str, Any]
    batch_size: int
    mapping: tuple[str, ...]
    invalid_rows: int
    invalid_samples: tuple[str, ...]
    calibration_rows: int = 0
    load_s: float = 0.0
    per_row_s: float | None = None
    problem: str | None = None

    @property
    def estimate_s(self) -> float | None:
        """Estimated seconds for the rows still to run (calibration speed; batches run faster)."""
        if self.per_row_s is None:
            return None
        return self.per_row_s * max(self.rows_to_run - self.invalid_rows, 0)


def dry_run(
    engine: Engine,
    path: str | Path,
    *,
    calibrate: int = 4,
    retry_failed: bool = False,
    input_format: str | None = None,
    **options: Any,
) -> DryRun:
    """Plan a job over a file: counts, routing, rows that would fail, and a timed calibration.

    Options are those of `run_batch` (task, template, mapping, variants, key, channel, ...).
    Calibration generates for the first `calibrate` valid rows through the engine's stream with
    `store=False`, so nothing is stored.
    """
    source = RowSource(Path(path), fmt=input_format)
    spec = build_spec(tasks=engine.tasks, **options)
    mapping = spec.mapping
    mapping.check_columns(source.columns())
    config = routing(engine, spec)
    total, duplicates = scan(source, mapping)
    total = total or 0
    name = spec.job_name or source.name
    state, done = _job_state(engine, name, config, retry_failed)
    good, bad, samples = _check_rows(source, spec, duplicates, calibrate)
    generator = engine.registry.get(config["generator_id"])
    plan = DryRun(
        input=str(source.path),
        format=source.format,
        rows=total,
        job_name=name,
        job_state=state,
        variants=int(config["variants"]),
        rows_to_run=max(total - done, 0),
        generator=config["generator"],
        template=config["template"],
        template_hash=config["template_hash"],
        params=config["params"],
        batch_size=generator.max_batch_size(),
        mapping=tuple(mapping.describe()),
        invalid_rows=bad,
        invalid_samples=tuple(samples),
    )
    if not good:
        return plan
    return _calibrate(engine, generator, plan, good)


def _job_state(
    engine: Engine, name: str, config: Mapping[str, Any], retry_failed: bool
) -> tuple[str, int]:
    """What a run would do with the job of this name, and how many of its rows are finished."""
    try:
        job = get_job(engine.store, name)
    except UnknownNameError:
        return "new job", 0
    if job.config.get("fingerprint") != fingerprint(config):
        return f"a job {name!r} exists with other settings: pick another --job-name", 0
    done = job.done + (0 if retry_failed else job.failed)
    return f"resumes job {job.id}: {job.done} done, {job.failed} failed", done


def _check_rows(
    source: RowSource, spec: BatchSpec, duplicates: Mapping[int, int], calibrate: int
) -> tuple[list[Any], int, list[str]]:
    """(the first `calibrate` valid requests, how many rows would fail, up to 5 of their errors)."""
    mapping = spec.mapping
    good: list[Any] = []
    samples: list[str] = []
    bad = 0
    for row in source:
        try:
            problem = row.error or mapping.key_problem(row)
            if problem or row.index in duplicates:
                raise ValueError(problem or "duplicate key")
            request = mapping.to_request(
                row.values or {}, {**spec.fixed_fields(), "seed": row.index}
            )
            if len(good) < calibrate:
                good.append(request)
        except (ContentgenError, ValueError) as exc:
            bad += 1
            if len(samples) < 5:
                samples.append(f"{row.where}: {exc}")
    return good, bad, samples


def _calibrate(engine: Engine, generator: Any, plan: DryRun, requests: list[Any]) -> DryRun:
    from dataclasses import replace

    started = time.perf_counter()
    try:
        generator.load()
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        for _ in engine.stream(requests, store=False):
            pass
    except Exception as exc:  # a plan reports a broken model; it does not crash
        return replace(plan, problem=f"calibration failed: {type(exc).__name__}: {exc}")
    per_row = (time.perf_counter() - started) / len(requests)
    return replace(plan, calibration_rows=len(requests), load_s=load_s, per_row_s=per_row)
