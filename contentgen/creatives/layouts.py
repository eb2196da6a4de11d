"""Layout variants: where the product image, the text and the scrim go on a placement's canvas.

Text regions always lie inside the placement's safe zone less its margin (and the brand kit's);
the product image may bleed to the canvas edges. Banners (728x90, 320x50) set text in one row
beside the image; every other placement stacks logo, headline, description and button.
"""

from __future__ import annotations

from dataclasses import dataclass

from contentgen.creatives.geometry import Box
from contentgen.creatives.placements import Placement

SIDE_TEXT_SHARE = 0.46  # text_left/right: the text column's share of the width
BAND_TEXT_SHARE = 0.44  # text_top/bottom: the text band's share of the safe height
OVER_TEXT_SHARE = 0.5  # text_over: the share of the safe area the text may use


@dataclass(frozen=True)
class Regions:
    """Where things go on the canvas for one layout of one placement."""

    layout: str
    image: Box  # the product image's box
    fill_image: bool  # a photo covers its box (a cut-out is always drawn whole)
    text: Box  # the logo, text and button area (inside the safe zone and margins)
    scrim: Box | None  # text_over: the shade behind the text
    ramp: int  # the scrim fades in over this many pixels on its edge facing the image
    row: bool  # banners: elements side by side
    image_panel: bool  # a light panel behind the image (split layouts)


def margin_of(placement: Placement, kit_margin: float) -> int:
    """The margin in pixels: the placement's own plus the kit's share of the shorter side."""
    return placement.margin + round(kit_margin * min(placement.width, placement.height))


def regions(placement: Placement, layout: str, kit_margin: float = 0.0,
            band_share: float = BAND_TEXT_SHARE) -> Regions:  # fmt: skip
    """The regions of `layout` on `placement`; `band_share`: text_top/bottom's text band share."""
    m = margin_of(placement, kit_margin)
    if placement.banner:
        return _row(placement, layout, m)
    canvas, inner = placement.canvas, placement.safe_box.inset(m)
    if layout in ("text_left", "text_right"):
        cut = round(
            placement.width * (SIDE_TEXT_SHARE if placement.width > placement.height else 0.5)
        )
        left, right = canvas.split_x(cut if layout == "text_left" else placement.width - cut)
        text_side, image = (left, right) if layout == "text_left" else (right, left)
        gutter = m // 2  # the text keeps this far from the image
        column = (
            text_side.inset(0, 0, gutter, 0)
            if layout == "text_left"
            else text_side.inset(gutter, 0, 0, 0)
        )
        return Regions(layout, image, True, column.intersect(inner), None, 0, False, True)
    if layout in ("text_top", "text_bottom"):
        band = round(inner.height * band_share)
        if layout == "text_top":
            text = Box(inner.x0, inner.y0, inner.x1, inner.y0 + band)
            image = Box(0, text.y1 + m // 2, placement.width, placement.height)
        else:
            text = Box(inner.x0, inner.y1 - band, inner.x1, inner.y1)
            image = Box(0, 0, placement.width, text.y0 - m // 2)
        return Regions(layout, image, True, text, None, 0, False, True)
    if layout == "text_over":
        ramp = max(m, round(0.08 * min(placement.width, placement.height)))
        if placement.width > placement.height:
            text, _ = inner.split_x(round(inner.width * OVER_TEXT_SHARE))
            scrim = Box(0, 0, text.x1 + ramp, placement.height)
        else:
            _, text = inner.split_y(round(inner.height * (1 - OVER_TEXT_SHARE)))
            scrim = Box(0, text.y0 - ramp, placement.width, placement.height)
        return Regions(layout, canvas, True, text, scrim, ramp, False, False)
    raise ValueError(f"unknown layout {layout!r}")  # placements list only known layouts


def _row(placement: Placement, layout: str, m: int) -> Regions:
    """Banner layouts: the image at one end, text and button in a row across the rest."""
    canvas = placement.canvas
    inner = placement.safe_box.inset(m)
    side = min(round(placement.height * 1.4), round(placement.width * 0.25))
    if layout == "text_right":
        image, rest = canvas.split_x(side)
        text = Box(rest.x0 + m, inner.y0, inner.x1, inner.y1)
    else:
        rest, image = canvas.split_x(placement.width - side)
        text = Box(inner.x0, inner.y0, rest.x1 - m, inner.y1)
    return Regions(layout, image, True, text, None, 0, True, True)
