"""builtin:auto's backend choice, with fake backends: fastest equivalent wins, cached per host."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from contentgen.cli import cli
from contentgen.errors import GeneratorError
from contentgen.generator import Generator
from contentgen.generators import backend_choice as bc
from contentgen.generators.auto_gen import AutoGenerator
from contentgen.types import TEXT_TASKS, Candidate, Prompt, Task


class Clock:
    """CPU time that advances only when a fake backend 'computes'."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeBackend(Generator):
    """Answers 'text <i>' for prompt i (or `wrong` texts), costing `cost` clock units per prompt."""

    id: ClassVar[str] = "fake:backend"
    tasks = TEXT_TASKS
    options: ClassVar[dict[str, Any]] = {}

    def __init__(self, clock: Clock, cost: float, texts: dict[str, str] | None = None) -> None:
        super().__init__()
        self.clock, self.cost, self.texts = clock, cost, texts or {}
        self.calls = 0
        self.fail_load = False

    def _load(self) -> None:
        if self.fail_load:
            raise GeneratorError("no such runtime here")

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        self.calls += 1
        self.clock.now += self.cost * len(prompts)
        return [
            [Candidate(text=self.texts.get(p.text, f"ad for {p.text}"), meta={"new_tokens": 5})]
            * p.n
            for p in prompts
        ]

    def continues_answer(self) -> bool:
        return True


def prompts(count: int) -> list[Prompt]:
    return [Prompt(task=Task.MARKETING, text=f"p{i}", n=3, temperature=0.8) for i in range(count)]


def gaps_of(table: dict[str, float]) -> bc.Gaps:
    """Gap function: the gap configured for each (differing) text."""
    return lambda _prompts, texts: [table[t] for t in texts]


def test_the_fastest_backend_whose_greedy_text_matches_up_to_near_ties_is_chosen() -> None:
    clock = Clock()
    backends: dict[str, Generator] = {
        bc.REFERENCE: FakeBackend(clock, cost=10),
        "fast:wrong": FakeBackend(clock, cost=1, texts={"p2": "an invented price"}),
        "fast:near_tie": FakeBackend(clock, cost=3, texts={"p2": "a near tie"}),
        "slow:same": FakeBackend(clock, cost=20),
    }
    gaps = gaps_of({"an invented price": 0.9, "a near tie": 0.1})
    found = {m.generator_id: m for m in bc.measure(backends, prompts(4), gaps, clock)}
    assert bc.pick(list(found.values())) == "fast:near_tie"
    assert found["fast:near_tie"].max_gap_nats == pytest.approx(0.1)
    assert not found["fast:wrong"].qualifies
    assert "0.90 nats" in (found["fast:wrong"].problem or "")
    assert found["slow:same"].qualifies and found["slow:same"].max_gap_nats == 0.0
    # Timed: the 3 prompts after the warm-up one, as the job asks for them.
    assert found["slow:same"].cpu_s == pytest.approx(60) and found[bc.REFERENCE].cpu_s == 30


def test_a_backend_that_cannot_load_is_left_out_with_its_reason() -> None:
    clock = Clock()
    broken = FakeBackend(clock, cost=1)
    broken.fail_load = True
    backends = {bc.REFERENCE: FakeBackend(clock, cost=10), "fast:broken": broken}
    found = bc.measure(backends, prompts(3), gaps_of({}), clock)
    assert bc.pick(found) == bc.REFERENCE
    assert "no such runtime here" in (found[1].problem or "")


def test_the_choice_is_cached_per_host_key_and_a_damaged_file_is_measured_again(
    tmp_path: Path,
) -> None:
    fields = bc.host_fields("smollm2@rev")
    assert {"cpu", "isa", "features", "openvino-genai", "ctranslate2", "model"} <= set(fields)
    found = (bc.Measurement("builtin:openvino", 1.5, 40, 0.05), bc.Measurement(bc.REFERENCE, 6.0))
    choice = bc.new_choice(fields, 6, found)
    assert choice.chosen == "builtin:openvino"
    bc.write_choice(tmp_path, choice)
    assert bc.read_choice(tmp_path, bc.host_key(fields)) == choice
    other = bc.host_key({**fields, "isa": "AVX2 (capped from AVX-512)"})
    assert other != choice.key and bc.read_choice(tmp_path, other) is None
    bc.choice_path(tmp_path, choice.key).write_text("{not json", encoding="utf-8")
    assert bc.read_choice(tmp_path, choice.key) is None


class FakeAuto(AutoGenerator):
    """builtin:auto over fake backends (openvino fast, ctranslate2 wrong), on a fake clock."""

    def __init__(self, clock: Clock, **options: Any) -> None:
        super().__init__(model="smollm2", **options)
        self.clock = clock  # type: ignore[assignment]
        self.built: dict[str, FakeBackend] = {}

    def backend(self, generator_id: str) -> Generator:
        cost = {"builtin:transformers": 10, "builtin:openvino": 2, "builtin:ctranslate2": 1}
        texts = {"p1": "a different ad"} if generator_id == "builtin:ctranslate2" else None
        made = self.built[generator_id] = FakeBackend(self.clock, cost[generator_id], texts)
        setattr(made, "greedy_gaps", gaps_of({"a different ad": 2.0}))  # noqa: B010
        return made

    def _load(self) -> None:
        self._fields = bc.host_fields("fake-model@1")
        if self.settings.backend != "auto":
            self._use(self.settings.backend, "configured (backend option)")
            return
        self._choice = bc.read_choice(self._cache_dir(), bc.host_key(self._fields))
        if self._choice is not None:
            self._use(self._choice.chosen, "measured on this host")
        else:
            self._reference = self.backend(bc.REFERENCE)


@pytest.fixture
def measuring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bc.PROBE_VARIABLE, "1")


def test_the_first_batch_measures_once_and_later_processes_read_the_cached_choice(
    tmp_path: Path, measuring: None
) -> None:
    clock = Clock()
    first = FakeAuto(clock, cache_dir=str(tmp_path))
    answers = first.generate(prompts(8))
    assert len(answers) == 8 and first.model_info().extra["backend_id"] == "fake:backend"
    assert first._choice is not None and first._choice.chosen == "builtin:openvino"
    assert "builtin:ctranslate2" in first.choice_lines()[-1]  # left out: its text departs
    again = FakeAuto(clock, cache_dir=str(tmp_path))
    again.generate(prompts(8))
    assert list(again.built) == ["builtin:openvino"]  # nothing else built: no second probe
    assert again.built["builtin:openvino"].calls == 1


def test_a_one_shot_call_runs_the_reference_without_measuring(
    tmp_path: Path, measuring: None
) -> None:
    auto = FakeAuto(Clock(), cache_dir=str(tmp_path))
    auto.generate(prompts(1))
    assert list(auto.built) == [bc.REFERENCE]
    assert not (tmp_path / bc.CHOICE_FOLDER).exists()
    assert "waits for a batch" in auto.choice_lines()[0]


def test_measuring_switched_off_or_a_configured_backend_never_measures(
    tmp_path: Path, measuring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bc.PROBE_VARIABLE, "0")
    auto = FakeAuto(Clock(), cache_dir=str(tmp_path))
    auto.generate(prompts(8))
    assert list(auto.built) == [bc.REFERENCE]
    monkeypatch.setenv(bc.PROBE_VARIABLE, "1")
    pinned = FakeAuto(Clock(), cache_dir=str(tmp_path), backend="builtin:ctranslate2")
    pinned.generate(prompts(8))
    assert list(pinned.built) == ["builtin:ctranslate2"]
    assert not (tmp_path / bc.CHOICE_FOLDER).exists()


def test_contentgen_generators_shows_the_choice_measured_on_this_host(tmp_path: Path) -> None:
    found = (
        bc.Measurement("builtin:openvino", 1.5, 40, 0.05),
        bc.Measurement(bc.REFERENCE, 6.0, 40, 0.0),
        bc.Measurement("builtin:ctranslate2", problem="failed on the probe: boom"),
    )
    bc.write_choice(tmp_path / "cache", bc.new_choice(bc.host_fields("smollm2@rev"), 6, found))
    env = {"CONTENTGEN_CACHE_DIR": str(tmp_path / "cache"), "CONTENTGEN_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["generators"], env=env)
    assert result.exit_code == 0, result.output
    assert "chosen: builtin:openvino for smollm2@rev" in result.output
    assert "left out: failed on the probe: boom" in result.output
