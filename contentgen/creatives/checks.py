"""Checks on every creative, reported as Problem records (check "creative").

Measured on the drawn pixels, not on the layout's intentions:

- `low_contrast`: each text's WCAG contrast against the pixels behind its lines (the creative
  drawn without its text), the lowest one counting; AA needs 4.5, or 3 for large text.
- `text_share`: the share of the creative covered by the inked boxes of its lines; a problem
  above the placement's (or the brand kit's) limit, reported always.
- `logo_missing`: a kit with a logo and a creative whose logo pixels were not drawn.
- `outside_safe_zone`: a text line, the button or the logo outside the platform's safe zone.
- `text_clipped`: a line whose inked box leaves its own box or the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contentgen.checks.problems import Problem
from contentgen.creatives.colors import LINEAR, RGB, luminance, required_ratio
from contentgen.creatives.geometry import Box

if TYPE_CHECKING:
    from PIL.Image import Image

    from contentgen.creatives.compose import Composition

CHECK = "creative"
LOGO_MIN_CHANGED = 0.05  # share of the logo box whose pixels the logo must change


@dataclass(frozen=True)
class Measures:
    """What the checks measured on one creative (stored with it)."""

    contrast: dict[str, float]  # lowest ratio per text field
    text_share: float


def worst_contrast(backdrop: Image, box: Box, colour: RGB) -> float:
    """The lowest WCAG contrast of `colour` against any pixel of `backdrop` inside `box`."""
    import numpy as np

    area = box.intersect(Box.of_size(*backdrop.size))
    if area.empty:
        return 21.0
    pixels = np.asarray(backdrop.crop(area.xyxy).convert("RGB"))
    linear = np.asarray(LINEAR)[pixels]
    lum = linear @ np.array([0.2126, 0.7152, 0.0722])
    own = luminance(colour)
    light, dark = np.maximum(lum, own), np.minimum(lum, own)
    return float(((light + 0.05) / (dark + 0.05)).min())


def contrast_by_field(c: Composition) -> dict[str, tuple[float, float]]:
    """(lowest ratio, ratio AA requires) for each text of a composition."""
    found: dict[str, tuple[float, float]] = {}
    if c.arrangement is None:
        return found
    for name, fitted in c.arrangement.texts.items():
        colour = c.palette.button_text if name == "cta" else c.palette.text
        ratio = min(worst_contrast(c.backdrop, line.ink, colour) for line in fitted.lines)
        found[name] = (ratio, required_ratio(fitted.size, fitted.face.bold))
    return found


def _contrast(c: Composition) -> list[Problem]:
    return [
        Problem(CHECK, "low_contrast", name, f"{ratio:.2f}:1 on the pixels behind it", need)
        for name, (ratio, need) in contrast_by_field(c).items()
        if ratio < need
    ]


def text_share(c: Composition) -> float:
    """The share of the creative's area that its text's inked line boxes cover."""
    if c.arrangement is None:
        return 0.0
    return c.arrangement.ink_area / c.placement.canvas.area


def _share(c: Composition, share: float) -> list[Problem]:
    limit = c.text_share_limit
    if limit is None or share <= limit:
        return []
    return [Problem(CHECK, "text_share", "text", f"{share:.1%} of the creative", limit)]


def _logo(c: Composition) -> list[Problem]:
    if c.logo_image is None:
        return []
    box = c.arrangement.logo if c.arrangement is not None else None
    if box is None or c.before_logo is None:
        return [Problem(CHECK, "logo_missing", "logo", "no room was left for the logo")]
    from PIL import ImageChops

    area = box.intersect(c.placement.canvas)
    changed = ImageChops.difference(c.before_logo.crop(area.xyxy), c.image.crop(area.xyxy))
    drawn = sum(changed.convert("L").histogram()[9:])  # pixels changed by more than 8 levels
    if area.empty or drawn < LOGO_MIN_CHANGED * max(1, box.area):
        return [Problem(CHECK, "logo_missing", "logo", f"logo box {box.describe()} left blank")]
    return []


def _elements(c: Composition) -> list[tuple[str, Box]]:
    if c.arrangement is None:
        return []
    found = [(name, line.ink) for name, t in c.arrangement.texts.items() for line in t.lines]
    found += [(n, b) for n, b in (("cta", c.arrangement.button), ("logo", c.arrangement.logo)) if b]
    return found


def _safe_zone(c: Composition) -> list[Problem]:
    safe = c.placement.safe_box
    return [
        Problem(CHECK, "outside_safe_zone", name, box.describe(), safe.describe())
        for name, box in _elements(c)
        if not safe.contains(box)
    ]


def _clipped(c: Composition) -> list[Problem]:
    if c.arrangement is None:
        return []
    canvas = c.placement.canvas
    return [
        Problem(CHECK, "text_clipped", name, line.text, fitted.box.describe())
        for name, fitted in c.arrangement.texts.items()
        for line in fitted.lines
        if not (fitted.box.contains(line.ink) and canvas.contains(line.ink))
    ]


def check_creative(c: Composition) -> tuple[list[Problem], Measures]:
    """Every problem of one composition, and what was measured."""
    share = text_share(c)
    problems = [*_clipped(c), *_safe_zone(c), *_contrast(c), *_share(c, share), *_logo(c)]
    measures = Measures(
        contrast={k: round(v[0], 2) for k, v in contrast_by_field(c).items()},
        text_share=round(share, 4),
    )
    return problems, measures
