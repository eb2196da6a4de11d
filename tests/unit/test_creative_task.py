"""The creative task: requests checked before any work, creatives stored with provenance."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from contentgen.engine import Engine
from contentgen.errors import ConfigError, ValidationError
from contentgen.export import export_outputs
from contentgen.tasks.creative import CreativeRequest
from contentgen.tasks.registry import builtin_tasks
from contentgen.testing import echo_engine

ROOT = Path(__file__).resolve().parents[2]
PHOTO = str(ROOT / "examples" / "photos" / "SKU-1001.png")
KIT = str(ROOT / "examples" / "brand_kit.toml")
PRODUCT = {"name": "Trail Runner X", "price_eur": "89.99"}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with echo_engine(tmp_path / "data") as built:
        yield built


def _request(**changes: object) -> CreativeRequest:
    fields: dict[str, object] = {"product": PRODUCT, "image": PHOTO, "headline": "Grip on every trail",
                                 "cta": "Shop now", "placements": "300x250 728x90"}  # fmt: skip
    return CreativeRequest(**{**fields, **changes})  # type: ignore[arg-type]


def test_creative_is_a_builtin_image_task_composed_by_builtin_composer() -> None:
    spec = builtin_tasks().get("creative")
    assert spec.modality == "image" and spec.default_route.generator == "builtin:composer"


def test_a_request_makes_the_first_variants_of_each_placement() -> None:
    request = _request()
    assert request.placements == ("300x250", "728x90")
    jobs = request.jobs()
    assert [(j["placement"], j["variant"]) for j in jobs] == [
        ("300x250", "text_bottom/brand"), ("300x250", "text_left/light"),
        ("300x250", "text_over/brand"), ("728x90", "text_right/brand"),
        ("728x90", "text_left/light"), ("728x90", "text_right/light"),
    ]  # fmt: skip
    assert request.n == 6
    assert "description" not in jobs[-1]["copy"]  # a leaderboard takes headline and button only
    assert _request(layout="text_left/light", placements=("300x250",)).n == 1
    assert _request(placements=(), channel="social").n == 9


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"placements": "300x250 468x60"}, "placements", "unknown placement '468x60'.*300x250"),
        ({"channel": "print"}, "channel", "unknown placement set 'print'.*display"),
        ({"layout": "text_top"}, "layout", "no layout of the 300x250 placement.*text_bottom"),
        ({"layout": "text_over/dark"}, "layout", "no layout of the 300x250"),
        ({"variants": 9}, "variants", "must be from 1 to 6"),
        ({"image": "photo.gif"}, "image", "no PNG/JPEG/WebP"),
        ({"product": {"price": "9"}}, "product", "needs a 'name'"),
        ({"copy": {"print_ad": {"headline": "x"}}}, "copy", "unknown copy channel 'print_ad'"),
        ({"background": "forest.gif"}, "background", "no PNG/JPEG/WebP"),
        ({"backgrounds": {"468x60": "a.png"}}, "backgrounds", "unknown placement '468x60'"),
        ({"backgrounds": {"300x250": "a.tif"}}, "backgrounds.300x250", "no PNG/JPEG/WebP"),
        # Found by tests/unit/test_fuzz_requests.py: values of the wrong type raised TypeError.
        ({"layout": []}, "layout", "must be text, got list"),
        ({"channel": []}, "channel", "unknown placement set \\[\\]"),
    ],
)
def test_bad_requests_fail_naming_the_field_and_the_valid_choices(
    changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        _request(**changes)
    assert caught.value.field == field


def test_missing_copy_and_unreadable_files_fail_before_anything_is_drawn(
    engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="no copy for 300x250, 728x90"):
        engine.prepare(_request(headline=None, cta=None))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValidationError, match="is no image Pillow can read"):
        engine.prepare(_request(image=str(tmp_path / "broken.png")))
    with pytest.raises(ValidationError, match="background.*is no image Pillow can read"):
        engine.prepare(_request(background=str(tmp_path / "broken.png")))
    with pytest.raises(ConfigError, match="does not exist"):
        engine.prepare(_request(brand_kit=str(tmp_path / "kit.toml")))
    assert engine.list_outputs() == []


def test_creatives_are_stored_with_their_provenance_and_can_be_rated(engine: Engine) -> None:
    result = engine.generate(_request(brand_kit=KIT, seed=5))
    assert len(result.outputs) == 6 and not result.rejected
    stored = engine.get_output(result.outputs[0].id)
    f = stored.fields
    assert (f["placement"], f["layout"], f["width"], f["height"]) == (
        "300x250", "text_bottom/brand", "300", "250",
    )  # fmt: skip
    assert f["headline"] == "Grip on every trail" and f["copy_channel"] == "display_creative"
    assert f["brand_kit"] == KIT and len(f["brand_kit_sha256"]) == 64
    assert "LiberationSans-Bold.ttf" in f["fonts"] and f["logo"].endswith("northwind_logo.png")
    assert f["product_image"] == PHOTO and f["subject_found_by"] == "alpha"
    assert stored.provenance.generator_id == "builtin:composer"
    [verdict] = stored.evaluations
    assert verdict.name == "creative" and verdict.passed and verdict.detail["contrast"]
    assert engine.store.artifacts.path(stored.image_path or "").read_bytes().startswith(b"\x89PNG")
    engine.rate(stored.id, rater="ana", score=5)
    assert [r.score for r in engine.ratings(stored.id)] == [5]


def test_a_rejected_creative_keeps_its_problem_records(engine: Engine) -> None:
    result = engine.generate(_request(headline="Trail Runner X: grip on any trail"))
    assert {o.fields["placement"] for o in result.rejected} == {"300x250"}  # over 30 characters
    rejected = engine.get_output(result.rejected[0].id)
    assert rejected.reason == ("creative: headline is 33 characters; the placement's limit is 30")
    [verdict] = rejected.evaluations
    assert verdict.detail["problems"][0]["kind"] == "copy_too_long"
    assert {o.fields["placement"] for o in result.outputs} == {"728x90"}  # 35 allowed there


def test_creatives_export_like_other_outputs(engine: Engine, tmp_path: Path) -> None:
    engine.generate(_request(placements="728x90", layout="text_right"))
    out = tmp_path / "export.jsonl"
    assert export_outputs(engine.store, out, task="creative") == 1
    row = json.loads(out.read_text())
    assert (
        row["task"] == "creative" and row["image_path"] and row["fields"]["placement"] == "728x90"
    )


def test_a_batch_row_with_copy_columns_becomes_a_request(engine: Engine) -> None:
    from contentgen.batch.mapping import RowMapping

    mapping = RowMapping.build("creative", ["image=photo_path"], tasks=engine.tasks)
    row = {"name": "Trail Runner X", "price_eur": "89.99", "photo_path": PHOTO,
           "headline": "Grip on every trail", "cta": "Shop now", "placements": "300x250,728x90"}  # fmt: skip
    request = mapping.to_request(row, {"channel": "display", "variants": 1})
    assert request == _request(variants=1, product=PRODUCT)
