"""builtin:openvino on the real default model (its GGUF file): the fast CPU backend (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.errors import GeneratorError, ValidationError
from contentgen.generators.openvino_gen import OpenVINOGenerator
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.models import resolve_text_model
from contentgen.models.atomic import COMPLETE_MARKER
from contentgen.models.gguf_requant import ensure_q8_gguf
from contentgen.testing import GeneratorContract
from contentgen.types import Prompt, Task

pytestmark = pytest.mark.slow

TEXTS = (
    "Write a one-line ad for a leather wallet.",
    "Summarise: the central bank raised rates by half a point on Tuesday.",
    "Reply to a customer whose parcel arrived late.",
    "Write a headline for a wool scarf.",
    "Describe a ceramic mug for our spring catalogue in one friendly sentence.",
    "Write an email subject line for a summer sale on sandals.",
    "Write a tweet announcing our new steel water bottle.",
    "Write a product description for a bamboo cutting board.",
)


def prompt(text: str, **kw: object) -> Prompt:
    kw.setdefault("max_new_tokens", 24)
    return Prompt(task=Task.MARKETING, text=text, **kw)  # type: ignore[arg-type]


def texts(gen: OpenVINOGenerator | TransformersGenerator, prompts: list[Prompt]) -> list[list[str]]:
    return [[c.text or "" for c in cands] for cands in gen.generate(prompts)]


@pytest.fixture(scope="module")
def openvino() -> OpenVINOGenerator:
    gen = OpenVINOGenerator()
    gen.load()
    return gen


def test_the_gguf_is_rewritten_as_q8_0_once_with_its_metadata(tmp_path: Path) -> None:
    import gguf

    resolved = resolve_text_model("smollm2")
    source = resolved.gguf
    assert source is not None
    written = ensure_q8_gguf(resolved, tmp_path)
    assert (written.parent / COMPLETE_MARKER).is_file()
    stamp = written.stat().st_mtime_ns
    assert ensure_q8_gguf(resolved, tmp_path).stat().st_mtime_ns == stamp
    before, after = gguf.GGUFReader(source), gguf.GGUFReader(written)
    kinds = {t.name: t.tensor_type.name for t in after.tensors}
    assert set(kinds) == {t.name for t in before.tensors}
    assert {kinds[t.name] for t in after.tensors if len(t.shape) == 2} == {"Q8_0"}
    for key in ("tokenizer.ggml.tokens", "tokenizer.chat_template", "llama.rope.freq_base"):
        assert after.fields[key].contents() == before.fields[key].contents()


def test_greedy_output_stays_close_to_transformers(openvino: OpenVINOGenerator) -> None:
    # int8 weights and activations against fp32: most texts match, the rest only drift late.
    prompts = [prompt(t, temperature=0) for t in TEXTS]
    fast = texts(openvino, prompts)
    reference = texts(TransformersGenerator(torch_threads=1), prompts)
    same = sum(a == b for a, b in zip(fast, reference, strict=True))
    assert same >= len(TEXTS) // 2, (fast, reference)
    for (a,), (b,) in zip(fast, reference, strict=True):
        assert a[:10] == b[:10], (a, b)


def test_a_batch_gives_each_prompt_the_output_it_gets_alone(openvino: OpenVINOGenerator) -> None:
    prompts = [prompt(t, temperature=0) for t in TEXTS[:5]]
    assert texts(openvino, prompts) == [texts(openvino, [p])[0] for p in prompts]


def test_a_seeded_prompt_samples_the_same_alone_or_in_any_batch(
    openvino: OpenVINOGenerator,
) -> None:
    seeded = prompt(TEXTS[0], n=3, seed=7, temperature=0.9)
    alone = texts(openvino, [seeded])[0]
    assert len(alone) == 3 and len(set(alone)) == 3
    others = [prompt(TEXTS[i], n=2, seed=i, temperature=0.9) for i in (1, 2)]
    assert texts(openvino, [others[0], seeded, others[1]])[1] == alone
    assert texts(openvino, [prompt(TEXTS[0], n=3, seed=8, temperature=0.9)])[0] != alone


def test_stop_sequence_and_token_budgets(openvino: OpenVINOGenerator) -> None:
    full = openvino.generate([prompt(TEXTS[4], temperature=0)])[0][0]
    text = full.text or ""
    stop = text[10:14]
    cut = openvino.generate([prompt(TEXTS[4], temperature=0, stop=(stop,))])[0][0]
    assert cut.text == text[: text.find(stop)].strip()
    assert cut.meta["finish_reason"] == "stop" and cut.meta["new_tokens"] < full.meta["new_tokens"]
    budgets = [2, 7, 4]
    result = openvino.generate(
        [prompt(TEXTS[i], temperature=0, max_new_tokens=b) for i, b in enumerate(budgets)]
    )
    for cands, budget in zip(result, budgets, strict=True):
        assert cands[0].meta["new_tokens"] <= budget
        if cands[0].meta["finish_reason"] == "length":
            assert cands[0].meta["new_tokens"] == budget


def test_provenance_names_the_backend_and_the_weights(openvino: OpenVINOGenerator) -> None:
    info = openvino.model_info()
    assert info.model_id == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert (info.backend or "").startswith("openvino-genai ")
    assert info.extra["weights"] == "q8_0" and info.extra["precision"] == "f32"


def test_a_transformers_checkpoint_is_refused_with_the_alternatives(
    tiny_llama_dir: Path, tmp_path: Path
) -> None:
    gen = OpenVINOGenerator(model=str(tiny_llama_dir), cache_dir=str(tmp_path))
    with pytest.raises(GeneratorError, match="builtin:ctranslate2"):
        gen.load()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("precision", "fp8", "unknown value"),
        ("weights", "q2_k", "unknown value"),
        ("device", "cuda", "unknown value"),
        ("threads", -1, "whole number"),
        ("torch_threads", 0, "whole number"),
        ("kv_cache_gb", 0.5, "whole number"),
    ],
)
def test_bad_options_are_refused_naming_the_choices(
    option: str, value: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        OpenVINOGenerator(**{option: value})


class TestOpenVINOContract(GeneratorContract):
    """The plugin-author contract holds for builtin:openvino."""

    @pytest.fixture
    def generator(self, openvino: OpenVINOGenerator) -> OpenVINOGenerator:
        return openvino
