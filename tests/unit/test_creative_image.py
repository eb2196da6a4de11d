"""Product images: cropped to the subject (alpha, or the backdrop of a photo) and placed whole."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from contentgen.creatives.geometry import Box
from contentgen.creatives.product_image import load_product_image, render_into
from contentgen.errors import ValidationError

RED = (200, 40, 30)


def _cutout(path: Path) -> Path:
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((220, 40, 380, 140), fill=(*RED, 255))
    image.save(path)
    return path


def _photo(path: Path, backdrop: tuple[int, int, int] = (225, 222, 215)) -> Path:
    rng = random.Random(4)
    image = Image.new("RGB", (600, 400), backdrop)
    pixels = image.load()
    assert pixels is not None
    for _ in range(4000):  # sensor noise on the backdrop, which must not count as subject
        x, y = rng.randrange(600), rng.randrange(400)
        pixels[x, y] = tuple(min(255, c + rng.randrange(-12, 12)) for c in backdrop)
    ImageDraw.Draw(image).rectangle((100, 150, 250, 330), fill=RED)
    image.save(path)
    return path


def test_a_cutout_is_cropped_to_its_alpha(tmp_path: Path) -> None:
    product = load_product_image(str(_cutout(tmp_path / "shoe.png")))
    assert product.cutout and product.found_by == "alpha"
    assert product.image.size == (161, 101)  # the ellipse's box, nothing of the empty canvas


def test_a_photos_subject_is_found_against_its_backdrop(tmp_path: Path) -> None:
    product = load_product_image(str(_photo(tmp_path / "photo.jpg")))
    assert not product.cutout and product.found_by == "backdrop"
    s = product.subject
    assert s.x0 <= 100 and s.y0 <= 150 and s.x1 >= 251 and s.y1 >= 331  # the whole subject
    assert s.x0 >= 80 and s.y0 >= 130 and s.x1 <= 275 and s.y1 <= 355  # and little else


def test_a_busy_photo_falls_back_to_the_centre(tmp_path: Path) -> None:
    rng = random.Random(1)
    image = Image.new("RGB", (200, 100))
    image.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(200 * 100)])
    image.save(tmp_path / "busy.png")
    product = load_product_image(str(tmp_path / "busy.png"))
    # The central 80% (20..180 x 10..90), with the 4% of air every subject gets.
    assert product.found_by == "centre" and product.subject == Box(14, 4, 186, 96)


def test_a_photo_filling_a_box_keeps_its_whole_subject(tmp_path: Path) -> None:
    product = load_product_image(str(_photo(tmp_path / "photo.png")))
    for box in (Box(0, 0, 300, 100), Box(0, 0, 100, 300), Box(10, 10, 210, 210)):
        picture, where = render_into(product, box, fill=True)
        assert where == box and picture.size == (box.width, box.height)
        r, g, _ = picture.convert("RGB").split()
        red = ImageChops.multiply(r.point(lambda v: 255 if v > 150 else 0),
                                  g.point(lambda v: 255 if v < 100 else 0))  # fmt: skip
        found = Box(*red.getbbox())  # the subject's red pixels
        assert found.x0 > 0 and found.y0 > 0 and found.x1 < box.width and found.y1 < box.height


def test_a_cutout_is_drawn_whole_and_centred(tmp_path: Path) -> None:
    product = load_product_image(str(_cutout(tmp_path / "shoe.png")))
    picture, where = render_into(product, Box(0, 0, 500, 100), fill=True)
    assert Box(0, 0, 500, 100).contains(where) and where.height == 100
    assert abs((where.x0 + where.x1) / 2 - 250) <= 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.png", None, "does not exist"),
        ("notes.txt", b"hello", "is not a PNG, JPEG or WebP file"),
        ("fake.png", b"not a png", "is no image Pillow can read"),
    ],
)
def test_a_bad_image_is_a_validation_error(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        load_product_image(str(path))


def test_a_fully_transparent_image_is_refused(tmp_path: Path) -> None:
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(tmp_path / "empty.png")
    with pytest.raises(ValidationError, match="fully transparent"):
        load_product_image(str(tmp_path / "empty.png"))
