"""A served model's batches overlap: the next batch generates while the engine checks and stores
the one before, nothing is generated twice, and a generator without `concurrent_calls` is never
called twice at once."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from contentgen import Engine, MarketingRequest
from contentgen.errors import UnknownNameError
from contentgen.storage.jobs import item_errors
from contentgen.testing import EchoGenerator, echo_engine
from contentgen.types import Candidate, Prompt, PromptError

WAIT_S = 10.0  # how long a call waits for another call to start (only reached when none does)


class Calls:
    """Records the echo generator's calls: their sizes, and whether any two ran at once."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.first_saw_second: bool | None = None
        self.most_at_once = 0
        self._running = 0
        self._lock = threading.Lock()
        self._second = threading.Event()

    def wrap(self, original: object, *, first_waits_s: float) -> object:
        """EchoGenerator.generate that records its calls; the first waits for a second to start."""

        def generate(
            generator: EchoGenerator, prompts: Sequence[Prompt]
        ) -> list[list[Candidate] | PromptError]:
            with self._lock:
                self.sizes.append(len(prompts))
                first = len(self.sizes) == 1
                self._running += 1
                self.most_at_once = max(self.most_at_once, self._running)
            if first:
                self.first_saw_second = self._second.wait(first_waits_s)
            else:
                self._second.set()
            try:
                return original(generator, prompts)  # type: ignore[operator, no-any-return]
            finally:
                with self._lock:
                    self._running -= 1

        return generate


def _engine(tmp_path: Path, **echo: object) -> Engine:
    return echo_engine(tmp_path / "data", generators={"testing:echo": {"batch_size": 4, **echo}})


def _requests(names: Sequence[str]) -> list[MarketingRequest]:
    return [MarketingRequest(product={"name": n}, variants=1, seed=i) for i, n in enumerate(names)]


def _calls(monkeypatch: pytest.MonkeyPatch, *, concurrent: bool, first_waits_s: float) -> Calls:
    calls = Calls()
    wrapped = calls.wrap(EchoGenerator.generate, first_waits_s=first_waits_s)
    monkeypatch.setattr(EchoGenerator, "generate", wrapped)
    monkeypatch.setattr(EchoGenerator, "concurrent_calls", concurrent)
    return calls


def test_a_served_models_next_batch_generates_while_the_first_is_still_answering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _calls(monkeypatch, concurrent=True, first_waits_s=WAIT_S)
    with _engine(tmp_path) as engine:
        results = list(engine.stream(_requests([f"Product {i}" for i in range(10)])))
        stored = engine.store.count("requests")
    assert calls.first_saw_second is True
    assert sorted(calls.sizes) == [2, 4, 4]  # each model batch called once: early calls are used
    assert len(results) == 10 and all(r.outputs for r in results) and stored == 10


def test_a_generator_without_concurrent_calls_is_never_called_twice_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _calls(monkeypatch, concurrent=False, first_waits_s=0.5)
    with _engine(tmp_path) as engine:
        results = list(engine.stream(_requests([f"Product {i}" for i in range(10)])))
    assert calls.first_saw_second is False and calls.most_at_once == 1
    assert calls.sizes == [4, 4, 2] and len(results) == 10


def test_a_batch_job_on_a_served_model_finishes_every_row_once_and_fails_bad_rows_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _calls(monkeypatch, concurrent=True, first_waits_s=WAIT_S)
    names = [f"Product {i}" for i in range(37)]
    names[20] = "Cursed Lamp"
    rows = [{"sku": f"S{i:02d}", "name": n} for i, n in enumerate(names)]
    with _engine(tmp_path, refuse_on="Cursed") as engine:
        run = engine.batch(rows, task="marketing", key="sku", variants=1, job_name="overlap")
        outcomes = [o.key for o in run]
        asked = sum(calls.sizes)
        again = engine.batch(rows, task="marketing", key="sku", variants=1, job_name="overlap")
        summary = again.run()
        (error,) = item_errors(engine.store, run.plan.job.id)
        stored = engine.store.count("requests")
    assert calls.first_saw_second is True
    assert sorted(outcomes) == sorted(r["sku"] for r in rows)  # every row once
    assert error.row_key == "S20" and "told to refuse" in error.error
    # A rerun finds every row finished (the refused one failed) and asks for nothing again.
    assert (summary.done, summary.failed, summary.already_done) == (0, 0, 37)
    assert sum(calls.sizes) == asked
    assert stored == 36


def test_a_bad_request_in_a_later_window_raises_after_the_batches_under_way_are_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _calls(monkeypatch, concurrent=True, first_waits_s=0.0)
    bad = MarketingRequest(product={"name": "X"}, generator="no:such")
    got = []
    with _engine(tmp_path) as engine:
        with pytest.raises(UnknownNameError, match="no:such"):
            for result in engine.stream([*_requests(["Mug", "Lamp"]), bad], window=2):
                got.append(result)
        stored = engine.store.count("requests")
    assert len(got) == 2 and stored == 2
