"""Planning choices a marketer would notice: a readable logo, a real headline, a product in view.

Measured on compositions of the demo kit and catalogue, in every placement and layout.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from contentgen.creatives.arrange import Copy
from contentgen.creatives.brand_visuals import VisualKit, load_visuals
from contentgen.creatives.compose import Composition, compose
from contentgen.creatives.layouts import regions
from contentgen.creatives.placements import PLACEMENTS
from contentgen.creatives.planning import HEADLINE_SCALE, LOGO_MIN_PX
from contentgen.creatives.product_image import ProductImage, load_product_image

ROOT = Path(__file__).resolve().parents[2]
COPY = Copy("Canvas Weekender Bag", "Waxed canvas that fits carry-on limits. 79 EUR.", "Shop now")
CASES = [(p.name, v) for p in PLACEMENTS.values() for v in p.variants()]
RED = (200, 30, 40)


@cache
def _kit() -> VisualKit:
    return load_visuals(ROOT / "examples" / "brand_kit.toml")


@cache
def _bag() -> ProductImage:
    return load_product_image(str(ROOT / "examples" / "photos" / "SKU-1009.png"))


def _compose(name: str, variant: str, kit: VisualKit | None = None,
             product: ProductImage | None = None) -> Composition:  # fmt: skip
    placement = PLACEMENTS[name]
    copy = COPY if not placement.banner else Copy(COPY.headline, None, COPY.cta)
    return compose(placement, variant, copy, kit or _kit(), product or _bag(), None)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_the_logo_is_drawn_large_enough_to_read_and_the_headline_stands_out(
    name: str, variant: str
) -> None:
    c = _compose(name, variant)
    assert c.arrangement is not None and c.arrangement.logo is not None
    assert c.arrangement.logo.height >= LOGO_MIN_PX
    smallest = PLACEMENTS[name].min_text_px
    if PLACEMENTS[name].banner:  # one row of 50 or 90 pixels: above the button's label
        assert c.arrangement.headline.size > smallest
    else:
        assert c.arrangement.headline.size >= HEADLINE_SCALE * smallest


def test_the_kits_mark_stands_in_only_where_the_logo_would_be_too_small() -> None:
    assert _compose("320x50", "text_left/light").logo_used == "logo_mark"
    assert _compose("1200x628", "text_left/light").logo_used == "logo"
    without_mark = dataclasses.replace(_kit(), logo_mark=None)
    small = _compose("320x50", "text_left/light", kit=without_mark)
    assert small.logo_used == "logo"  # no mark: the full logo, as large as the room allows
    assert small.arrangement is not None and small.arrangement.logo is not None
    assert small.arrangement.logo.height < LOGO_MIN_PX


def test_a_text_band_grows_rather_than_set_the_headline_at_body_size() -> None:
    longer = Copy(COPY.headline, "Waxed canvas and leather straps, made to fit carry-on limits.",
                  COPY.cta)  # fmt: skip
    placement = PLACEMENTS["300x250"]
    c = compose(placement, "text_bottom/brand", longer, _kit(), _bag(), None)
    usual = regions(placement, "text_bottom", _kit().margin)
    assert c.regions.text.height > usual.text.height  # it took room from the image
    assert c.arrangement is not None
    assert c.arrangement.headline.size >= HEADLINE_SCALE * placement.min_text_px
    wide = _compose("1200x628", "text_left/brand")  # side layouts have room to start with
    assert wide.arrangement is not None and wide.arrangement.headline.size >= 60


def _studio_photo(path: Path) -> ProductImage:
    """A landscape studio photo: a graded grey backdrop, a red product right of centre."""
    ramp = np.linspace(190, 235, 600)[:, None, None] * np.ones((1, 900, 3))
    image = Image.fromarray(ramp.astype(np.uint8), "RGB")
    ImageDraw.Draw(image).rectangle((520, 200, 760, 420), fill=RED)
    image.save(path)
    return load_product_image(str(path))


def _red_box(c: Composition) -> tuple[int, int, int, int] | None:
    pixels = np.asarray(c.backdrop.convert("RGB")).astype(int)
    red = (pixels[..., 0] > 150) & (pixels[..., 1] < 90) & (pixels[..., 2] < 100)
    ys, xs = np.nonzero(red)
    return (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) if len(xs) else None


@pytest.mark.parametrize("name", ["1200x628", "1080x1080", "1080x1920", "300x250", "160x600"])
def test_a_photos_subject_stays_whole_and_clear_of_the_text_over_it(
    name: str, tmp_path: Path
) -> None:
    c = _compose(name, "text_over/brand", product=_studio_photo(tmp_path / "studio.png"))
    assert c.regions.scrim is not None and c.arrangement is not None
    found = _red_box(c)
    assert found is not None
    x0, y0, x1, y1 = found
    assert x0 > 0 and y0 > 0 and x1 < c.placement.width and y1 < c.placement.height  # whole
    text = c.arrangement.headline.ink.union(c.arrangement.button or c.arrangement.headline.ink)
    apart = x0 >= text.x1 or x1 <= text.x0 or y0 >= text.y1 or y1 <= text.y0
    assert apart, (found, text)  # no text drawn over the product


def test_a_logo_that_would_not_stand_out_3_to_1_gets_a_plate() -> None:
    """The demo logo is dark green: over the brand scheme's green scrim it needs its plate."""
    grey = Image.new("RGB", (400, 300), (150, 160, 170))
    c = compose(PLACEMENTS["1200x628"], "text_over/brand", COPY, _kit(), _bag(), None, grey)
    assert c.arrangement is not None and c.arrangement.logo is not None and c.before_logo
    box = c.arrangement.logo
    edge = (box.x0 + 1, (box.y0 + box.y1) // 2)  # inside the plate, left of the logo's pixels
    kit = _kit()
    assert c.image.getpixel(edge) in {kit.background, kit.primary, kit.text}
    assert c.before_logo.getpixel(edge) != c.image.getpixel(edge)
