"""The Ray Data path on a local 2-CPU cluster: same job, same database, exactly once, resumable."""

from __future__ import annotations

import csv
import functools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from contentgen.storage.jobs import get_job
from contentgen.testing import echo_engine

pytestmark = pytest.mark.slow  # a local Ray cluster: ~25 s and ~2.5 GB of memory

ROWS = 120


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[object]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_run_resumes_a_local_run_and_stores_every_row_once(
    ray_cluster: object, tmp_path: Path
) -> None:
    source = tmp_path / "catalogue.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title"])
        for i in range(ROWS):
            writer.writerow([f"S{i:04d}", f"Product {i}"])
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    options = {"batch_size": 8}
    engine = echo_engine(tmp_path / "data", database_url=url, generators={"testing:echo": options})
    factory = functools.partial(
        echo_engine, str(tmp_path / "data"), database_url=url, generators={"testing:echo": options}
    )
    out = tmp_path / "results.csv"
    job = {"task": "marketing", "mapping": ["name=title"], "key": "sku", "variants": 2, "out": out}

    local = engine.batch(source, window=16, **job)
    first = []
    for result in local:
        first.append(result)
        if len(first) == 30:
            break  # the local run dies; Ray picks the job up

    remote = engine.batch(source, backend="ray", workers=2, engine_factory=factory, **job)
    assert remote.plan.job.id == local.plan.job.id
    rest = list(remote)
    done_before = remote.summary().already_done
    assert done_before >= 30 and done_before + len(rest) == ROWS
    assert {r.key for r in first}.isdisjoint({r.key for r in rest})
    assert all(r.status == "done" and len(r.outputs) == 2 for r in rest)

    state = get_job(engine.store, local.plan.job.id)
    assert (state.done, state.failed, state.pending, state.status) == (ROWS, 0, 0, "done")
    assert engine.store.count("requests") == ROWS and engine.store.count("outputs") == 2 * ROWS
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert Counter((r["key"], r["variant"]) for r in rows) == Counter(
        {(f"S{i:04d}", v): 1 for i in range(ROWS) for v in ("1", "2")}
    )
    again = engine.batch(source, backend="ray", workers=2, engine_factory=factory, **job)
    assert list(again) == [] and again.summary().already_done == ROWS
    engine.close()
