"""Bad generators (raising, hanging, exiting, segfaulting, flaky) fail one call, never the host."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from contentgen.errors import GeneratorError
from contentgen.generator import GeneratorSpec
from contentgen.isolation import IsolatedGenerator, isolated_class
from contentgen.retry import call_generator
from contentgen.types import Prompt, Task
from tests.integration.isolation_generators import Misbehaving


def prompts(text: str, n: int = 1, count: int = 1) -> list[Prompt]:
    return [Prompt(task=Task.MARKETING, text=text, n=n, data={"k": "v"}) for _ in range(count)]


class Sleeps:
    """Records backoff delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


# -- in process -------------------------------------------------------------------------------


def test_a_plain_exception_fails_at_once_with_the_generator_named() -> None:
    generator, sleeps = Misbehaving(), Sleeps()
    with pytest.raises(
        GeneratorError, match="bad:misbehaving failed: ValueError: tokenizer exploded"
    ):
        call_generator(generator, prompts("raise"), timeout_s=2, retries=3, sleep=sleeps)
    assert generator.calls == 1 and sleeps.delays == []


def test_transient_errors_are_retried_with_exponential_backoff() -> None:
    generator, sleeps = Misbehaving(flaky_failures=2), Sleeps()
    result = call_generator(
        generator, prompts("flaky", n=2), timeout_s=2, retries=3, backoff_s=0.25, sleep=sleeps
    )
    assert [c.text for c in result[0]] == ["flaky#0", "flaky#1"]
    assert generator.calls == 3 and sleeps.delays == [0.25, 0.5]


def test_retries_run_out_with_a_clear_error() -> None:
    generator, sleeps = Misbehaving(flaky_failures=10), Sleeps()
    with pytest.raises(
        GeneratorError, match="failed after 3 attempt\\(s\\): device busy \\(call 3\\)"
    ):
        call_generator(
            generator, prompts("flaky"), retries=2, backoff_s=1, max_backoff_s=1.5, sleep=sleeps
        )
    assert sleeps.delays == [1, 1.5]


def test_a_timeout_error_from_the_generator_is_retried() -> None:
    generator = Misbehaving()
    result = call_generator(
        generator, prompts("timeout-error"), timeout_s=2, retries=1, sleep=Sleeps()
    )
    assert result[0][0].text == "timeout-error#0"


def test_a_hung_call_times_out_and_is_not_stacked_on() -> None:
    generator = Misbehaving(hang_s=3.0)
    started = time.perf_counter()
    with pytest.raises(GeneratorError, match="still running a call that timed out.*untrusted"):
        call_generator(generator, prompts("hang"), timeout_s=0.3, retries=2, backoff_s=0.05)
    assert time.perf_counter() - started < 2.0


def test_a_malformed_result_is_a_generator_error() -> None:
    with pytest.raises(GeneratorError, match="returned 0 results for 2 prompts"):
        call_generator(Misbehaving(), prompts("short", count=2), timeout_s=1)


# -- in a child process -----------------------------------------------------------------------

IsolatedMisbehaving = isolated_class(Misbehaving, timeout_s=1.5, start_timeout_s=30)


@pytest.fixture
def isolated() -> Iterator[IsolatedGenerator]:
    generator = IsolatedMisbehaving(hang_s=30.0)
    generator.load()
    yield generator
    generator.close()


def _pid(generator: IsolatedGenerator) -> int:
    return int(generator.generate(prompts("ok"))[0][0].meta["pid"])


def test_isolated_generator_keeps_the_wrapped_identity_and_runs_elsewhere(
    isolated: IsolatedGenerator,
) -> None:
    assert (isolated.id, isolated.tasks, dict(isolated.options)) == (
        Misbehaving.id,
        Misbehaving.tasks,
        dict(Misbehaving.options),
    )
    spec = GeneratorSpec.from_class(IsolatedMisbehaving, plugin="bad")
    assert (spec.id, spec.tasks, spec.options) == (
        Misbehaving.id,
        Misbehaving.tasks,
        Misbehaving.options,
    )
    result = isolated.generate(prompts("hello", n=2, count=2))
    assert [[c.text for c in group] for group in result] == [["hello#0", "hello#1"]] * 2
    assert result[0][0].meta["pid"] != os.getpid()
    assert isolated.model_info().backend == f"pid-{result[0][0].meta['pid']}"


@pytest.mark.parametrize(
    ("command", "reason"), [("exit", "exit code 1"), ("segfault", "killed by SIGSEGV")]
)
def test_a_crash_fails_only_that_call_and_the_child_restarts(
    isolated: IsolatedGenerator, command: str, reason: str
) -> None:
    first = _pid(isolated)
    with pytest.raises(
        GeneratorError,
        match=f"bad:misbehaving crashed in its isolated process while generating \\({reason}\\)",
    ):
        isolated.generate(prompts(command))
    assert _pid(isolated) != first


def test_a_hang_in_the_child_times_out_and_the_child_is_replaced(
    isolated: IsolatedGenerator,
) -> None:
    first = _pid(isolated)
    started = time.perf_counter()
    with pytest.raises(
        GeneratorError, match="failed after 1 attempt\\(s\\).*timed out after 1 s while generating"
    ):
        call_generator(isolated, prompts("hang"), timeout_s=1.0, retries=0)
    assert time.perf_counter() - started < 3.0
    assert _pid(isolated) != first


def test_an_exception_in_the_child_keeps_the_child(isolated: IsolatedGenerator) -> None:
    first = _pid(isolated)
    with pytest.raises(
        GeneratorError, match="bad:misbehaving failed: ValueError: tokenizer exploded"
    ):
        call_generator(isolated, prompts("raise"), retries=2, sleep=Sleeps())
    assert _pid(isolated) == first


def test_transient_errors_in_the_child_are_retried(isolated: IsolatedGenerator) -> None:
    sleeps = Sleeps()
    result = call_generator(isolated, prompts("flaky"), retries=2, backoff_s=0.01, sleep=sleeps)
    assert result[0][0].text == "flaky#0" and result[0][0].meta["calls"] == 3
    assert len(sleeps.delays) == 2


def test_a_load_failure_in_the_child_is_reported_and_close_stops_the_child() -> None:
    broken = IsolatedMisbehaving(fail_load=True)
    with pytest.raises(
        GeneratorError,
        match="failed to load in its isolated process: RuntimeError: weights file is corrupt",
    ):
        broken.load()
    working = IsolatedMisbehaving()
    working.load()
    process = working._process
    assert process is not None and process.is_alive()
    working.close()
    assert not process.is_alive()
