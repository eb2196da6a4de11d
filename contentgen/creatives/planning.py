"""Planning one creative before it is drawn: its regions, the logo (or mark) and the copy's fit.

Two choices are made here by trying and measuring. A text band (text_top, text_bottom) starts
at its usual share of the height and grows, taking room from the product image, until the
headline is set clearly larger than the smallest legible size. A full logo (usually a wordmark)
that would be drawn shorter than LOGO_MIN_PX cannot be read, so the kit's compact mark, when it
has one, stands in for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.creatives.arrange import Arrangement, Copy, Fonts, NoFit, row, stack
from contentgen.creatives.brand_visuals import VisualKit
from contentgen.creatives.layouts import BAND_TEXT_SHARE, Regions, regions
from contentgen.creatives.placements import Placement

if TYPE_CHECKING:
    from PIL.Image import Image

LOGO_MIN_PX = 20  # a full logo drawn shorter than this is unreadable: the kit's mark stands in
BAND_SHARES = (BAND_TEXT_SHARE, 0.52, 0.6)  # text band shares tried in turn
HEADLINE_SCALE = 1.4  # a headline this many times the smallest legible size reads as one


@dataclass(frozen=True)
class Plan:
    """Where things go on one creative and which logo image is drawn."""

    regions: Regions
    arrangement: Arrangement | NoFit
    logo: Image | None
    logo_used: str  # "logo", "logo_mark", or "" (the kit has no logo)


def load_logo(path: Path | None) -> Image | None:
    """The logo image cropped to its opaque pixels (None without a path)."""
    if path is None:
        return None
    from PIL import Image as PILImage

    with PILImage.open(path) as opened:
        logo = opened.convert("RGBA")
    found = logo.getchannel("A").getbbox()
    return logo.crop(found) if found else logo


def arrange(placement: Placement, reg: Regions, copy: Copy, kit: VisualKit,
            logo: Image | None, limit: float | None) -> Arrangement | NoFit:  # fmt: skip
    """The copy (and a logo box of the logo's shape) arranged in the text region."""
    fonts = Fonts(kit.heading, kit.body)
    aspect = logo.width / logo.height if logo is not None else None
    if reg.row:
        return row(copy, fonts, reg.text, min_px=placement.min_text_px, logo_aspect=aspect,
                   logo_first=reg.layout != "text_right")  # fmt: skip
    centred = reg.layout in ("text_top", "text_bottom") or (
        reg.layout == "text_over" and placement.height >= placement.width
    )
    budget = round(limit * placement.canvas.area) if limit is not None else None
    return stack(copy, fonts, reg.text, min_px=placement.min_text_px, logo_aspect=aspect,
                 align="center" if centred else "left", ink_budget=budget)  # fmt: skip


def _with_logo(placement: Placement, reg: Regions, copy: Copy, kit: VisualKit,
               limit: float | None) -> Plan:  # fmt: skip
    """The plan with the kit's logo, or with its mark where the logo would be too small."""
    logo = load_logo(kit.logo)
    arrangement = arrange(placement, reg, copy, kit, logo, limit)
    small = (
        isinstance(arrangement, Arrangement)
        and arrangement.logo is not None
        and arrangement.logo.height < LOGO_MIN_PX
    )
    if small and kit.logo_mark is not None:
        mark = load_logo(kit.logo_mark)
        with_mark = arrange(placement, reg, copy, kit, mark, limit)
        if isinstance(with_mark, Arrangement):
            return Plan(reg, with_mark, mark, "logo_mark")
    return Plan(reg, arrangement, logo, "logo" if logo is not None else "")


def _headline_px(found: Plan) -> int:
    return found.arrangement.headline.size if isinstance(found.arrangement, Arrangement) else 0


def plan(placement: Placement, layout: str, copy: Copy, kit: VisualKit,
         limit: float | None) -> Plan:  # fmt: skip
    """The plan of `layout` on `placement` (see the module docstring for the choices made)."""
    banded = layout in ("text_top", "text_bottom") and not placement.banner
    tried: list[Plan] = []
    for share in BAND_SHARES if banded else BAND_SHARES[:1]:
        found = _with_logo(placement, regions(placement, layout, kit.margin, share), copy, kit,
                           limit)  # fmt: skip
        if _headline_px(found) >= HEADLINE_SCALE * placement.min_text_px:
            return found
        tried.append(found)
    # The largest headline wins; on a tie (or no fit at all) the first, which keeps the most image.
    return max(tried, key=_headline_px)
