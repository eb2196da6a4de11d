"""Tuning inputs checked before any model loads: row layouts, hyperparameters, adapter choices."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from contentgen.errors import ValidationError
from contentgen.modelfiles.adapters import (
    check_adapter_spec,
    load_adapter_dir,
    prompts_for_adapter,
    resolve_adapter,
)
from contentgen.modelfiles.resolve import SMOLLM2_HUB_ID, ResolvedModel
from contentgen.training.sft_data import check_rows, length_grouped_batches, row_turns
from contentgen.training.tune_config import TuneConfig
from contentgen.types import Prompt, Task

SYSTEM = {"role": "system", "content": "You write ads."}
EXAMPLE = [{"role": "user", "content": "Ad for a lamp"}, {"role": "assistant", "content": "Glow."}]
USER = {"role": "user", "content": "Ad for a boot"}
ANSWER = {"role": "assistant", "content": "Headline: Dry Feet"}


def test_a_corpus_chat_record_splits_into_the_prompt_pieces_and_the_answer() -> None:
    row = {"id": "brief-1/sms/0", "split": "train", "messages": [SYSTEM, *EXAMPLE, USER, ANSWER]}
    turns = row_turns(row, 0)
    assert turns.system == "You write ads."
    assert turns.examples == (("Ad for a lamp", "Glow."),)
    assert (turns.text, turns.answer, turns.chat) == ("Ad for a boot", "Headline: Dry Feet", True)


def test_trl_prompt_completion_rows_in_both_styles() -> None:
    chat = row_turns({"prompt": [SYSTEM, USER], "completion": [ANSWER]}, 0)
    assert (chat.system, chat.text, chat.answer, chat.chat) == (
        "You write ads.",
        "Ad for a boot",
        "Headline: Dry Feet",
        True,
    )
    plain = row_turns({"prompt": "Ad for a boot:", "completion": " Dry feet."}, 0)
    assert (plain.system, plain.text, plain.answer, plain.chat) == (
        None,
        "Ad for a boot:",
        " Dry feet.",
        False,
    )


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"messages": [SYSTEM, USER]}, "must end with the assistant's answer"),
        ({"messages": [USER, USER, ANSWER]}, "turns must be"),
        ({"messages": [{"role": "user"}, ANSWER]}, "needs a 'role' and a text 'content'"),
        ({"messages": "hello"}, "must be a list"),
        ({"text": "no layout"}, "needs 'messages'"),
        ({"prompt": [USER], "completion": "text"}, "needs 'messages'"),
    ],
)
def test_a_bad_row_is_named_with_the_accepted_layouts(row: dict[str, object], problem: str) -> None:
    good = {"messages": [USER, ANSWER]}
    with pytest.raises(ValidationError, match=problem) as info:
        check_rows([good, good, row])
    assert "row 3" in str(info.value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("precision", "fp16", "'auto', 'bf16', 'fp32'"),
        ("micro_batch_size", 0, "at least 1"),
        ("learning_rate", 0.0, "positive"),
        ("lora_dropout", 1.0, r"\[0, 1\)"),
        ("max_examples", 0, "at least 1"),
    ],
)
def test_bad_hyperparameters_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TuneConfig(**{field: value})  # type: ignore[arg-type]


def test_length_grouped_batches_cover_every_row_once_with_similar_lengths() -> None:
    draw = random.Random(1)
    lengths = [draw.randint(10, 500) for _ in range(200)]
    batches = list(length_grouped_batches(lengths, 4, random.Random(0), group=8))
    assert sorted(i for b in batches for i in b) == list(range(200))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches)
    shuffled = [list(range(200))[k : k + 4] for k in range(0, 200, 4)]
    naive = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in shuffled)
    assert spread < naive / 3  # little padding compared with batches in file order
    again = list(length_grouped_batches(lengths, 4, random.Random(0), group=8))
    assert again == batches  # seeded


def _adapter(folder: Path, base: str, *, examples: bool | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": base}))
    (folder / "adapter_model.safetensors").write_bytes(b"weights")
    if examples is not None:
        card = {"training": {"prompt_examples": examples}}
        (folder / "contentgen_tune.json").write_text(json.dumps(card))
    return folder


def _model(model_id: str) -> ResolvedModel:
    return ResolvedModel(Path("/m"), model_id, None, "m", "dir")


def test_adapter_choices_and_folders_are_checked_on_construction(tmp_path: Path) -> None:
    assert [check_adapter_spec(v) for v in ("auto", "none", "copywriter")] == [
        "auto",
        "none",
        "copywriter",
    ]
    with pytest.raises(ValueError, match="'auto'.*'copywriter'.*'none'.*adapter folder"):
        check_adapter_spec(str(tmp_path / "missing"))
    folder = _adapter(tmp_path / "mine", "some/model")
    assert check_adapter_spec(str(folder)) == str(folder)


def test_the_generator_refuses_a_missing_adapter_before_loading(tmp_path: Path) -> None:
    from contentgen.generators.transformers_gen import TransformersGenerator

    with pytest.raises(ValidationError, match="adapter.*no adapter folder"):
        TransformersGenerator(adapter=str(tmp_path / "nope"))


def test_auto_gives_the_shipped_copywriter_to_its_base_model_only() -> None:
    shipped = resolve_adapter("auto", _model(SMOLLM2_HUB_ID))
    assert shipped is not None and shipped.name == "copywriter"
    assert shipped.base_model == SMOLLM2_HUB_ID
    assert resolve_adapter("auto", _model("/models/my-own-checkpoint")) is None
    assert resolve_adapter("none", _model(SMOLLM2_HUB_ID)) is None


def test_an_adapter_folder_is_named_and_hashed_by_content(tmp_path: Path) -> None:
    first = load_adapter_dir(_adapter(tmp_path / "a", "m"))
    second = load_adapter_dir(_adapter(tmp_path / "b", "m"))
    assert first.sha256 == second.sha256 and first.name == "a"
    (tmp_path / "b" / "adapter_model.safetensors").write_bytes(b"other weights")
    assert load_adapter_dir(tmp_path / "b").sha256 != first.sha256
    assert first.label == f"a@{first.sha256[:12]}"


def test_an_adapter_trained_without_examples_gets_prompts_without_them(tmp_path: Path) -> None:
    prompts = [
        Prompt(task=Task.MARKETING, text="Ad for a boot", examples=(("Ad for a lamp", "Glow."),))
    ]
    zero_shot = load_adapter_dir(_adapter(tmp_path / "z", "m", examples=False))
    few_shot = load_adapter_dir(_adapter(tmp_path / "f", "m", examples=True))
    unknown = load_adapter_dir(_adapter(tmp_path / "u", "m"))
    assert [p.examples for p in prompts_for_adapter(zero_shot, prompts)] == [()]
    assert prompts_for_adapter(few_shot, prompts) == prompts
    assert prompts_for_adapter(unknown, prompts) == prompts  # no card: keep the template's
    assert prompts_for_adapter(None, prompts) == prompts


def test_a_run_keeps_the_answers_it_trained_on_after_those_of_the_adapter_it_continued(
    tmp_path: Path,
) -> None:
    from contentgen.feedback.tune_card import TRAINED_COPY, write_trained_copy

    earlier, out = tmp_path / "run1", tmp_path / "run2"
    earlier.mkdir()
    out.mkdir()
    write_trained_copy(earlier, [{"id": "a", "messages": [USER, ANSWER]}])
    rows = [
        {"id": "a", "messages": [USER, ANSWER]},  # seen again: kept once
        {"id": "b", "messages": [SYSTEM, USER, {"role": "assistant", "content": "Warm toes."}]},
        {"messages": [USER, {"role": "assistant", "content": "Trail ready."}]},
    ]
    assert write_trained_copy(out, rows, [earlier, tmp_path / "no-copy-here"]) == 3
    kept = [json.loads(line) for line in (out / TRAINED_COPY).read_text("utf-8").splitlines()]
    assert kept == [
        {"id": "a", "text": "Headline: Dry Feet"},
        {"id": "b", "text": "Warm toes."},
        {"id": "row-3", "text": "Trail ready."},
    ]
