"""Preference export: DPO / KTO / SFT JSONL that `datasets` loads in TRL's column layout."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest
import trl.data_utils as data_utils

from contentgen import Engine, MarketingRequest
from contentgen.errors import ValidationError
from contentgen.feedback.preferences import build_dataset, export_preferences


@pytest.fixture
def rated(engine: Engine) -> dict[str, list[str]]:
    """Two requests' outputs with a preference, a score gap, thumbs and an edited final."""
    ids = {}
    for name in ("Trail Runner", "Rain Jacket"):
        result = engine.generate(
            MarketingRequest(
                product={"name": name, "price": "49"}, channel="sms", variants=3, seed=3
            )
        )
        ids[name] = [o.id for o in result.outputs]
    a, b, c = ids["Trail Runner"]
    engine.compare(a, b, preferred=b, rater="ana")
    engine.rate(a, rater="ana", score=5, thumb="up")
    engine.rate(c, rater="ana", score=2, thumb="down")
    x, y, _ = ids["Rain Jacket"]
    engine.rate(x, rater="bo", edited_text="Rain Jacket, now 49: stay dry all week.", thumb="up")
    engine.rate(y, rater="bo", score=3)
    return ids


def _load(path: Path):  # type: ignore[no-untyped-def]
    return datasets.load_dataset("json", data_files=str(path), split="train")


def test_dpo_rows_load_with_datasets_in_trl_layout(
    engine: Engine, rated: dict[str, list[str]], tmp_path: Path
) -> None:
    data = export_preferences(engine.store, engine.templates, tmp_path / "dpo.jsonl", "dpo")
    assert data.sources == {"preference": 1, "rating gap": 2, "edit": 1}
    ds = _load(tmp_path / "dpo.jsonl")
    assert ds.column_names == ["prompt", "chosen", "rejected"]
    assert len(ds) == 4
    row = ds[0]
    assert data_utils.is_conversational(row)
    assert [m["role"] for m in row["prompt"]] == ["system", "user"]
    assert "Trail Runner" in row["prompt"][1]["content"]  # the rendered template the model saw
    assert row["chosen"][0]["role"] == "assistant"
    texts = {o.id: o.text for o in engine.list_outputs(limit=10)}
    a, b, c = rated["Trail Runner"]
    pairs = {(r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in ds}
    assert (texts[b], texts[a]) in pairs  # the preference
    assert (texts[a], texts[c]) in pairs  # score 5 vs 2 in the same request
    x, y, _ = rated["Rain Jacket"]
    assert (texts[x], texts[y]) in pairs  # thumb up (utility 1) vs score 3 (0.5): a two-point gap
    assert ("Rain Jacket, now 49: stay dry all week.", texts[x]) in pairs


def test_kto_and_sft_rows(engine: Engine, rated: dict[str, list[str]], tmp_path: Path) -> None:
    export_preferences(engine.store, engine.templates, tmp_path / "kto.jsonl", "kto")
    kto = _load(tmp_path / "kto.jsonl")
    assert kto.column_names == ["prompt", "completion", "label"]
    assert sorted(kto["label"]) == [False, True, True]
    assert data_utils.is_conversational(kto[0])

    export_preferences(
        engine.store, engine.templates, tmp_path / "sft.jsonl", "sft", style="standard"
    )
    sft = _load(tmp_path / "sft.jsonl")
    assert sft.column_names == ["prompt", "completion"]
    assert sft["completion"] == ["Rain Jacket, now 49: stay dry all week."]
    assert isinstance(sft[0]["prompt"], str) and "Rain Jacket" in sft[0]["prompt"]
    assert not data_utils.is_conversational(sft[0])


def test_unknown_format_names_the_valid_ones(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="dpo"):
        build_dataset(engine.store, engine.templates, "ppo")
