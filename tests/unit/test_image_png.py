"""PNG encoding of arrays and contact sheets."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from contentgen.errors import ValidationError
from contentgen.images import contact_sheet, decode_png, to_png


def _read(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)))


def test_float_grayscale_round_trips_to_uint8() -> None:
    array = np.linspace(0.0, 1.0, 28 * 28).reshape(28, 28)
    pixels = _read(to_png(array))
    assert pixels.shape == (28, 28)
    assert pixels[0, 0] == 0 and pixels[-1, -1] == 255
    assert np.abs(pixels.astype(float) - array * 255).max() <= 0.5


def test_channels_first_rgb_and_single_channel() -> None:
    chw = np.zeros((3, 4, 5), dtype=np.float32)
    chw[0] = 1.0  # red plane
    assert _read(to_png(chw)).shape == (4, 5, 3)
    assert tuple(_read(to_png(chw))[0, 0]) == (255, 0, 0)
    assert _read(to_png(np.ones((1, 6, 6)))).shape == (6, 6)


def test_out_of_range_values_are_clipped() -> None:
    pixels = _read(to_png(np.array([[-0.5, 1.5]])))
    assert pixels.tolist() == [[0, 255]]


def test_resize_to_requested_size() -> None:
    assert _read(to_png(np.zeros((28, 28), dtype=np.uint8), size=(112, 84))).shape == (84, 112)


@pytest.mark.parametrize(
    "bad", [np.full((4, 4), np.nan), np.zeros((2, 3, 4, 5)), np.zeros((5, 5, 2))]
)
def test_bad_arrays_are_validation_errors(bad: np.ndarray) -> None:
    with pytest.raises(ValidationError):
        to_png(bad)


def test_contact_sheet_lays_images_out_in_a_grid() -> None:
    tiles = [to_png(np.full((10, 10), v, dtype=np.uint8)) for v in (0, 50, 100, 150, 200)]
    sheet = _read(contact_sheet(tiles, columns=3, padding=1, background=255))
    assert sheet.shape == (1 + 2 * 11, 1 + 3 * 11)
    assert sheet[1, 1] == 0 and sheet[1, 12] == 50 and sheet[12, 12] == 200
    assert sheet[12, 23] == 255  # the empty sixth cell shows the background


def test_contact_sheet_defaults_to_square_grid_and_mixes_modes() -> None:
    tiles = [to_png(np.zeros((8, 8))) for _ in range(3)] + [to_png(np.ones((8, 8, 3)))]
    sheet = decode_png(contact_sheet(tiles, padding=0))
    assert sheet.size == (16, 16) and sheet.mode == "RGB"


def test_contact_sheet_needs_images_and_readable_pngs() -> None:
    with pytest.raises(ValidationError):
        contact_sheet([])
    with pytest.raises(ValidationError, match="image_png"):
        contact_sheet([b"not a png"])
