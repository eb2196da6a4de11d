"""Field-by-field writing through builtin:transformers on tiny random models, and the engine."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from contentgen import Engine, MarketingRequest
from contentgen.checks.channels import CHANNELS
from contentgen.config import Route
from contentgen.fields import write_fields
from contentgen.generators.textrows import encode_prompt
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.types import Prompt, PromptError, Task

PRODUCT = {"name": "Alpine Hiking Boot", "category": "shoes", "price_eur": "149.00"}


@pytest.fixture(scope="module")
def llama(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TransformersGenerator:
    gen = TransformersGenerator(
        model=str(tiny_llama_dir),
        torch_threads=1,
        batch_size=2,
        cache_dir=str(tmp_path_factory.mktemp("cache")),
    )
    gen.load()
    return gen


def test_the_prefill_is_the_start_of_the_assistants_answer(llama: TransformersGenerator) -> None:
    tokenizer = llama._tokenizer
    asked = Prompt(task=Task.MARKETING, text="Write an ad.", system="Be brief.")
    plain = encode_prompt(tokenizer, asked)
    prefilled = encode_prompt(tokenizer, replace(asked, prefill="Headline:"))
    assert prefilled[: len(plain)] == plain  # the chat up to the assistant's turn is unchanged
    assert tokenizer.decode(prefilled[len(plain) :]) == "Headline:"  # no end-of-turn after it
    assert llama.continues_answer()


def test_a_random_model_still_writes_every_field_in_format(llama: TransformersGenerator) -> None:
    prompts = [
        Prompt(task=Task.MARKETING, text=t, n=2, seed=s, max_new_tokens=40)
        for s, t in enumerate(("Write an ad for boots.", "Write an email.", "Hi"))
    ]
    specs = [CHANNELS["search_ad"], CHANNELS["email"], CHANNELS["push"]]
    calls: list[int] = []

    def call(asked: list[Prompt]) -> Any:
        calls.append(len(asked))
        return llama.generate(asked)

    answers = write_fields(call, prompts, specs)
    assert len(calls) == 3  # one generate() per field round for the whole batch
    for spec, answer in zip(specs, answers, strict=True):
        assert not isinstance(answer, PromptError) and len(answer) == 2
        for cand in answer:
            text = cand.text or ""
            assert [line.split(":", 1)[0] for line in text.splitlines()] == [
                f.title for f in spec.fields
            ]
            fields = spec.parse(text)
            assert all(len(fields[f.name]) <= f.max_chars for f in spec.fields)
            assert cand.meta["new_tokens"] >= 1
    # Alone, a seeded prompt gets the same fields as in the batch.
    assert write_fields(llama.generate, [prompts[1]], [specs[1]])[0] == answers[1]


def _engine(tmp_path: Path, model_dir: Path, params: dict[str, Any]) -> Engine:
    return Engine.from_config(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'fields.db'}",
        generators={"builtin:transformers": {"model": str(model_dir), "torch_threads": 1}},
        routes={Task.MARKETING: Route("builtin:transformers", params=params)},
        rerank=False,
        bandit=False,
    )


def test_the_engine_records_field_by_field_in_provenance(
    tmp_path: Path, tiny_llama_dir: Path
) -> None:
    engine = _engine(tmp_path, tiny_llama_dir, {"fields": "each", "max_new_tokens": 30})
    try:
        [result] = engine.generate_many(
            [MarketingRequest(product=PRODUCT, channel="search_ad", variants=2, seed=5)]
        )
    finally:
        engine.close()
    outputs = [*result.outputs, *result.rejected]
    assert outputs
    for output in outputs:
        assert output.provenance.params["fields"] == "each"
        assert set(output.fields) == {"headline", "description"}  # even from random weights
        assert len(output.fields["headline"]) <= 30 and len(output.fields["description"]) <= 90


def test_a_generator_that_cannot_continue_writes_the_whole_answer(
    tmp_path: Path, tiny_t5_dir: Path
) -> None:
    engine = _engine(tmp_path, tiny_t5_dir, {"fields": "each", "max_new_tokens": 8})
    try:
        [result] = engine.generate_many(
            [MarketingRequest(product=PRODUCT, channel="push", variants=1, seed=5)]
        )
    finally:
        engine.close()
    outputs = [*result.outputs, *result.rejected]
    assert outputs and all(o.provenance.params["fields"] == "whole" for o in outputs)


def test_log_probabilities_cover_every_field_round(llama: TransformersGenerator) -> None:
    asked = Prompt(task=Task.MARKETING, text="Write an ad for boots.", seed=1, max_new_tokens=30)
    spec = CHANNELS["search_ad"]
    rounds: list[list[Any]] = []

    def call(prompts: list[Prompt]) -> Any:
        found = llama.generate(prompts)
        rounds.append([c.meta["token_logprobs"] for c in found[0]])
        return found

    (answer,) = write_fields(call, [replace(asked, params={"logprobs": True})], [spec])
    assert not isinstance(answer, PromptError)
    (kept,) = answer
    assert len(rounds) == len(spec.fields)  # one round per field, each scored
    assert kept.meta["token_logprobs"] == [t for r in rounds for t in r[0]]
