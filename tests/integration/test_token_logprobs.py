"""Per-token log-probabilities: asked for per request, stored with the output, explained.

builtin:transformers runs a tiny random Llama (both its decoders); the engine, CLI and page
tests use testing:echo, whose fake log-probabilities mark every word with a digit as unlikely.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from contentgen.confidence import TOKEN_LOGPROBS
from contentgen.engine import Engine
from contentgen.errors import ValidationError
from contentgen.generators.textrows import make_rows
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.types import MarketingRequest, Prompt, Task
from contentgen.web import create_app
from tests.unit.test_fuzz_cli import run_cli

TEXT = "Write a one-line ad for a leather wallet."
PRODUCT = {"name": "Trail Runner 2", "price": "89 EUR", "material": "recycled mesh"}


def _prompt(**kw: object) -> Prompt:
    return Prompt(task=Task.MARKETING, text=TEXT, max_new_tokens=10, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=[True, False], ids=["lean-decoder", "hf-generate"])
def llama(
    request: pytest.FixtureRequest, tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> TransformersGenerator:
    gen = TransformersGenerator(
        model=str(tiny_llama_dir),
        fast_decoder=request.param,
        cache_dir=str(tmp_path_factory.mktemp("cache")),
    )
    gen.load()
    return gen


def _reference(gen: TransformersGenerator, prompt: Prompt) -> tuple[list[str], list[float]]:
    """Greedy tokens and their log-probabilities from transformers' own generate."""
    import torch

    (row,) = make_rows(gen._tokenizer, [prompt])
    ids = torch.tensor([row.ids])
    with torch.inference_mode():
        out = gen._model.generate(
            input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
            max_new_tokens=prompt.max_new_tokens, output_logits=True,
            return_dict_in_generate=True, pad_token_id=gen._pad, eos_token_id=gen._eos,
        )  # fmt: skip
    new = out.sequences[0, ids.shape[1] :].tolist()
    steps = zip(out.logits, new, strict=True)
    logprobs = [torch.log_softmax(s[0].float(), -1)[t].item() for s, t in steps]
    if new and new[-1] in gen._eos:
        new, logprobs = new[:-1], logprobs[:-1]
    return [gen._tokenizer.decode([t]) for t in new], logprobs


def test_each_token_gets_the_models_own_log_probability(llama: TransformersGenerator) -> None:
    (found,) = llama.generate([_prompt(temperature=0, params={"logprobs": True})])[0]
    tokens, logprobs = _reference(llama, _prompt(temperature=0))
    stored = found.meta[TOKEN_LOGPROBS]
    assert [t for t, _ in stored] == tokens and len(tokens) >= 3
    assert [lp for _, lp in stored] == pytest.approx(logprobs, abs=2e-4)


def test_they_are_off_by_default_and_change_nothing(llama: TransformersGenerator) -> None:
    sampled = {"temperature": 0.9, "seed": 5, "n": 2}
    plain = llama.generate([_prompt(**sampled)])[0]
    scored = llama.generate([_prompt(**sampled, params={"logprobs": True})])[0]
    assert all(TOKEN_LOGPROBS not in c.meta for c in plain)
    assert [c.text for c in scored] == [c.text for c in plain]
    for c in scored:
        assert all(lp <= 0 for _, lp in c.meta[TOKEN_LOGPROBS])
        assert "".join(t for t, _ in c.meta[TOKEN_LOGPROBS]).strip() == c.text


def test_the_generator_option_turns_them_on(tiny_llama_dir: Path, tmp_path: Path) -> None:
    gen = TransformersGenerator(model=str(tiny_llama_dir), logprobs=True, cache_dir=str(tmp_path))
    (found,) = gen.generate([_prompt(temperature=0)])[0]
    (off,) = gen.generate([_prompt(temperature=0, params={"logprobs": False})])[0]
    assert found.meta[TOKEN_LOGPROBS] and TOKEN_LOGPROBS not in off.meta


def _scored(engine: Engine) -> str:
    request = MarketingRequest(product=PRODUCT, channel="sms", seed=3, params={"logprobs": True})
    result = engine.generate(request)
    return (*result.outputs, *result.rejected)[0].id


def test_the_engine_stores_them_and_explain_flags_unlikely_tokens(engine: Engine) -> None:
    output_id = _scored(engine)
    stored = engine.get_output(output_id)
    tokens = stored.provenance.params[TOKEN_LOGPROBS]
    assert "".join(t for t, _ in tokens) == stored.text
    why = engine.explain(output_id)
    assert why.confidence is not None
    low = [t.text.strip() for t in why.confidence.low]
    assert low and all(any(c.isdigit() for c in word) for word in low)
    assert TOKEN_LOGPROBS not in why.model.decoding and why.model.decoding["logprobs"] is True
    data = json.loads(json.dumps(why.as_dict()))["confidence"]
    assert data["tokens"][0]["probability"] == pytest.approx(math.exp(tokens[0][1]), abs=1e-4)
    assert data["low"] == len(low)
    plain = engine.generate(MarketingRequest(product=PRODUCT, channel="sms", seed=3))
    assert engine.explain(plain.outputs[0].id).confidence is None


@pytest.mark.parametrize(("flag", "recorded"), [("true", True), ("false", False), (False, False)])
def test_the_flag_may_be_text_as_the_cli_sends_it(
    engine: Engine, flag: object, recorded: bool
) -> None:
    request = MarketingRequest(product=PRODUCT, channel="sms", params={"logprobs": flag})
    output = engine.generate(request).outputs[0]
    assert (TOKEN_LOGPROBS in output.provenance.params) is recorded


def test_a_wrong_value_is_refused_before_generation(engine: Engine) -> None:
    bad = MarketingRequest(product=PRODUCT, params={"logprobs": "sometimes"})
    with pytest.raises(ValidationError, match="params.logprobs"):
        engine.generate(bad)
    with pytest.raises(ValidationError, match="params.logprobs"):
        engine.generate(MarketingRequest(product=PRODUCT, params={"logprobs": 1}))


def test_the_page_highlights_low_confidence_tokens(engine: Engine) -> None:
    output_id = _scored(engine)
    client = TestClient(create_app(engine), base_url="http://127.0.0.1")
    html = client.get(f"/outputs/{output_id}/explain")
    assert "Model confidence, token by token" in html.text
    assert '<span class="token low" title="p = 0.050" data-p="0.050">' in html.text
    assert "Least sure: <code> 2.</code> 5%" in html.text
    token = client.get("/api/session").json()["csrf_token"]
    client.post("/api/session", json={"rater": "ana"}, headers={"X-CSRF-Token": token})
    card = client.get(f"/outputs/{output_id}")
    assert "model confidence recorded for 12 tokens" in card.text


def test_the_cli_marks_low_confidence_tokens(engine: Engine, tmp_path: Path) -> None:
    output_id = _scored(engine)
    config = tmp_path / "contentgen.toml"
    config.write_text(f'data_dir = "{engine.settings.data_dir.as_posix()}"\n', encoding="utf-8")
    code, output, escaped = run_cli(["--config", str(config), "explain", output_id])
    assert (code, escaped) == (0, None), output
    assert "tokens below p=0.2 (marked [[...]])" in output
    assert "Trail Runner[[ 2.]] Made for" in output


def test_the_cli_asks_for_them_with_a_param(tiny_llama_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text(
        f'data_dir = "{(tmp_path / "data").as_posix()}"\n'
        '[routes.marketing]\ngenerator = "builtin:transformers"\n'
        f'[generators."builtin:transformers"]\nmodel = "{tiny_llama_dir.as_posix()}"\n',
        encoding="utf-8",
    )
    argv = ["--config", str(config), "generate", "marketing", "--product", "name=Mug", "--json"]
    code, output, escaped = run_cli([*argv, "--param", "logprobs=true", "--seed", "1"])
    assert escaped is None and code in (0, 4), output  # 4: a random model's copy is rejected
    data, _ = json.JSONDecoder().raw_decode(output, output.index("{"))
    (first, *_) = [*data["outputs"], *data["rejected"]]
    assert first["provenance"]["params"][TOKEN_LOGPROBS]
    code, output, escaped = run_cli(["--config", str(config), "explain", first["id"]])
    assert (code, escaped) == (0, None) and "confidence: " in output, output
