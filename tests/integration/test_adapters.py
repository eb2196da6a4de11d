"""LoRA adapters in builtin:transformers: merged at load, run by the lean decoder, in provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from contentgen import Engine, MarketingRequest
from contentgen.config import Route
from contentgen.errors import GeneratorError
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.modelfiles.adapters import adapter_sha256
from contentgen.types import Prompt, Task

PROMPTS = [
    Prompt(
        task=Task.MARKETING, text="Write an SMS for a desk lamp.", temperature=0, max_new_tokens=10
    ),
    Prompt(task=Task.MARKETING, text="Write a headline for boots.", n=2, seed=3, max_new_tokens=10),
]


def _base_model(path: Path) -> torch.nn.Module:
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)


@pytest.fixture(scope="module")
def adapter_dir(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LoRA adapter with random (non-zero) B matrices, so merging visibly changes the model."""
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(1)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    model = get_peft_model(_base_model(tiny_llama_dir), config)
    out = tmp_path_factory.mktemp("adapters") / "shop-voice"
    model.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def merged_dir(
    tiny_llama_dir: Path, adapter_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The same adapter merged offline with peft and saved as a plain checkpoint."""
    from peft import PeftModel
    from transformers import AutoTokenizer

    merged = PeftModel.from_pretrained(_base_model(tiny_llama_dir), adapter_dir).merge_and_unload()
    out = tmp_path_factory.mktemp("merged")
    merged.save_pretrained(out)
    AutoTokenizer.from_pretrained(tiny_llama_dir).save_pretrained(out)
    return out


def _generator(model: Path, **options: object) -> TransformersGenerator:
    generator = TransformersGenerator(model=str(model), torch_threads=1, **options)
    generator.load()
    return generator


def _texts(generator: TransformersGenerator) -> list[list[str]]:
    return [[c.text or "" for c in cands] for cands in generator.generate(PROMPTS)]


def test_an_adapter_is_merged_and_decoded_like_the_same_weights_merged_offline(
    tiny_llama_dir: Path, adapter_dir: Path, merged_dir: Path
) -> None:
    tuned = _generator(tiny_llama_dir, adapter=str(adapter_dir))
    offline = _generator(merged_dir)
    base = _generator(tiny_llama_dir, adapter="none")
    assert tuned.model_info().extra["decoder"] == "contentgen lean llama"
    q_tuned = tuned._model.model.layers[0].self_attn.q_proj.weight
    q_offline = offline._model.model.layers[0].self_attn.q_proj.weight
    q_base = base._model.model.layers[0].self_attn.q_proj.weight
    assert torch.equal(q_tuned, q_offline)
    assert not torch.allclose(q_tuned, q_base)
    assert _texts(tuned) == _texts(offline)


def test_none_runs_the_base_model_as_it_is(tiny_llama_dir: Path) -> None:
    from safetensors.torch import load_file

    base = _generator(tiny_llama_dir, adapter="none")
    saved = load_file(str(tiny_llama_dir / "model.safetensors"))
    loaded = base._model.model.layers[1].mlp.down_proj.weight
    assert torch.equal(loaded, saved["model.layers.1.mlp.down_proj.weight"])
    info = base.model_info()
    assert "adapter" not in (info.revision or "") and "adapter" not in info.extra
    # 'auto' on a model the shipped copywriter was not trained on: the base model too.
    assert _texts(_generator(tiny_llama_dir)) == _texts(base)


def test_provenance_names_the_adapter_and_its_content_hash(
    tiny_llama_dir: Path, adapter_dir: Path, tmp_path: Path
) -> None:
    digest = adapter_sha256(adapter_dir)
    generators = {
        "builtin:transformers": {
            "model": str(tiny_llama_dir),
            "adapter": str(adapter_dir),
            "torch_threads": 1,
        }
    }
    routes = {Task.MARKETING: Route("builtin:transformers")}
    with Engine.from_config(
        data_dir=tmp_path, routes=routes, generators=generators, use_entry_points=False
    ) as engine:
        result = engine.generate(
            MarketingRequest(
                product={"name": "Desk Lamp", "price_eur": "39"}, channel="sms", seed=1
            )
        )
        stored = engine.store.get_output([*result.outputs, *result.rejected][0].id)
        info = engine.registry.get("builtin:transformers").model_info()
    revision = stored.provenance.model_revision or ""
    assert revision.endswith(f" + adapter shop-voice@{digest[:12]}")
    assert info.extra["adapter"] == "shop-voice" and info.extra["adapter_sha256"] == digest


def test_an_adapter_for_another_model_is_a_clear_error(
    tiny_llama_dir: Path, tmp_path: Path
) -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    other = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=1,
            num_attention_heads=2, num_key_value_heads=1,
        )
    )  # fmt: skip
    peft_model = get_peft_model(other, LoraConfig(r=2, target_modules="all-linear"))
    peft_model.save_pretrained(tmp_path / "other")
    generator = TransformersGenerator(model=str(tiny_llama_dir), adapter=str(tmp_path / "other"))
    with pytest.raises(GeneratorError, match="cannot apply adapter 'other'"):
        generator.load()


def test_ctranslate2_converts_the_merged_checkpoint_and_decodes_like_transformers(
    tiny_llama_dir: Path, adapter_dir: Path, tmp_path: Path
) -> None:
    from contentgen.generators.ctranslate2_gen import CTranslate2Generator

    ct2 = CTranslate2Generator(
        model=str(tiny_llama_dir),
        adapter=str(adapter_dir),
        compute_type="float32",
        cache_dir=str(tmp_path),
    )
    ct2.load()
    info = ct2.model_info()
    assert info.extra["adapter"] == "shop-voice"
    assert (info.revision or "").endswith(
        f" + adapter shop-voice@{adapter_sha256(adapter_dir)[:12]}"
    )
    greedy = [p for p in PROMPTS if p.greedy]
    tuned = _generator(tiny_llama_dir, adapter=str(adapter_dir))
    base = _generator(tiny_llama_dir, adapter="none")
    assert ct2.generate(greedy)[0][0].text == tuned.generate(greedy)[0][0].text
    assert tuned.generate(greedy)[0][0].text != base.generate(greedy)[0][0].text
