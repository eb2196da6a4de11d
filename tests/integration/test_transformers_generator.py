"""builtin:transformers on tiny random models: batching, variants, seeds, stops, seq2seq."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.errors import ModelNotAvailableError, ValidationError
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.testing import GeneratorContract
from contentgen.types import Prompt, Task

TEXTS = (
    "Write a one-line ad for a leather wallet.",
    "Summarise: the central bank raised rates by half a point on Tuesday.",
    "Reply to a customer whose parcel arrived late.",
    "Hi",
)


def prompt(text: str, **kw: object) -> Prompt:
    kw.setdefault("max_new_tokens", 12)
    return Prompt(task=Task.MARKETING, text=text, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def llama(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TransformersGenerator:
    gen = TransformersGenerator(
        model=str(tiny_llama_dir),
        torch_threads=1,
        batch_size=3,
        cache_dir=str(tmp_path_factory.mktemp("cache")),
    )
    gen.load()
    return gen


def texts(gen: TransformersGenerator, prompts: list[Prompt]) -> list[list[str]]:
    return [[c.text or "" for c in cands] for cands in gen.generate(prompts)]


def test_a_batch_gives_each_prompt_the_output_it_gets_alone(llama: TransformersGenerator) -> None:
    prompts = [prompt(t, temperature=0) for t in TEXTS]
    batched = texts(llama, prompts)  # batch_size=3: two model batches with left padding
    alone = [texts(llama, [p])[0] for p in prompts]
    assert batched == alone
    assert len({b[0] for b in batched}) == len(TEXTS)  # different prompts, different texts


def test_n_variants_per_prompt_in_order(llama: TransformersGenerator) -> None:
    result = llama.generate([prompt(TEXTS[0], n=3, seed=1), prompt(TEXTS[1], n=2, seed=1)])
    assert [len(r) for r in result] == [3, 2]
    assert len({c.text for c in result[0]}) == 3  # sampled variants differ
    meta = result[0][0].meta
    assert meta["finish_reason"] in ("stop", "length")
    assert meta["prompt_tokens"] > 10 and 1 <= meta["new_tokens"] <= 12


def test_variants_share_the_prompt_state_without_changing_results(
    llama: TransformersGenerator,
) -> None:
    # n > 1 runs each prompt once and copies its attention cache to every variant row.
    prompts = [prompt(t, temperature=0, n=3) for t in TEXTS[:3]]
    single = [texts(llama, [prompt(t, temperature=0)])[0][0] for t in TEXTS[:3]]
    assert texts(llama, prompts) == [[s, s, s] for s in single]


def test_a_seed_reproduces_alone_and_inside_any_batch(llama: TransformersGenerator) -> None:
    seeded = prompt(TEXTS[0], n=2, seed=1234, temperature=0.9)
    first = texts(llama, [seeded])[0]
    assert texts(llama, [seeded])[0] == first
    mixed = texts(llama, [prompt(TEXTS[2], seed=5), seeded, prompt(TEXTS[3], n=3)])
    assert mixed[1] == first
    assert texts(llama, [prompt(TEXTS[0], n=2, seed=4321, temperature=0.9)])[0] != first


def test_unseeded_prompts_record_the_seed_that_reproduces_them(
    llama: TransformersGenerator,
) -> None:
    free = llama.generate([prompt(TEXTS[1], temperature=1.0)])[0][0]
    again = llama.generate([prompt(TEXTS[1], temperature=1.0, seed=free.meta["seed"])])[0][0]
    assert again.text == free.text


def test_top_k_one_or_tiny_top_p_sample_the_greedy_token(llama: TransformersGenerator) -> None:
    greedy = texts(llama, [prompt(TEXTS[0], temperature=0)])[0][0]
    assert texts(llama, [prompt(TEXTS[0], temperature=1.5, top_k=1, seed=3)])[0][0] == greedy
    assert texts(llama, [prompt(TEXTS[0], temperature=1.0, top_p=1e-6, seed=3)])[0][0] == greedy


def test_stop_sequence_cuts_the_text_and_ends_the_row(llama: TransformersGenerator) -> None:
    full = llama.generate([prompt(TEXTS[1], temperature=0, max_new_tokens=16)])[0][0]
    text = full.text or ""
    assert len(text) > 8
    stop = text[4:7]
    cut = llama.generate([prompt(TEXTS[1], temperature=0, max_new_tokens=16, stop=(stop,))])[0][0]
    assert cut.text == text[: text.find(stop)].strip()
    assert cut.meta["finish_reason"] == "stop"
    assert cut.meta["new_tokens"] < full.meta["new_tokens"]


def test_each_prompt_keeps_its_own_token_budget_in_one_batch(llama: TransformersGenerator) -> None:
    budgets = [3, 9, 5]
    result = llama.generate(
        [prompt(TEXTS[i], temperature=0, max_new_tokens=b) for i, b in enumerate(budgets)]
    )
    for cands, budget in zip(result, budgets, strict=True):
        meta = cands[0].meta
        assert meta["new_tokens"] <= budget
        if meta["finish_reason"] == "length":
            assert meta["new_tokens"] == budget


def test_the_system_prompt_goes_into_the_chat_template(llama: TransformersGenerator) -> None:
    plain = llama.generate([prompt(TEXTS[0], temperature=0)])[0][0]
    styled = llama.generate(
        [prompt(TEXTS[0], temperature=0, system="You write for a luxury brand.")]
    )[0][0]
    assert styled.meta["prompt_tokens"] != plain.meta["prompt_tokens"]
    assert styled.text != plain.text


def test_few_shot_examples_become_earlier_chat_turns(
    llama: TransformersGenerator, smollm2_tokenizer_dir: Path
) -> None:
    from transformers import AutoTokenizer

    from contentgen.generators.textrows import encode_prompt

    shot = prompt(TEXTS[0], system="Be brief.", examples=(("Ad for a mug", "Sip in style."),))
    text = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir).decode(
        encode_prompt(llama._tokenizer, shot)
    )
    order = ["Be brief.", "user\nAd for a mug", "assistant\nSip in style.", f"user\n{TEXTS[0]}"]
    positions = [text.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions)
    assert text.endswith("<|im_start|>assistant\n")
    plain = llama.generate([prompt(TEXTS[0], system="Be brief.")])[0][0]
    assert llama.generate([shot])[0][0].meta["prompt_tokens"] > plain.meta["prompt_tokens"]


def test_model_info_names_the_checkpoint(
    llama: TransformersGenerator, tiny_llama_dir: Path
) -> None:
    info = llama.model_info()
    assert info.model_id == str(tiny_llama_dir.resolve())
    assert info.revision and info.revision.startswith("local-")
    assert info.extra["dtype"] == "float32"


def test_seq2seq_models_generate_batched(tiny_t5_dir: Path, tmp_path: Path) -> None:
    gen = TransformersGenerator(model=str(tiny_t5_dir), batch_size=2, cache_dir=str(tmp_path))
    prompts = [prompt(t, temperature=0, max_new_tokens=6) for t in TEXTS[:3]]
    batched = texts(gen, prompts)
    assert batched == [texts(gen, [p])[0] for p in prompts]
    assert all(b[0] for b in batched)
    assert gen.model_info().extra["architecture"] == "T5ForConditionalGeneration"
    for cands in gen.generate(prompts):
        assert cands[0].meta["new_tokens"] <= 6


def test_a_hub_model_that_is_not_local_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    gen = TransformersGenerator(model="example-org/not-downloaded-model", cache_dir=str(tmp_path))
    with pytest.raises(ModelNotAvailableError, match="not available locally") as info:
        gen.load()
    assert "smollm2" in str(info.value)


def test_bad_options_fail_before_loading() -> None:
    with pytest.raises(ValidationError, match="device"):
        TransformersGenerator(device="tpu")
    with pytest.raises(ValidationError, match="dtype"):
        TransformersGenerator(dtype="int4")
    with pytest.raises(ValidationError, match="not an option"):
        TransformersGenerator(temperature=1.0)


class TestTransformersContract(GeneratorContract):
    """The plugin-author contract holds for builtin:transformers."""

    @pytest.fixture
    def generator(self, llama: TransformersGenerator) -> TransformersGenerator:
        return llama
