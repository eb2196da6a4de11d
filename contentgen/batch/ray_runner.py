"""The Ray Data path: the same job on many machines, one Engine (one loaded model) per actor.

The driver reads the input, claims the rows no run has finished or holds, and hands them to
`ray.data.from_items(...).map_batches(BatchWorker, compute=ActorPoolStrategy(size=N))`.
Each actor builds its own Engine with `engine_factory` and commits every model batch through
the same idempotent transaction as the local runner, so results land in the database exactly
once and a killed job resumes with either runner. Workers need the same database: the SQLite
file on one machine, PostgreSQL (CONTENTGEN_DATABASE_URL) across machines.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.batch.claims import RunLease
from contentgen.batch.jobs import JobPlan
from contentgen.batch.readers import InputRow, RowSource
from contentgen.batch.runner import (
    BatchStats,
    PendingRow,
    process,
    select_pending,
    wait_for_held,
    windows,
)
from contentgen.storage.jobs import RowOutcome
from contentgen.types import Evaluation, Output, Provenance, Result, Task

if TYPE_CHECKING:
    from contentgen.engine import Engine

log = logging.getLogger(__name__)


def _encode_pending(item: PendingRow) -> str:
    row = item.row
    return json.dumps(
        {
            "index": row.index,
            "line": row.line,
            "values": row.values,
            "error": row.error,
            "row_key": item.row_key,
            "key": item.key,
            "item_error": item.error,
        },
        default=str,  # ASCII escapes keep undecodable input bytes (surrogates) intact
    )


def _decode_pending(text: str) -> PendingRow:
    d = json.loads(text)
    row = InputRow(d["index"], d["values"], d["error"], d["line"])
    return PendingRow(row, d["row_key"], d["key"], d["item_error"])


def _encode_outcome(outcome: RowOutcome) -> str:
    result = outcome.result
    return json.dumps(
        {
            "row": outcome.row,
            "key": outcome.key,
            "status": outcome.status,
            "error": outcome.error,
            "result": None if result is None else _plain_result(result),
        },
        ensure_ascii=False,
        default=str,
    )


def _plain_result(result: Result) -> dict[str, Any]:
    return {
        "request_id": result.request_id,
        "task": str(result.task),
        "outputs": [dataclasses.asdict(o) for o in result.outputs],
        "rejected": [dataclasses.asdict(o) for o in result.rejected],
        "notes": list(result.notes),
    }


def _output(d: dict[str, Any]) -> Output:
    provenance = Provenance(**d.pop("provenance"))
    evaluations = tuple(Evaluation(**e) for e in d.pop("evaluations"))
    return Output(**{**d, "task": Task(d["task"])}, provenance=provenance, evaluations=evaluations)


def _decode_outcome(text: str) -> RowOutcome:
    d = json.loads(text)
    r = d["result"]
    result = None
    if r is not None:
        result = Result(
            request_id=r["request_id"],
            task=Task(r["task"]),
            outputs=tuple(_output(o) for o in r["outputs"]),
            rejected=tuple(_output(o) for o in r["rejected"]),
            notes=tuple(r["notes"]),
        )
    return RowOutcome(d["row"], d["key"], d["status"], result, d["error"])


class BatchWorker:
    """A Ray actor: one Engine (and loaded model) for its lifetime, one commit per model batch."""

    def __init__(self, engine_factory: Callable[[], Engine], plan: JobPlan) -> None:
        self.engine = engine_factory()
        self.plan = plan

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        pending = [_decode_pending(str(text)) for text in batch["item"]]
        out = [_encode_outcome(o) for o in process(self.engine, self.plan, pending)]
        return {"result": np.array(out, dtype=object)}


def _build_from_config(
    engine_class: type[Engine],
    config_path: str | None,
    environ: dict[str, str],
    overrides: dict[str, Any],
) -> Engine:
    os.environ.update(environ)
    return engine_class.from_config(config_path, **overrides)


def config_engine_factory(engine: Engine, config_path: str | None) -> Callable[[], Engine]:
    """A picklable factory rebuilding `engine`'s configuration in a worker (same config file,
    the same CONTENTGEN_* variables, the database and data folder made absolute)."""
    environ = {k: v for k, v in os.environ.items() if k.startswith("CONTENTGEN_")}
    url = engine.store.url
    overrides: dict[str, Any] = {
        "data_dir": Path(engine.settings.data_dir).resolve(),
        "database_url": url,
    }
    path = str(Path(config_path).resolve()) if config_path else None
    # The engine's class travels with the factory: the batch layer never imports the engine.
    return partial(_build_from_config, type(engine), path, environ, overrides)


def _ensure_ray() -> Any:
    import ray

    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        log.info("connecting to Ray at %s", address or "a new local cluster")
        ray.init(address=address or None, include_dashboard=False, log_to_driver=False)
    return ray


def _size(item: PendingRow) -> int:
    values = item.row.values or {}
    return sum(len(str(v)) for v in values.values())


def run_ray(
    engine: Engine,
    plan: JobPlan,
    source: RowSource,
    stats: BatchStats,
    lease: RunLease,
    *,
    engine_factory: Callable[[], Engine],
    workers: int,
    duplicates: dict[int, int] | None = None,
) -> Iterator[RowOutcome]:
    """Claim the job's pending rows and run them on Ray actors; yield results as they commit."""
    pending: list[PendingRow] = []
    held: dict[str, int] = {}
    for window in windows(source, max(plan.spec.window, plan.batch_size)):
        selection = select_pending(plan, window, lease, duplicates)
        stats.already_done += selection.finished
        held.update(selection.held)
        pending.extend(selection.pending)

    def execute(rows: list[PendingRow]) -> Iterator[RowOutcome]:
        return _dispatch(engine, plan, rows, engine_factory=engine_factory, workers=workers)

    yield from execute(pending)
    yield from wait_for_held(plan, source, stats, lease, held, execute, duplicates)


def _dispatch(
    engine: Engine,
    plan: JobPlan,
    pending: list[PendingRow],
    *,
    engine_factory: Callable[[], Engine],
    workers: int,
) -> Iterator[RowOutcome]:
    """Hand claimed rows to a pool of Ray actors and yield their results."""
    if not pending:
        return
    if engine.store.is_sqlite and os.environ.get("RAY_ADDRESS"):
        log.warning(
            "a SQLite database only works when every Ray worker runs on this machine; "
            "use PostgreSQL (CONTENTGEN_DATABASE_URL) on a real cluster"
        )
    ray = _ensure_ray()
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the caller shows rows/s and ETA for the whole job
    # Similar lengths side by side, so each model batch pads little.
    pending.sort(key=_size)
    items = [{"item": _encode_pending(p)} for p in pending]
    pending.clear()  # the encoded items are all Ray needs; free the rows while it runs
    # At least one block per actor (or none sits idle), at most a few per actor.
    batches = -(-len(items) // plan.batch_size)
    blocks = min(len(items), max(workers, min(batches, workers * 8)))
    dataset = ray.data.from_items(items, override_num_blocks=blocks).map_batches(
        BatchWorker,
        fn_constructor_kwargs={"engine_factory": engine_factory, "plan": plan},
        batch_size=plan.batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=1,
    )
    for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
        for text in batch["result"]:
            yield _decode_outcome(str(text))
