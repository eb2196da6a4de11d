"""Bad generators fail only their own requests: raising, hanging or crashing never downs the host.

Raising fails at once (no retry); transient errors are retried with backoff; a hang is cut at
Settings.generator_timeout_s; a generator in Settings.untrusted_generators runs in a child process,
so os._exit there fails only that call. Every failure is kept with its reason: in Result.notes and
the stored request payload for Engine.generate_many, in the job's items for a batch.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from contentgen.config import Route, Settings
from contentgen.engine import Engine
from contentgen.errors import GeneratorError
from contentgen.plugins import load_plugins
from contentgen.storage.jobs import item_errors
from contentgen.storage.tables import RequestRow
from contentgen.types import MarketingRequest, Task
from tests.integration.reliability_generators import reliability_plugin
from tests.reliability_figures import record

TIMEOUT_S = 1.0


def _engine(tmp_path: Path, **changes: Any) -> Engine:
    base: dict[str, Any] = {
        "generator_timeout_s": TIMEOUT_S,
        "generator_retries": 2,
        "untrusted_generators": ("hostile:hangs", "hostile:crashes", "hostile:moody"),
    }
    settings = Settings(
        data_dir=tmp_path / "data",
        routes={Task.MARKETING: Route("testing:echo")},
        use_entry_points=False,
        **{**base, **changes},
    )
    plugins = load_plugins(
        (), use_entry_points=False, extra=[("reliability", reliability_plugin())]
    )
    return Engine(settings, plugins, evaluators=[])


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with _engine(tmp_path) as built:
        yield built


# generator -> what its failure note must say (None: it must succeed)
EXPECTED: dict[str, str | None] = {
    "testing:echo": None,
    "hostile:raises": "hostile:raises failed: ValueError: tokenizer exploded on byte 0xFF",
    "hostile:hangs": "failed after 3 attempt(s): generator hostile:hangs timed out after 1 s",
    "hostile:hangs-inprocess": "hostile:hangs-inprocess is still running a call that timed out",
    "hostile:crashes": "crashed in its isolated process while generating (exit code 3)",
    "hostile:flaky": None,
}


@pytest.mark.timeout(300)
def test_bad_generators_fail_only_their_own_requests(engine: Engine) -> None:
    plan = ["testing:echo", *EXPECTED, "testing:echo", "testing:echo"]
    requests = [
        MarketingRequest(product={"name": f"Mug {i}"}, variants=2, seed=i, generator=gid)
        for i, gid in enumerate(plan)
    ]
    started = time.perf_counter()
    results = engine.generate_many(requests)
    seconds = time.perf_counter() - started

    outcomes: dict[str, dict[str, Any]] = {}
    for gid, result in zip(plan, results, strict=True):
        payload = engine.store.request_payload(result.request_id)
        expected = EXPECTED[gid]
        if expected is None:
            assert len(result.outputs) == 2 and not result.notes, (gid, result.notes)
            assert "error" not in payload
        else:
            assert not result.outputs and len(result.notes) == 1, (gid, result)
            assert expected in result.notes[0], (gid, result.notes[0])
            assert payload["error"] == result.notes[0]  # stored with the request, reason and all
        outcomes[gid] = {
            "ok": not result.notes,
            "reason": result.notes[0] if result.notes else None,
        }
    # A plain error is not retried; a transient one is, and then succeeds.
    assert engine.registry.get("hostile:raises").calls == 1  # type: ignore[attr-defined]
    assert engine.registry.get("hostile:flaky").calls == 2  # type: ignore[attr-defined]
    # Timeouts cut hangs short: 3 isolated attempts and one thread timeout, far below the 60 s hang.
    assert seconds < 120, seconds
    assert engine.store.count("requests") == len(plan)

    bad = [g for g, e in EXPECTED.items() if e is not None]
    record(
        "bad_generators.json",
        {
            "requests": len(plan),
            "good_requests": len(plan) - len(bad),
            "good_ok": sum(outcomes[g]["ok"] for g in plan if EXPECTED[g] is None),
            "bad_requests": len(bad),
            "bad_failed_with_stored_reason": sum(not outcomes[g]["ok"] for g in bad),
            "host_crashes": 0,
            "timeout_s": TIMEOUT_S,
            "retries": 2,
            "wall_s": round(seconds, 2),
            "outcomes": outcomes,
        },
        run="engine",
    )


@pytest.mark.timeout(300)
def test_a_batch_continues_past_rows_that_crash_hang_or_raise(tmp_path: Path) -> None:
    names = [f"Mug {i}" for i in range(12)]
    names[1], names[4], names[7], names[10] = "CRASH mug", "HANG mug", "RAISE mug", "FLAKY mug"
    rows = [{"sku": f"SKU-{i}", "name": name} for i, name in enumerate(names)]
    with _engine(tmp_path, generator_retries=1) as engine:
        started = time.perf_counter()
        run = engine.batch(rows, task="marketing", generator="hostile:moody", variants=1,
                           key="sku", job_name="moody")  # fmt: skip
        results = list(run)
        seconds = time.perf_counter() - started
        summary = run.summary()
        errors = {e.row_key: e.error for e in item_errors(engine.store, summary.job_id)}
        backends = {o.provenance.generator_id for r in results for o in r.outputs}

    by_key = {r.key: r for r in results}
    assert summary.done == 9 and summary.failed == 3 and summary.pending == 0
    assert {k for k, r in by_key.items() if r.status == "done"} == {
        f"SKU-{i}" for i in range(12) if i not in (1, 4, 7)
    }
    assert "crashed in its isolated process while generating (exit code 3)" in errors["SKU-1"]
    assert "timed out after 1 s" in errors["SKU-4"]
    assert "ValueError: weights produced NaN logits" in errors["SKU-7"]
    assert all(error.startswith(f"row {int(key[4:]) + 1}") for key, error in errors.items())
    assert backends == {"hostile:moody"}
    assert seconds < 150, seconds
    record(
        "bad_generators.json",
        {
            "rows": len(rows),
            "done": summary.done,
            "failed": summary.failed,
            "pending": summary.pending,
            "bad_rows": 3,
            "flaky_rows_recovered": int(by_key["SKU-10"].status == "done"),
            "wall_s": round(seconds, 2),
            "errors": errors,
        },
        run="batch",
    )


def test_a_single_failed_request_raises_and_is_still_recorded(engine: Engine) -> None:
    request = MarketingRequest(product={"name": "Mug"}, generator="hostile:raises", seed=1)
    with pytest.raises(GeneratorError, match="hostile:raises failed: ValueError"):
        engine.generate(request)
    assert engine.store.count("outputs") == 0
    with engine.store.db.read() as session:
        (payload,) = session.scalars(select(RequestRow.payload)).all()
    assert payload["error"].startswith("generator hostile:raises failed: ValueError")
