"""builtin:openvino on the real default model (its GGUF file): the fast CPU backend (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contentgen.errors import GeneratorError, ValidationError
from contentgen.generators.openvino_gen import OpenVINOGenerator
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.hostinfo import AVX2_ONLY_ENVIRONMENT, host_cpu
from contentgen.modelfiles import resolve_text_model
from contentgen.modelfiles.atomic import COMPLETE_MARKER
from contentgen.modelfiles.gguf_requant import ensure_q8_gguf
from contentgen.testing import GeneratorContract
from tests.integration.openvino_checks import (
    TEXTS,
    batch_runs,
    greedy_gaps,
    prefix_runs,
    prompt,
    texts,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

# int8 weights against the fp32 reference: with the first copywriter adapter (rank 8) the gaps
# were at most 0.11 nats on both ISAs; with the rank-16 adapter one token of one test prompt broke
# a 0.49-nat tie on AVX-512 kernels (AMD Zen 4); with the fifth adapter run, on an Intel Xeon
# without AMX (AVX-512+VNNI), ties of 0.55 and 0.76 nats ("Spring Cups" for a mug; a newline
# where the reference ends the answer). A different model (OpenVINO's Q4_1 reading) departs by
# whole nats on the first token, so 0.8 nats still tells the two apart.
NEAR_TIE_NATS = 0.8


@pytest.fixture(scope="module")
def openvino() -> OpenVINOGenerator:
    gen = OpenVINOGenerator()
    gen.load()
    return gen


@pytest.fixture(scope="module")
def exact() -> OpenVINOGenerator:
    """The configuration that promises batch-invariant texts: no prefix caching."""
    gen = OpenVINOGenerator(prefix_caching=False)
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


def test_every_greedy_token_is_the_references_choice_or_a_near_tie(
    openvino: OpenVINOGenerator,
) -> None:
    gaps = greedy_gaps(openvino)
    assert max(gaps) <= NEAR_TIE_NATS, gaps


def test_a_batch_gives_each_prompt_the_output_it_gets_alone(exact: OpenVINOGenerator) -> None:
    assert exact.batch_invariant is True
    runs = batch_runs(exact)
    assert runs["greedy_batch"] == runs["greedy_alone"]


def test_a_seeded_prompt_samples_the_same_alone_or_in_any_batch(exact: OpenVINOGenerator) -> None:
    seeded = prompt(TEXTS[0], n=3, seed=7, temperature=0.9)
    alone = texts(exact, [seeded])[0]
    assert len(alone) == 3 and len(set(alone)) == 3
    others = [prompt(TEXTS[i], n=2, seed=i, temperature=0.9) for i in (1, 2)]
    assert texts(exact, [others[0], seeded, others[1]])[1] == alone
    assert texts(exact, [prompt(TEXTS[0], n=3, seed=8, temperature=0.9)])[0] != alone
    runs = batch_runs(exact)
    assert runs["sampled_batch"] == runs["sampled_alone"]


def test_a_cached_prompt_start_keeps_every_greedy_token_the_references_or_a_near_tie(
    openvino: OpenVINOGenerator, exact: OpenVINOGenerator
) -> None:
    # Prefix caching is on by default: a template's shared start is computed once and a repair
    # attempt's whole prompt is reused. The cached part is read through other kernels, so a
    # near-tie may break the other way than in a whole computation: the texts are the model's
    # (every token the reference's choice or a near-tie), not promised identical.
    assert openvino.settings.prefix_caching is True and openvino.batch_invariant is False
    runs = prefix_runs(openvino, exact)
    assert max(runs["cached_gaps"]) <= NEAR_TIE_NATS, runs["cached_gaps"]


def _checks_in(env: dict[str, str], **options: object) -> dict[str, Any]:
    """The batch guarantees measured in a fresh process with `env` (ISA caps apply at start)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.openvino_checks", json.dumps(options)],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_guarantees_hold_on_avx2_kernels_too() -> None:
    # oneDNN and OpenVINO dispatch no higher than the cap, so an AVX-512 host runs the kernels an
    # AVX2-only host runs; on an AVX2-only host the cap changes nothing and this is the native run.
    capped = _checks_in(AVX2_ONLY_ENVIRONMENT)
    assert "AVX2" in capped["cpu"] and capped["batch_invariant"] is True
    assert capped["cached_batch_invariant"] is False
    assert max(capped["greedy_gaps"]) <= NEAR_TIE_NATS, capped["greedy_gaps"]
    assert max(capped["cached_gaps"]) <= NEAR_TIE_NATS, capped["cached_gaps"]
    assert capped["greedy_batch"] == capped["greedy_alone"]
    assert capped["sampled_batch"] == capped["sampled_alone"]


def test_provenance_says_when_the_batch_guarantee_is_not_given() -> None:
    assert OpenVINOGenerator(prefix_caching=False).batch_invariant is True
    assert OpenVINOGenerator().batch_invariant is False  # prefix caching is on by default
    assert OpenVINOGenerator(prefix_caching=False, kv_cache_precision="u8").batch_invariant is False
    assert OpenVINOGenerator(prefix_caching=False, precision="bf16").batch_invariant is False


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
    assert info.extra["kv_cache_precision"] == "f32" and info.extra["prefix_caching"] is True
    assert info.extra["batch_invariant"] is False
    assert info.extra["cpu"] == host_cpu().describe()


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
        ("kv_cache_precision", "u4", "unknown value"),
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


def test_a_prefilled_answer_is_continued_as_the_reference_would(
    openvino: OpenVINOGenerator,
) -> None:
    # Field-by-field writing (contentgen.fields) hands over the answer so far as a prefill.
    assert openvino.continues_answer()
    asked = [prompt(t, temperature=0, prefill="Headline:") for t in TEXTS[3:6]]
    got = [t[0] for t in texts(openvino, asked)]
    assert all(got) and not any(t.startswith("Headline") for t in got)
    reference = TransformersGenerator()  # the same model and adapter, fp32
    assert max(reference.greedy_gaps(asked, got)) <= NEAR_TIE_NATS
