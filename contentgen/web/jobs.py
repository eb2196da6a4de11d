"""Batch jobs for the job page: storage.jobs' progress plus how many of the outputs are rated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from contentgen.storage import jobs as stored_jobs
from contentgen.storage.reads import job_outputs
from contentgen.storage.store import Store

MAX_ERRORS = 50


@dataclass(frozen=True)
class JobView:
    """A batch job with its progress, for the job page and the JSON API."""

    id: str
    name: str
    task: str
    status: str
    total_rows: int | None
    created_at: str | None
    updated_at: str | None
    items: Mapping[str, int] = field(default_factory=dict)
    outputs: int = 0
    rated_outputs: int = 0
    errors: tuple[stored_jobs.ItemError, ...] = ()

    @property
    def processed(self) -> int:
        """Rows finished one way or the other (done or failed)."""
        return self.items.get("done", 0) + self.items.get("failed", 0)

    @property
    def total(self) -> int:
        """Rows in the job: the counted input, else the rows processed so far."""
        return self.total_rows if self.total_rows is not None else self.processed

    @property
    def percent(self) -> float:
        """Progress in percent (100 for an empty finished job)."""
        if not self.total:
            return 0.0 if self.status == "running" else 100.0
        return round(100.0 * min(self.processed, self.total) / self.total, 1)


def _view(store: Store, info: stored_jobs.JobInfo, *, errors: bool) -> JobView:
    items = {"done": info.done, "failed": info.failed}
    if info.pending is not None:
        items["pending"] = info.pending
    counts = job_outputs(store, info.id)
    failed = stored_jobs.item_errors(store, info.id, limit=MAX_ERRORS) if errors else []
    return JobView(
        id=info.id,
        name=info.name,
        task=info.task,
        status=info.status,
        total_rows=info.total_rows,
        created_at=info.created_at,
        updated_at=info.updated_at,
        items=items,
        outputs=counts.outputs,
        rated_outputs=counts.rated,
        errors=tuple(failed),
    )


def list_jobs(store: Store, limit: int = 100) -> list[JobView]:
    """The most recent jobs with their progress, newest first."""
    return [_view(store, info, errors=False) for info in stored_jobs.list_jobs(store, limit=limit)]


def get_job(store: Store, id_or_name: str) -> JobView:
    """One job (by id or name) with progress and its first failed rows; UnknownNameError if none."""
    return _view(store, stored_jobs.get_job(store, id_or_name), errors=True)
