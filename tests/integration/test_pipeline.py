"""One pipeline: Engine.stream serves single requests, lists and batch rows; a bad prompt fails alone."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from contentgen import Engine, MarketingRequest
from contentgen.errors import GeneratorError, UnknownNameError
from contentgen.storage.jobs import item_errors
from contentgen.testing import EchoGenerator, echo_engine
from contentgen.types import Candidate, Prompt, PromptError


def _engine(tmp_path: Path, **echo: object) -> Engine:
    return echo_engine(tmp_path / "data", generators={"testing:echo": {"batch_size": 4, **echo}})


def _requests(names: Sequence[str]) -> list[MarketingRequest]:
    return [MarketingRequest(product={"name": n}, variants=1, seed=i) for i, n in enumerate(names)]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The size of every generate() call the echo generator gets."""
    seen: list[int] = []
    original = EchoGenerator.generate

    def counted(
        self: EchoGenerator, prompts: Sequence[Prompt]
    ) -> list[list[Candidate] | PromptError]:
        seen.append(len(prompts))
        return original(self, prompts)

    monkeypatch.setattr(EchoGenerator, "generate", counted)
    yield seen


def test_a_prompt_the_generator_refuses_fails_only_its_own_request(
    tmp_path: Path, calls: list[int]
) -> None:
    with _engine(tmp_path, refuse_on="Cursed") as engine:
        results = engine.generate_many(_requests(["Mug", "Cursed Lamp", "Chair"]))
        stored = engine.store.count("requests")
    assert [bool(r.outputs) for r in results] == [True, False, True]
    assert results[1].notes == ("echo generator told to refuse 'Cursed'",)
    assert calls == [3]  # one model batch, answered prompt by prompt: nothing generated twice
    assert stored == 3  # the refused request is stored too, with its error


def test_a_model_batch_that_fails_as_a_whole_is_retried_prompt_by_prompt(
    tmp_path: Path, calls: list[int]
) -> None:
    with _engine(tmp_path, fail_on="Cursed") as engine:
        results = engine.generate_many(_requests(["Mug", "Cursed Lamp", "Chair"]))
    assert [bool(r.outputs) for r in results] == [True, False, True]
    assert "told to fail on 'Cursed'" in results[1].notes[0]
    assert calls == [3, 1, 1, 1]  # the whole batch once, then each prompt alone


def test_a_refused_batch_row_fails_alone_with_its_row_named(tmp_path: Path) -> None:
    rows = [{"sku": f"S{i}", "name": n} for i, n in enumerate(["Mug", "Cursed Lamp", "Chair"])]
    with _engine(tmp_path, refuse_on="Cursed") as engine:
        run = engine.batch(rows, task="marketing", key="sku", variants=1, job_name="refusals")
        outcomes = {o.key: o for o in run}
        errors = item_errors(engine.store, run.plan.job.id)
    assert {k: o.status for k, o in outcomes.items()} == {
        "S0": "done",
        "S1": "failed",
        "S2": "done",
    }
    (error,) = errors
    assert error.row_key == "S1" and error.error.startswith("row 2: echo generator told to refuse")


def test_results_stream_as_each_model_batch_commits(tmp_path: Path) -> None:
    names = [f"Product {i}" for i in range(10)]
    with _engine(tmp_path) as engine:
        stream = engine.stream(_requests(names))
        first = next(stream)
        # The first model batch (4 prompts) is committed in one transaction before it is yielded.
        assert engine.store.count("requests") == 4 and first.outputs
        rest = list(stream)
        assert engine.store.count("requests") == 10 and len(rest) == 9


def test_a_dry_stream_runs_the_same_pipeline_and_stores_nothing(tmp_path: Path) -> None:
    with _engine(tmp_path) as engine:
        results = list(engine.stream(_requests(["Mug", "Lamp"]), store=False))
        assert engine.store.count("requests") == 0
    assert all(r.outputs and r.outputs[0].status == "ok" for r in results)


def test_a_bad_request_fails_before_its_window_generates(tmp_path: Path, calls: list[int]) -> None:
    with _engine(tmp_path) as engine, pytest.raises(UnknownNameError, match="no:such"):
        engine.generate_many(
            [*_requests(["Mug"]), MarketingRequest(product={"name": "X"}, generator="no:such")]
        )
    assert calls == []


def test_a_single_request_that_fails_raises(tmp_path: Path) -> None:
    with _engine(tmp_path, refuse_on="Cursed") as engine, pytest.raises(GeneratorError):
        engine.generate(MarketingRequest(product={"name": "Cursed Lamp"}, variants=1))
