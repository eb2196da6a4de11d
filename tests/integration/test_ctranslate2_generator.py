"""builtin:ctranslate2 on tiny random models: conversion cache, agreement with transformers."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from contentgen.cli import cli
from contentgen.errors import ValidationError
from contentgen.generators.ctranslate2_gen import CTranslate2Generator
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.modelfiles.atomic import COMPLETE_MARKER
from contentgen.testing import GeneratorContract
from contentgen.types import Prompt, Task

TEXTS = (
    "Write a one-line ad for a leather wallet.",
    "Summarise: the central bank raised rates by half a point on Tuesday.",
    "Reply to a customer whose parcel arrived late.",
    "Hi",
    "Describe a ceramic mug for our spring catalogue in one friendly sentence.",
)


def prompt(text: str, **kw: object) -> Prompt:
    kw.setdefault("max_new_tokens", 12)
    return Prompt(task=Task.MARKETING, text=text, **kw)  # type: ignore[arg-type]


def texts(
    gen: CTranslate2Generator | TransformersGenerator, prompts: list[Prompt]
) -> list[list[str]]:
    return [[c.text or "" for c in cands] for cands in gen.generate(prompts)]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def ct2(tiny_llama_dir: Path, cache: Path) -> CTranslate2Generator:
    gen = CTranslate2Generator(
        model=str(tiny_llama_dir), compute_type="float32", batch_size=2, cache_dir=str(cache)
    )
    gen.load()
    return gen


def test_first_load_converts_into_the_cache_once(ct2: CTranslate2Generator, cache: Path) -> None:
    built = [p for p in (cache / "ct2").iterdir() if not p.name.startswith(".")]
    assert [p.name.endswith("-float32") for p in built] == [True]
    assert (built[0] / "model.bin").is_file() and (built[0] / COMPLETE_MARKER).is_file()
    stamp = (built[0] / "model.bin").stat().st_mtime_ns
    again = CTranslate2Generator(
        model=ct2.config["model"], compute_type="float32", cache_dir=str(cache)
    )
    again.load()
    assert (built[0] / "model.bin").stat().st_mtime_ns == stamp


def test_greedy_output_matches_transformers_exactly(
    ct2: CTranslate2Generator, tiny_llama_dir: Path, cache: Path
) -> None:
    reference = TransformersGenerator(model=str(tiny_llama_dir), cache_dir=str(cache))
    prompts = [prompt(t, temperature=0) for t in TEXTS]
    assert texts(ct2, prompts) == texts(reference, prompts)


def test_a_batch_gives_each_prompt_the_output_it_gets_alone(ct2: CTranslate2Generator) -> None:
    prompts = [prompt(t, temperature=0) for t in TEXTS]
    assert texts(ct2, prompts) == [texts(ct2, [p])[0] for p in prompts]


def test_n_variants_and_a_seeded_request_repeats(ct2: CTranslate2Generator) -> None:
    request = [
        prompt(TEXTS[0], n=3, seed=7, temperature=1.0),
        prompt(TEXTS[1], n=2, seed=8, temperature=1.0),
    ]
    first = texts(ct2, request)
    assert [len(r) for r in first] == [3, 2]
    assert len(set(first[0])) == 3
    assert texts(ct2, request) == first
    assert texts(ct2, [prompt(TEXTS[0], n=3, seed=99, temperature=1.0)])[0] != first[0]


def test_stop_sequence_and_token_budgets(ct2: CTranslate2Generator) -> None:
    full = ct2.generate([prompt(TEXTS[1], temperature=0, max_new_tokens=16)])[0][0]
    text = full.text or ""
    stop = text[4:7]
    cut = ct2.generate([prompt(TEXTS[1], temperature=0, max_new_tokens=16, stop=(stop,))])[0][0]
    assert cut.text == text[: text.find(stop)].strip()
    assert cut.meta["finish_reason"] == "stop" and cut.meta["new_tokens"] < full.meta["new_tokens"]
    budgets = [2, 7, 4]
    result = ct2.generate(
        [prompt(TEXTS[i], temperature=0, max_new_tokens=b) for i, b in enumerate(budgets)]
    )
    for cands, budget in zip(result, budgets, strict=True):
        assert cands[0].meta["new_tokens"] <= budget
        if cands[0].meta["finish_reason"] == "length":
            assert cands[0].meta["new_tokens"] == budget


def test_int8_runs_and_stays_close_to_float32(tiny_llama_dir: Path, cache: Path) -> None:
    int8 = CTranslate2Generator(
        model=str(tiny_llama_dir), compute_type="int8", cache_dir=str(cache)
    )
    out = int8.generate([prompt(t, temperature=0, max_new_tokens=6) for t in TEXTS])
    assert all(len(c) == 1 and c[0].meta["new_tokens"] >= 1 for c in out)
    assert int8.model_info().extra["compute_type"] == "int8"


def test_models_convert_and_list_commands(tiny_llama_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["models", "convert", "--model", str(tiny_llama_dir), "--quantization", "int8"]
    done = runner.invoke(cli, [*args, "--cache-dir", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "converting" in done.output
    assert runner.invoke(cli, [*args, "--cache-dir", str(tmp_path)]).output.startswith(
        "already converted"
    )
    listed = runner.invoke(cli, ["models", "list", "--cache-dir", str(tmp_path)])
    assert "ct2" in listed.output and "-int8" in listed.output


def test_mps_and_unknown_compute_types_are_refused() -> None:
    with pytest.raises(ValidationError, match="mps"):
        CTranslate2Generator(device="mps")
    with pytest.raises(ValidationError, match="compute type"):
        CTranslate2Generator(compute_type="int3")


def test_seq2seq_models_decode_with_the_translator(tiny_t5_dir: Path, tmp_path: Path) -> None:
    ct2 = CTranslate2Generator(
        model=str(tiny_t5_dir), compute_type="float32", cache_dir=str(tmp_path)
    )
    reference = TransformersGenerator(model=str(tiny_t5_dir), cache_dir=str(tmp_path))
    prompts = [prompt(t, temperature=0, max_new_tokens=6) for t in TEXTS[:3]]
    assert texts(ct2, prompts) == texts(reference, prompts)


class TestCTranslate2Contract(GeneratorContract):
    """The plugin-author contract holds for builtin:ctranslate2."""

    @pytest.fixture
    def generator(self, ct2: CTranslate2Generator) -> CTranslate2Generator:
        return ct2


def test_a_prefilled_answer_is_continued_as_transformers_continues_it(
    ct2: CTranslate2Generator, tiny_llama_dir: Path, cache: Path
) -> None:
    # Field-by-field writing (contentgen.fields) hands over the answer so far as a prefill.
    assert ct2.continues_answer()
    reference = TransformersGenerator(model=str(tiny_llama_dir), cache_dir=str(cache))
    prompts = [prompt(t, temperature=0, prefill="Headline:") for t in TEXTS[:3]]
    assert texts(ct2, prompts) == texts(reference, prompts)
    assert texts(ct2, prompts) != texts(ct2, [prompt(t, temperature=0) for t in TEXTS[:3]])
