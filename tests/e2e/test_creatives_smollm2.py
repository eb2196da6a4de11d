"""Creatives with copy written by the real default model (SmolLM2), in every listed size (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen import Engine
from contentgen.creatives import make_creatives
from contentgen.creatives.placements import PLACEMENTS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = {
    "name": "Insulated Water Bottle", "category": "sports", "price_eur": "24.95",
    "color": "teal", "material": "stainless steel", "feature": "keeps drinks cold for 24 hours",
}  # fmt: skip


def test_the_default_model_writes_copy_that_becomes_creatives_in_every_size(tmp_path: Path) -> None:
    with Engine.from_config(
        data_dir=tmp_path, use_entry_points=False, brand_kit=ROOT / "examples" / "brand_kit.toml"
    ) as engine:
        assert engine.settings.route("marketing").generator == "builtin:transformers"
        made = make_creatives(
            engine, product=PRODUCT, image=ROOT / "examples" / "photos" / "SKU-1021.png",
            channel="all", variants=1, seed=3,
        )  # fmt: skip
    written = {r.outputs[0].id: r.outputs[0] for r in made.copy if r.outputs}
    assert written, [o.reason for r in made.copy for o in r.rejected]
    for creative in made.outputs:  # each shows copy that passed the marketing checks
        copy = written[creative.fields["copy_output_id"]]
        assert creative.fields["headline"] == copy.fields["headline"]
        assert creative.evaluations[0].passed
    placed = {o.fields["placement"] for o in made.outputs} | set(made.without_copy)
    placed |= {o.fields["placement"] for o in made.rejected}
    assert placed == set(PLACEMENTS)  # every size was composed, or its copy is accounted for
    assert len(made.outputs) >= 3
