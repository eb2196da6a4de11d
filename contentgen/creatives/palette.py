"""Colour schemes within a brand kit: which kit colour is the background, text and button."""

from __future__ import annotations

from dataclasses import dataclass

from contentgen.creatives.brand_visuals import VisualKit
from contentgen.creatives.colors import AA_NORMAL, BLACK, RGB, WHITE, contrast, mix, most_readable

MIN_BUTTON_CONTRAST = 1.6  # below this a button melts into its background: use the text colour


@dataclass(frozen=True)
class Palette:
    """The colours of one creative."""

    scheme: str
    background: RGB  # the canvas and text panel
    text: RGB  # headline and description
    button: RGB  # call-to-action fill
    button_text: RGB
    panel: RGB  # behind a cut-out product image


def palette(kit: VisualKit, scheme: str) -> Palette:
    """The palette of a scheme: "brand" (on the primary colour) or "light" (on the background).

    Text takes the first of the kit's own text and background colours (then white, black) that
    meets WCAG AA on the background, else the most readable of them; the checks measure the
    result on the drawn pixels either way.
    """
    if scheme == "brand":
        background, panel = kit.primary, kit.background
        options = [kit.background, kit.text, WHITE, BLACK]
    else:
        background, panel = kit.background, mix(kit.background, kit.primary, 0.08)
        options = [kit.text, kit.primary, BLACK, WHITE]
    text = most_readable(background, options, AA_NORMAL)
    button = kit.accent
    if contrast(button, background) < MIN_BUTTON_CONTRAST:
        button = text
    button_text = most_readable(button, [kit.text, kit.background, BLACK, WHITE], AA_NORMAL)
    return Palette(scheme, background, text, button, button_text, panel)
