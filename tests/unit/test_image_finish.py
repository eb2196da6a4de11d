"""Finishing grey model output: a colour word's tint and the stated upscaler."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from PIL import Image

from contentgen.errors import ValidationError
from contentgen.image_colours import match_colour
from contentgen.image_finish import (
    UPSCALERS,
    finish,
    resize,
    tint,
    visible_tint,
)


def _garment() -> np.ndarray:
    """A 28x28 grey 'product': black background, a shaded shape (0.2 to 1.0)."""
    image = np.zeros((1, 28, 28))
    ramp = np.linspace(0.2, 1.0, 16)
    image[0, 6:22, 6:22] = ramp[None, :] * np.linspace(0.6, 1.0, 16)[:, None]
    return image


def _luminance(pixels: np.ndarray) -> np.ndarray:
    return pixels.astype(float) @ np.array([0.299, 0.587, 0.114])


@pytest.mark.parametrize("colour", ["red", "teal", "gold", "purple", "burgundy"])
def test_tinted_pixels_take_the_colour_hue_and_keep_the_shading(colour: str) -> None:
    choice = match_colour(colour)
    assert choice is not None
    grey = _garment()
    picture, meta = finish(grey, choice, (28, 28))
    assert picture.mode == "RGB" and meta["tint"] == colour
    pixels = np.asarray(picture)
    lit = grey[0] > 0.1
    want_hue = colorsys.rgb_to_hsv(*visible_tint(choice.rgb))[0]
    for r, g, b in pixels[lit][::7]:
        hue = colorsys.rgb_to_hsv(int(r), int(g), int(b))[0]
        assert min(abs(hue - want_hue), 1 - abs(hue - want_hue)) < 0.03
    # brighter grey stays brighter: the output's luminance is a rising function of the input
    order = np.argsort(grey[0].ravel(), kind="stable")
    luminance = _luminance(pixels.reshape(-1, 3))[order]
    assert np.all(np.diff(luminance) >= -1.5)
    assert np.corrcoef(grey[0].ravel(), _luminance(pixels.reshape(-1, 3)))[0, 1] > 0.99
    assert (pixels[~lit & (grey[0] == 0)] == 0).all()  # the background stays black


def test_white_tint_is_the_grey_image_in_rgb() -> None:
    grey = _garment()
    picture, meta = finish(grey, match_colour("white"), (28, 28))
    plain, _ = finish(grey, None, (28, 28))
    rgb = np.asarray(picture).astype(int)
    assert meta == {"tint": "white", "tint_rgb": "#ffffff"}
    assert (np.abs(rgb - np.asarray(plain)[..., None]) <= 1).all()


def test_no_colour_word_keeps_the_grey_image() -> None:
    picture, meta = finish(_garment(), match_colour("a sneaker"), (28, 28))
    assert picture.mode == "L" and meta == {}


def test_dark_colours_are_lifted_to_stay_visible_and_say_so() -> None:
    choice = match_colour("black")
    picture, meta = finish(_garment(), choice, (28, 28))
    assert meta["tint"] == "black" and meta["tint_rgb"] == "#000000"
    drawn = tuple(int(meta["tint_drawn"][i : i + 2], 16) for i in (1, 3, 5))
    assert drawn[0] == drawn[1] == drawn[2] > 0  # still neutral, no longer invisible
    assert np.asarray(picture).max() > 60
    navy = visible_tint((0, 0, 128))
    assert navy[2] > navy[0] and navy[0] == navy[1]  # lightened, same hue
    assert visible_tint((255, 0, 0)) == (255, 0, 0)  # bright enough already


def test_colour_models_are_not_tinted_and_that_is_recorded() -> None:
    picture, meta = finish(np.full((3, 28, 28), 0.5), match_colour("red"), (28, 28))
    assert picture.mode == "RGB" and meta == {"tint_skipped": "red: the model draws in colour"}
    assert (np.asarray(picture) == 128).all()


def test_tint_is_the_pillow_colorize_ramp() -> None:
    grey = Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16))
    coloured, meta = tint(grey, (255, 128, 0))
    pixels = np.asarray(coloured).reshape(-1, 3).astype(int)
    expected = np.outer(np.arange(256), [255, 128, 0]) / 255
    assert meta == {} and np.abs(pixels - expected).max() <= 1


@pytest.mark.parametrize("upscaler", sorted(UPSCALERS))
def test_upscalers_reach_the_size_asked(upscaler: str) -> None:
    grey, _ = finish(_garment(), None, (28, 28))
    big = resize(grey, (112, 112), upscaler)
    assert big.size == (112, 112) and big.mode == "L"
    assert resize(grey, (28, 28), upscaler) is grey


def test_sharpening_upscaler_adds_edge_contrast_over_plain_lanczos() -> None:
    grey, _ = finish(_garment(), None, (28, 28))
    plain = np.asarray(resize(grey, (224, 224), "lanczos")).astype(float)
    sharp = np.asarray(resize(grey, (224, 224), "lanczos-sharpen")).astype(float)
    assert np.abs(np.diff(sharp, axis=1)).max() > np.abs(np.diff(plain, axis=1)).max()
    small = np.asarray(resize(grey, (14, 14), "lanczos-sharpen"))
    assert (small == np.asarray(resize(grey, (14, 14), "lanczos"))).all()  # shrinking: no mask


def test_unknown_upscaler_lists_the_known_ones() -> None:
    grey, _ = finish(_garment(), None, (28, 28))
    with pytest.raises(ValidationError, match="lanczos-sharpen"):
        resize(grey, (56, 56), "bicubic-magic")
