"""Colours: hex parsing and WCAG 2 relative luminance and contrast ratios."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

RGB = tuple[int, int, int]
AA_NORMAL = 4.5  # WCAG 2 AA for body text
AA_LARGE = 3.0  # WCAG 2 AA for large text: 18 pt (24 px) and up, or 14 pt (~18.7 px) bold
LARGE_PX = 24
LARGE_BOLD_PX = 19
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_hex(text: str) -> RGB | None:
    """'#1f3a5f', '1F3A5F' or '#fa0' as (r, g, b); None when it is no hex colour."""
    match = _HEX.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def to_hex(color: RGB) -> str:
    """(r, g, b) as '#rrggbb'."""
    return "#{:02x}{:02x}{:02x}".format(*color)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


LINEAR: tuple[float, ...] = tuple(_linear(c) for c in range(256))


def luminance(color: RGB) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    r, g, b = color
    return 0.2126 * LINEAR[r] + 0.7152 * LINEAR[g] + 0.0722 * LINEAR[b]


def ratio_of_luminances(first: float, second: float) -> float:
    """The WCAG contrast ratio of two relative luminances, 1 to 21."""
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)


def contrast(first: RGB, second: RGB) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    return ratio_of_luminances(luminance(first), luminance(second))


def required_ratio(size_px: int, bold: bool) -> float:
    """AA's minimum for text of this size and weight: 3 for large text, else 4.5."""
    large = size_px >= LARGE_PX or (bold and size_px >= LARGE_BOLD_PX)
    return AA_LARGE if large else AA_NORMAL


def most_readable(background: RGB, options: Sequence[RGB], minimum: float = AA_NORMAL) -> RGB:
    """The first option meeting `minimum` against `background`, else the highest-contrast one."""
    for option in options:
        if contrast(option, background) >= minimum:
            return option
    return max(options, key=lambda o: contrast(o, background))


def mix(first: RGB, second: RGB, share: float) -> RGB:
    """`share` of `second` over `first` (alpha compositing of one colour over another)."""
    return (
        round(first[0] * (1 - share) + second[0] * share),
        round(first[1] * (1 - share) + second[1] * share),
        round(first[2] * (1 - share) + second[2] * share),
    )


def worst_ratio(text: RGB, luminances: Iterable[float]) -> float:
    """The lowest contrast of `text` against any of the background luminances given."""
    own = luminance(text)
    return min((ratio_of_luminances(own, lum) for lum in luminances), default=21.0)
