"""`contentgen generate creative`, the Python API and `contentgen batch --task creative`, end to
end with the echo generator writing the copy (no model)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from contentgen.cli.batch import batch
from contentgen.cli.generate import generate
from contentgen.creatives import make_creatives
from contentgen.engine import Engine
from contentgen.errors import NoAcceptedOutputError, ValidationError
from contentgen.testing import echo_engine

ROOT = Path(__file__).resolve().parents[2]
PHOTO = str(ROOT / "examples" / "photos" / "SKU-1001.png")
PRODUCT = ["--product", "name=Trail Runner X", "--product", "price_eur=89.99"]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with echo_engine(tmp_path / "data") as built:
        yield built


def _generate(engine: Engine, *args: str) -> Result:
    return CliRunner().invoke(generate, ["creative", *PRODUCT, *args], obj={"engine": engine})


def test_the_command_writes_copy_then_creatives_then_a_contact_sheet(
    engine: Engine, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.png"
    result = _generate(engine, "--image", PHOTO, "--channel", "display", "--placement", "300x250",
                       "--placement", "728x90", "--contact-sheet", str(sheet), "--seed", "3")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "copy · marketing/display_creative" in result.output
    assert "copy · marketing/banner_creative" in result.output
    assert (
        "6 creative(s), 0 rejected" in result.output and f"contact sheet: {sheet}" in result.output
    )
    copy = {o.id: o for o in engine.list_outputs(task="marketing")}
    creatives = engine.list_outputs(task="creative")
    assert len({o.request_id for o in copy.values()}) == 2  # one request per copy channel
    assert len(creatives) == 6
    for creative in creatives:  # each records the copy it shows
        written = copy[creative.fields["copy_output_id"]]
        assert written.fields["headline"] == creative.fields["headline"]
    with Image.open(sheet) as opened:
        assert opened.width >= 728 + 300 and opened.height >= 250  # real size, not thumbnails


def test_a_given_headline_skips_writing_copy(engine: Engine) -> None:
    result = _generate(engine, "--image", PHOTO, "--placement", "728x90", "--headline",
                       "Grip on every trail", "--cta", "Shop now", "--variants", "1", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["copy"] == [] and len(data["result"]["outputs"]) == 1
    assert Path(data["result"]["outputs"][0]["image_path"]).is_file()
    assert engine.list_outputs(task="marketing") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--placement", "468x60"], "unknown placement '468x60'"),
        (["--image", "missing.png"], "'missing.png' does not exist"),
        (["--layout", "text_sideways"], "no layout of the 300x250 placement"),
    ],
)
def test_bad_input_fails_with_code_2_before_any_copy_is_written(
    engine: Engine, args: list[str], message: str
) -> None:
    result = _generate(engine, *(["--image", PHOTO] if "--image" not in args else []), *args)
    assert isinstance(result.exception, ValidationError) and result.exception.exit_code == 2
    assert message in str(result.exception)
    assert engine.list_outputs() == []  # nothing generated, nothing stored


def test_no_accepted_creative_is_exit_code_4(engine: Engine) -> None:
    result = _generate(engine, "--image", PHOTO, "--placement", "300x250", "--headline",
                       "A headline far too long for a medium rectangle")  # fmt: skip
    assert isinstance(result.exception, NoAcceptedOutputError)
    assert result.exception.exit_code == 4 and "rejected: creative: headline is" in result.output


def test_the_api_composes_every_social_size_with_written_copy(
    engine: Engine, tmp_path: Path
) -> None:
    made = make_creatives(engine, product={"name": "Trail Runner X"}, image=PHOTO,
                          channel="social", variants=1, contact_sheet=tmp_path / "s.png")  # fmt: skip
    [copy] = made.copy
    assert copy.outputs[0].fields.keys() == {"headline", "description", "cta"}
    assert {o.fields["placement"] for o in made.outputs} == {"1200x628", "1080x1080", "1080x1920"}
    assert {o.fields["copy_output_id"] for o in made.outputs} == {copy.outputs[0].id}
    with Image.open(tmp_path / "s.png") as sheet:
        assert sheet.width >= 600  # social sizes at half size, still readable


def _catalogue(tmp_path: Path, with_copy: bool) -> Path:
    with (ROOT / "examples" / "products_with_photos.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:3]
    for row in rows:
        row["photo_path"] = str(ROOT / row["photo_path"])
        if with_copy:
            row |= {"headline": row["name"], "cta": "Shop now"}
    path = tmp_path / "catalogue.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_batch_composes_rows_that_carry_their_copy(engine: Engine, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        batch,
        [
            str(_catalogue(tmp_path, True)),
            "--task",
            "creative",
            "--map",
            "image=photo_path",
            "--channel",
            "display",
            "--variants",
            "1",
            "--key",
            "sku",
            "--out",
            str(tmp_path / "out.csv"),
        ],  # fmt: skip
        obj={"engine": engine},
    )
    assert result.exit_code == 0, result.output
    creatives = engine.list_outputs(task="creative")
    assert len(creatives) == 3 * 5  # three products in the five display sizes
    assert {o.fields["product_image"] for o in creatives} == {
        str(ROOT / "examples" / "photos" / f"SKU-100{i}.png") for i in (1, 2, 3)
    }


def test_batch_rows_without_copy_fail_naming_the_way_to_write_it(
    engine: Engine, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        batch,
        [
            str(_catalogue(tmp_path, False)),
            "--task",
            "creative",
            "--map",
            "image=photo_path",
            "--out",
            str(tmp_path / "out.csv"),
        ],  # fmt: skip
        obj={"engine": engine},
    )
    assert (
        "no copy for 300x250" in result.output and "contentgen generate creative" in result.output
    )
    assert engine.list_outputs(task="creative") == []


def test_complete_copy_writes_copy_for_the_requests_that_lack_it(engine: Engine) -> None:
    from contentgen.creatives.make import complete_copy
    from contentgen.tasks.creative import CreativeRequest
    from contentgen.tasks.marketing import MarketingRequest

    bare = CreativeRequest(product={"name": "Trail Runner X"}, image=PHOTO, placements="728x90")
    given = CreativeRequest(product={"name": "Mug"}, headline="A mug", placements="728x90")
    other = MarketingRequest(product={"name": "Mug"})
    completed, same, untouched = complete_copy(engine, [bare, given, other])
    assert completed.copy["banner_creative"]["output_id"] and same == given and untouched is other
    assert len(engine.generate(completed).outputs) == 3


def test_the_configured_engine_with_its_checks_composes_given_copy(tmp_path: Path) -> None:
    """Not the echo engine: the default settings, evaluators on (text checks skip images)."""
    kit = ROOT / "examples" / "brand_kit.toml"
    with Engine.from_config(data_dir=tmp_path, use_entry_points=False, brand_kit=kit) as engine:
        made = make_creatives(engine, product={"name": "Trail Runner X"}, image=PHOTO,
                              placements=["300x250", "728x90"], headline="Grip on every trail",
                              cta="Shop now", variants=1)  # fmt: skip
    assert [o.fields["placement"] for o in made.outputs] == ["300x250", "728x90"]
    assert all(o.evaluations and o.evaluations[0].passed for o in made.outputs)
