"""Fitting a creative's copy into its text region: logo, headline, description and button.

The headline size is searched from large to small; the description and the button label follow
it in fixed proportions (never below the placement's smallest legible size). The first size at
which every piece fits its part of the region wins, and, where the placement limits how much of
the creative text may cover, the first that also keeps within that budget. When nothing fits
even at the smallest size the answer is a `NoFit` naming the piece that does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass

from contentgen.creatives.fitting import AlignX, FittedText, line_pitch, place
from contentgen.creatives.fonts import FontFace, load
from contentgen.creatives.geometry import Box

DESCRIPTION_SCALE = 0.55
CTA_SCALE = 0.6
MAX_HEADLINE_LINES = 3
MAX_DESCRIPTION_LINES = 5


@dataclass(frozen=True)
class Copy:
    """The words on one creative."""

    headline: str
    description: str | None = None
    cta: str | None = None
    keep: tuple[str, ...] = ()  # phrases line breaks avoid splitting: the product's name


@dataclass(frozen=True)
class Fonts:
    """The faces a creative is set in."""

    heading: FontFace
    body: FontFace


@dataclass(frozen=True)
class Arrangement:
    """Where each piece of a creative's copy (and its logo) is drawn."""

    headline: FittedText
    description: FittedText | None
    cta: FittedText | None
    button: Box | None
    logo: Box | None

    @property
    def texts(self) -> dict[str, FittedText]:
        """The fitted texts by field name."""
        found = {"headline": self.headline, "description": self.description, "cta": self.cta}
        return {k: v for k, v in found.items() if v is not None}

    @property
    def ink_area(self) -> int:
        """Pixels covered by the text's inked line boxes."""
        return sum(t.ink_area for t in self.texts.values())


@dataclass(frozen=True)
class NoFit:
    """Why the copy cannot be set: the field that does not fit at the smallest legible size."""

    field: str
    text: str
    min_size: int


def _sizes(s: int, min_px: int) -> tuple[int, int, int]:
    """(headline, description, button label) sizes for headline size `s`."""
    return (
        s,
        min(s, max(min_px, round(s * DESCRIPTION_SCALE))),
        min(s, max(min_px, round(s * CTA_SCALE))),
    )


def _button(label: str, face: FontFace, size: int, x: int, y: int, max_width: int
            ) -> tuple[Box, FittedText] | None:  # fmt: skip
    """A button at (x, y) sized to its one-line label; None when it is wider than allowed."""
    font = load(face, size)
    height, _ = line_pitch(font)
    pad_x, pad_y = max(6, round(size * 0.9)), max(3, round(size * 0.45))
    width = int(font.getlength(" ".join(label.split()))) + 2 * pad_x + 2
    if width > max_width:
        return None
    button = Box(x, y, x + width, y + height + 2 * pad_y)
    label_box = button.inset(pad_x - 1, pad_y, pad_x - 1, pad_y)
    fitted = place(label, face, size, label_box, align_x="center", align_y="center", max_lines=1)
    return (button, fitted) if fitted is not None else None


def _logo_box(aspect: float, x: int, y: int, height: int, max_width: int) -> Box:
    width = min(max_width, max(1, round(height * aspect)))
    height = min(height, max(1, round(width / aspect)))
    return Box(x, y, x + width, y + height)


def _stack(copy: Copy, fonts: Fonts, region: Box, s: int, min_px: int, logo_aspect: float | None,
           align: AlignX, offset: int = 0) -> Arrangement | str:  # fmt: skip
    """Logo, headline, description and button stacked at headline size `s`, else the misfit."""
    head_px, desc_px, cta_px = _sizes(s, min_px)
    gap = max(4, round(s * 0.35))
    y = region.y0 + offset
    logo = None
    if logo_aspect is not None:
        height = min(max(round(s * 1.2), 2 * min_px), region.height // 4)
        logo = _logo_box(logo_aspect, region.x0, y, height, round(region.width * 0.6))
        if align == "center":
            shift = (region.width - logo.width) // 2
            logo = Box(logo.x0 + shift, logo.y0, logo.x1 + shift, logo.y1)
        y = logo.y1 + gap
    button = label = None
    bottom = region.y1
    if copy.cta:
        made = _button(copy.cta, fonts.heading, cta_px, region.x0, 0, region.width)
        if made is None:
            return "cta"
        button, _ = made
        bottom = region.y1 - button.height - round(gap * 1.3)
    head = place(copy.headline, fonts.heading, head_px, Box(region.x0, y, region.x1, bottom),
                 align_x=align, max_lines=MAX_HEADLINE_LINES, keep=copy.keep)  # fmt: skip
    if head is None:
        return "headline"
    y = head.lines[-1].y + line_pitch(load(fonts.heading, head_px))[0] + gap
    desc = None
    if copy.description:
        desc = place(copy.description, fonts.body, desc_px, Box(region.x0, y, region.x1, bottom),
                     align_x=align, max_lines=MAX_DESCRIPTION_LINES, keep=copy.keep)  # fmt: skip
        if desc is None:
            return "description"
        y = desc.lines[-1].y + line_pitch(load(fonts.body, desc_px))[0]
    if copy.cta:
        top = y + round(gap * 1.3)
        assert button is not None
        x = region.x0 if align == "left" else region.x0 + (region.width - button.width) // 2
        made = _button(copy.cta, fonts.heading, cta_px, x, top, region.width)
        if made is None or made[0].y1 > region.y1:
            return "cta" if made is None else "headline"
        button, label = made
    return Arrangement(head, desc, label, button, logo)


def _bottom_of(found: Arrangement) -> int:
    edges = [b.y1 for b in (found.button, found.logo) if b is not None]
    edges += [t.ink.y1 for t in found.texts.values()]
    return max(edges)


def stack(copy: Copy, fonts: Fonts, region: Box, *, min_px: int, logo_aspect: float | None,
          align: AlignX = "left", valign: str = "center", ink_budget: int | None = None
          ) -> Arrangement | NoFit:  # fmt: skip
    """The copy stacked in `region` at the largest size that fits (see the module docstring)."""
    top = max(min_px, min(round(region.height * 0.3), round(region.width * 0.15), 150))
    fallback: Arrangement | None = None
    misfit = "headline"
    for s in range(top, min_px - 1, -1):
        found = _stack(copy, fonts, region, s, min_px, logo_aspect, align)
        if isinstance(found, str):
            misfit = found
            continue
        if valign != "top":
            spare = region.y1 - _bottom_of(found)
            shift = spare // 2 if valign == "center" else spare
            if shift > 0:
                moved = _stack(copy, fonts, region, s, min_px, logo_aspect, align, shift)
                found = moved if isinstance(moved, Arrangement) else found
        if ink_budget is None or found.ink_area <= ink_budget:
            return found
        fallback = found  # keeps shrinking; the smallest is kept for the text-share check
    if fallback is not None:
        return fallback
    return NoFit(misfit, getattr(copy, misfit) or "", min_px)


def row(copy: Copy, fonts: Fonts, region: Box, *, min_px: int, logo_aspect: float | None,
        logo_first: bool) -> Arrangement | NoFit:  # fmt: skip
    """Banner copy in one row: [logo] headline [button] [logo], vertically centred."""
    top = max(min_px, min(round(region.height * 0.42), 28))
    misfit = "headline"
    for s in range(top, min_px - 1, -1):
        head_px, _, cta_px = _sizes(s, min_px)
        cta_px = min(head_px, max(min_px, round(s * 0.85)))
        gap = max(6, round(s * 0.8))
        x0, x1 = region.x0, region.x1
        logo = None
        if logo_aspect is not None:
            height = min(region.height, round(s * 1.6))
            y = region.y0 + (region.height - height) // 2
            logo = _logo_box(logo_aspect, 0, y, height, round(region.width * 0.25))
            if logo_first:
                logo = Box(x0, logo.y0, x0 + logo.width, logo.y1)
                x0 = logo.x1 + gap
            else:
                logo = Box(x1 - logo.width, logo.y0, x1, logo.y1)
                x1 = logo.x0 - gap
        button = label = None
        if copy.cta:
            made = _button(copy.cta, fonts.heading, cta_px, 0, 0, (x1 - x0) // 2)
            if made is None or made[0].height > region.height:
                misfit = "cta"
                continue
            width, height = made[0].width, made[0].height
            y = region.y0 + (region.height - height) // 2
            made = _button(copy.cta, fonts.heading, cta_px, x1 - width, y, width)
            assert made is not None
            button, label = made
            x1 = button.x0 - gap
        head = place(copy.headline, fonts.heading, head_px, Box(x0, region.y0, x1, region.y1),
                     align_y="center", max_lines=2, keep=copy.keep)  # fmt: skip
        if head is None:
            misfit = "headline"
            continue
        return Arrangement(head, None, label, button, logo)
    return NoFit(misfit, getattr(copy, misfit) or "", min_px)
