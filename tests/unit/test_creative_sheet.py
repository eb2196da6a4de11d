"""Contact sheets show creatives at a readable size: real size, or half size for social ones."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from contentgen.creatives.sheet import BACKGROUND, GAP, LABEL_PX, SheetItem, contact_sheet


def _png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.paste((255, 255, 255), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_display_sizes_are_shown_at_real_size_and_social_ones_at_half() -> None:
    banner, square = _png((300, 250), (200, 30, 30)), _png((1080, 1080), (30, 30, 200))
    sheet = contact_sheet([(None, [SheetItem(banner, "300x250"), SheetItem(square, "1080x1080")])])
    shown = sheet.crop((GAP, GAP, GAP + 300, GAP + 250))
    assert ImageChops.difference(shown, Image.open(io.BytesIO(banner))).getbbox() is None
    x = GAP + 300 + GAP
    half = sheet.crop((x, GAP, x + 540, GAP + 540))
    expected = Image.open(io.BytesIO(square)).resize((540, 540), Image.Resampling.LANCZOS)
    assert ImageChops.difference(half, expected).getbbox() is None


def test_every_creative_is_labelled_under_it() -> None:
    sheet = contact_sheet(
        [("Trail Runner X", [SheetItem(_png((160, 600), (0, 90, 0)), "160x600")])]
    )
    heading = sheet.crop((GAP, GAP, GAP + 150, GAP + 20))
    assert heading.getcolors(10_000) != [(150 * 20, BACKGROUND)]  # the heading is written
    top = sheet.height - GAP - LABEL_PX - 8
    label = sheet.crop((GAP, top, GAP + 160, top + LABEL_PX + 8))
    assert len(label.getcolors(10_000) or []) > 1  # ink under the creative
