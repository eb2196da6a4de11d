"""Job bookkeeping: what defines a job, routing resolved once, idempotency keys and seeds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contentgen.batch.mapping import RowMapping
from contentgen.errors import BatchError
from contentgen.storage.jobs import ItemError, JobInfo, get_job, item_errors, list_jobs, open_job
from contentgen.types import MAX_VARIANTS, Task

if TYPE_CHECKING:
    from contentgen.engine import Engine

__all__ = [
    "BatchSpec",
    "ItemError",
    "JobInfo",
    "JobPlan",
    "get_job",
    "item_errors",
    "list_jobs",
    "plan_job",
]

DEFAULT_WINDOW = 256


@dataclass(frozen=True)
class BatchSpec:
    """Everything that defines a batch job; rerunning with the same spec resumes it."""

    mapping: RowMapping
    template: str | None = None
    generator: str | None = None
    channel: str | None = None
    variants: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    job_name: str | None = None
    retry_failed: bool = False
    window: int = DEFAULT_WINDOW

    @property
    def task(self) -> Task:
        """The task every row is a request for."""
        return self.mapping.task

    def fixed_fields(self) -> dict[str, Any]:
        """Request fields that are the same for every row (the seed is added per row)."""
        fixed: dict[str, Any] = {}
        if self.template:
            fixed["template"] = self.template
        if self.generator:
            fixed["generator"] = self.generator
        if self.params:
            fixed["params"] = dict(self.params)
        task = self.mapping.task_spec
        if task.variant_field is not None and self.variants:
            fixed[task.variant_field] = self.variants
        elif task.variant_field is None and self.variants not in (None, 1):
            raise BatchError(f"--variants does not apply to {self.task} (one output per row)")
        if self.channel:
            if "channel" not in task.field_names():
                raise BatchError(
                    f"--channel does not apply to {self.task} (its requests have none)"
                )
            fixed["channel"] = self.channel
        if self.variants is not None and not 1 <= self.variants <= MAX_VARIANTS:
            raise BatchError(f"--variants must be from 1 to {MAX_VARIANTS}, got {self.variants}")
        return fixed


@dataclass(frozen=True)
class JobPlan:
    """A job with its routing resolved once: generator, template hash, parameters, batch size."""

    job: JobInfo
    spec: BatchSpec
    fingerprint: str
    generator_id: str
    template_id: str | None
    template_hash: str | None
    params: Mapping[str, Any]
    batch_size: int
    resumed: bool = False
    run_id: str | None = None  # this run's claim on rows, recorded on every row it commits

    def key(self, row_key: str) -> str:
        """The idempotency key: hash(row key x template hash x generator x parameters x mapping)."""
        return hashlib.sha256(f"{self.fingerprint}\0{row_key}".encode()).hexdigest()

    def seed(self, row_key: str) -> int:
        """A seed fixed by the row, so a resumed row is generated exactly as it would have been."""
        return int(self.key(row_key)[:8], 16) % (2**31)

    def fixed(self, row_key: str) -> dict[str, Any]:
        """The per-job request fields plus this row's seed."""
        return {**self.spec.fixed_fields(), "seed": self.seed(row_key)}


def routing(engine: Engine, spec: BatchSpec) -> dict[str, Any]:
    """Resolve generator, template and parameters once with a probe request (errors surface)."""
    task = spec.mapping.task_spec
    probe = task.build_request({**task.example, **spec.fixed_fields(), "seed": 0})
    work = engine.prepare(probe)
    gen = engine.registry.spec(work.generator_id)
    template = work.rendered.template if work.rendered else None
    return {
        "task": str(spec.task),
        "generator": f"{gen.id}@{gen.version}",
        "generator_id": gen.id,
        "template": template.id if template else None,
        "template_hash": template.sha256 if template else None,
        "params": {k: v for k, v in sorted(work.plan.params.items())},
        "variants": probe.n,
        "channel": spec.channel,
        "mapping": [list(p) for p in spec.mapping.pairs],
        "key": spec.mapping.key,
        "max_field_chars": spec.mapping.max_field_chars,
    }


def fingerprint(config: Mapping[str, Any]) -> str:
    """A stable hash of the settings that decide what a row's output is."""
    keys = (
        "task",
        "generator",
        "template",
        "template_hash",
        "params",
        "variants",
        "channel",
        "mapping",
        "key",
        "max_field_chars",
    )
    blob = json.dumps({k: config.get(k) for k in keys}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _check_same_input(engine: Engine, name: str, source: str) -> None:
    """A default job name (the file stem) must not silently resume a job run on another file."""
    from contentgen.errors import UnknownNameError

    try:
        earlier = get_job(engine.store, name).config.get("input")
    except UnknownNameError:
        return
    if earlier and earlier != source:
        raise BatchError(
            f"job {name!r} was run on {earlier}, not {source}; pass --job-name to resume it "
            "with this file, or a new name to start another job"
        )


def plan_job(
    engine: Engine,
    spec: BatchSpec,
    *,
    default_name: str,
    total_rows: int | None,
    source: str | None = None,
) -> JobPlan:
    """Open (or resume) the job for `spec` and resolve its routing."""
    config = routing(engine, spec)
    config["fingerprint"] = fingerprint(config)
    if source:
        config["input"] = source
    name = spec.job_name or default_name
    if spec.job_name is None and source:
        _check_same_input(engine, name, source)
    job, resumed = open_job(
        engine.store, name=name, task=str(spec.task), config=config, total_rows=total_rows
    )
    generator = engine.registry.get(config["generator_id"])
    return JobPlan(
        job=job,
        spec=spec,
        fingerprint=config["fingerprint"],
        generator_id=config["generator_id"],
        template_id=config["template"],
        template_hash=config["template_hash"],
        params=config["params"],
        batch_size=max(1, generator.max_batch_size()),
        resumed=resumed,
    )
