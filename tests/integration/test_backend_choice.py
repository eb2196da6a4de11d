"""builtin:auto's probe on real backends and a tiny random Llama (no GGUF: openvino sits out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.generator import Generator
from contentgen.generators import backend_choice as bc
from contentgen.generators.auto_gen import AutoGenerator
from contentgen.generators.ctranslate2_gen import CTranslate2Generator
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.types import Prompt, Task

TEXTS = (
    "Write a one-line ad for a leather wallet.",
    "Hi",
    "Describe a ceramic mug.",
    "Sell socks.",
)


def prompt(text: str, **kw: object) -> Prompt:
    kw.setdefault("max_new_tokens", 10)
    return Prompt(task=Task.MARKETING, text=text, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def reference(
    tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> TransformersGenerator:
    gen = TransformersGenerator(
        model=str(tiny_llama_dir), cache_dir=str(tmp_path_factory.mktemp("cache"))
    )
    gen.load()
    return gen


@pytest.mark.slow
def test_the_default_models_own_greedy_text_has_no_gap_and_another_token_has_one() -> None:
    # The real model: its text re-tokenizes to the tokens it wrote (a random model's may not).
    reference = TransformersGenerator()
    asked = [prompt(TEXTS[0], temperature=0), prompt(TEXTS[2], temperature=0, prefill="Ad:")]
    own = [c[0].text or "" for c in reference.generate(asked)]
    assert max(reference.greedy_gaps(asked, own)) < 1e-3
    other = [own[0].replace(" ", " zebra ", 1), own[1]]
    assert reference.greedy_gaps(asked, other)[0] > bc.NEAR_TIE_NATS


def test_a_float32_ctranslate2_qualifies_and_is_timed(
    reference: TransformersGenerator, tiny_llama_dir: Path, tmp_path: Path
) -> None:
    ct2 = CTranslate2Generator(
        model=str(tiny_llama_dir), compute_type="float32", cache_dir=str(tmp_path)
    )
    backends: dict[str, Generator] = {bc.REFERENCE: reference, "builtin:ctranslate2": ct2}
    found = bc.measure(backends, [prompt(t, n=2, seed=1) for t in TEXTS], reference.greedy_gaps)
    assert all(m.qualifies and (m.cpu_s or 0) > 0 for m in found), found


def test_the_first_batch_measures_every_backend_and_caches_the_choice(
    tiny_llama_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bc.PROBE_VARIABLE, "1")
    auto = AutoGenerator(model=str(tiny_llama_dir), cache_dir=str(tmp_path))
    answers = auto.generate([prompt(t, n=2, temperature=0.8, seed=3) for t in TEXTS])
    assert [len(a) for a in answers] == [2, 2, 2, 2]
    choice = auto._choice
    assert choice is not None and bc.read_choice(tmp_path, choice.key) == choice
    found = {m.generator_id: m for m in choice.measurements}
    assert set(found) == set(bc.CANDIDATES)
    assert "GGUF" in (found["builtin:openvino"].problem or "")  # a checkpoint dir is not GGUF
    assert found[bc.REFERENCE].qualifies and found[choice.chosen].qualifies
    assert auto.model_info().extra["backend_id"] == choice.chosen
