"""Text that always fits its box: word wrapping and a font-size search, checked on the glyphs.

`fit_text` returns the largest size (from `max_size` down to `min_size`) at which the text,
wrapped at word boundaries, fits the box: every line's inked pixels (Pillow's glyph bounding
boxes, so accents, descenders and overhangs count) inside the box. A word is never broken and
nothing is cut: when even `min_size` does not fit, the answer is None and the caller rejects the
variant rather than draw it badly.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from contentgen.creatives.fonts import FontFace, load
from contentgen.creatives.geometry import Box

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

AlignX = Literal["left", "center", "right"]
AlignY = Literal["top", "center", "bottom"]
LINE_SPACING = 1.12  # line pitch as a multiple of the font's ascent + descent
BREAK_AFTER = (",", ".", ";", ":", "!", "?", "\u2014", "\u2013")  # a line may well end here
BREAK_BONUS = 0.2  # a break after punctuation is worth this share of the box's width
SPLIT_COST = 0.3  # a break inside the product's name costs this share of the box's width
MAX_BREAK_CHOICES = 400  # more ways to break a text than this: bisect instead


def clean(text: str) -> str:
    """The text on one line, runs of whitespace made single spaces."""
    return re.sub(r"\s+", " ", text).strip()


_NUMBER = re.compile(r"[-+]?[\d€$£][\d.,:/%€$£]*")


def _units(text: str) -> list[str]:
    """The words of `text`, a number kept with a short word after it ("79 EUR", "26 cm")."""
    words = [w for w in clean(text).split(" ") if w]
    units: list[str] = []
    for word in words:
        if units and _NUMBER.fullmatch(units[-1]) and len(word.rstrip(".,;:!?")) <= 4:
            units[-1] = f"{units[-1]} {word}"
        else:
            units.append(word)
    return units


def wrap(text: str, font: FreeTypeFont, width: int) -> list[str] | None:
    """Greedy word wrap to `width` pixels of advance; None when one word alone is wider."""
    lines: list[str] = []
    current = ""
    for word in _units(text):
        trial = f"{current} {word}" if current else word
        if font.getlength(trial) <= width:
            current = trial
            continue
        if not current or font.getlength(word) > width:
            return None
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def _bisected(text: str, font: FreeTypeFont, width: int, lines: int) -> list[str] | None:
    """Wrapped at the narrowest width that still needs no more than `lines` lines.

    Greedy wrapping never needs fewer lines for a narrower width, so bisection finds it.
    """
    low, high = 1, width
    while low < high:
        middle = (low + high) // 2
        trial = wrap(text, font, middle)
        if trial is not None and len(trial) <= lines:
            high = middle
        else:
            low = middle + 1
    return wrap(text, font, high)


def _inside(units: list[str], keep: Sequence[str]) -> set[int]:
    """The unit boundaries (a break before unit b) that would split a phrase to keep whole."""
    full = " ".join(units).lower()
    starts = [len(" ".join(units[:b])) for b in range(len(units))]
    found: set[int] = set()
    for phrase in (clean(p).lower() for p in keep):
        at = full.find(phrase) if phrase else -1
        while at >= 0:
            found |= {b for b, pos in enumerate(starts) if at < pos < at + len(phrase)}
            at = full.find(phrase, at + 1)
    return found


def balanced(text: str, font: FreeTypeFont, width: int,
             keep: Sequence[str] = ()) -> list[str] | None:  # fmt: skip
    """Wrapped in as few lines as `wrap` needs, but as even as they go (no lone last word).

    Among the ways to break the text into that many lines, the one whose widest line is the
    narrowest wins, a break after punctuation counting as BREAK_BONUS of the box narrower:
    "Canvas / Weekender Bag" rather than "Canvas Weekender / Bag", and "Trail Runner X, /
    89.99 EUR" rather than "Trail Runner / X, 89.99 EUR"; a break inside a phrase of `keep`
    (the product's name) costs SPLIT_COST of the width. Long texts are only bisected.
    """
    found = wrap(text, font, width)
    if found is None or len(found) < 2:
        return found
    units, count = _units(text), len(found)
    inside = _inside(units, keep)
    if math.comb(len(units) - 1, count - 1) > MAX_BREAK_CHOICES:
        return _bisected(text, font, width, count)
    measured: dict[tuple[int, int], float] = {}

    def length(a: int, b: int) -> float:
        if (a, b) not in measured:
            measured[a, b] = font.getlength(" ".join(units[a:b]))
        return measured[a, b]

    best, best_score = found, float("inf")
    for cuts in itertools.combinations(range(1, len(units)), count - 1):
        spans = list(zip((0, *cuts), (*cuts, len(units)), strict=True))
        widest = max(length(a, b) for a, b in spans)
        if widest > width:
            continue
        after_stop = sum(units[b - 1].endswith(BREAK_AFTER) for _, b in spans[:-1])
        splits = sum(b in inside for _, b in spans[:-1])
        score = widest + width * (SPLIT_COST * splits - BREAK_BONUS * after_stop)
        if score < best_score:
            best, best_score = [" ".join(units[a:b]) for a, b in spans], score
    return best


@dataclass(frozen=True)
class Line:
    """One line of text where it is drawn: Pillow's anchor 'la' point and its inked box."""

    text: str
    x: int
    y: int
    ink: Box


@dataclass(frozen=True)
class FittedText:
    """Wrapped text at the size that fits, positioned in its box."""

    text: str
    face: FontFace
    size: int
    box: Box
    lines: tuple[Line, ...]

    @property
    def ink(self) -> Box:
        """The box around every inked pixel of the text."""
        found = Box(0, 0, 0, 0)
        for line in self.lines:
            found = found.union(line.ink)
        return found

    @property
    def ink_area(self) -> int:
        """Pixels covered by the lines' inked boxes (what the text-share check counts)."""
        return sum(line.ink.area for line in self.lines)

    @property
    def font(self) -> FreeTypeFont:
        """The Pillow font at the fitted size."""
        return load(self.face, self.size)


def line_pitch(font: FreeTypeFont) -> tuple[int, int]:
    """(height of one line, distance between line tops) at this font size."""
    ascent, descent = font.getmetrics()
    height = ascent + descent
    return height, max(height, round(height * LINE_SPACING))


def block_height(font: FreeTypeFont, lines: int) -> int:
    """The height of `lines` lines at this font size."""
    height, pitch = line_pitch(font)
    return 0 if lines == 0 else height + pitch * (lines - 1)


def place(
    text: str,
    face: FontFace,
    size: int,
    box: Box,
    *,
    align_x: AlignX = "left",
    align_y: AlignY = "top",
    max_lines: int | None = None,
    keep: Sequence[str] = (),
) -> FittedText | None:
    """The text at exactly `size`, positioned in `box`; None unless every glyph is inside.

    `keep`: phrases (the product's name) that line breaks avoid splitting where they can.
    """
    font = load(face, size)
    wrapped = balanced(text, font, box.width, keep)
    if not wrapped or (max_lines is not None and len(wrapped) > max_lines):
        return None
    height = block_height(font, len(wrapped))
    if height > box.height:
        return None
    top = box.y0
    if align_y == "center":
        top = box.y0 + (box.height - height) // 2
    elif align_y == "bottom":
        top = box.y1 - height
    _, pitch = line_pitch(font)
    lines = []
    for i, content in enumerate(wrapped):
        # Lines are aligned by their ink, so a glyph overhanging its advance ("T") stays inside.
        left, upper, right, lower = (int(v) for v in font.getbbox(content, anchor="la"))
        x = box.x0 - left
        if align_x == "center":
            x = box.x0 + (box.width - (right - left)) // 2 - left
        elif align_x == "right":
            x = box.x1 - right
        y = top + i * pitch
        ink = Box(x + left, y + upper, x + right, y + lower)
        if not box.contains(ink):
            return None  # an overhanging glyph: a smaller size may still fit
        lines.append(Line(content, x, y, ink))
    return FittedText(clean(text), face, size, box, tuple(lines))


def fit_text(
    text: str,
    face: FontFace,
    box: Box,
    *,
    max_size: int,
    min_size: int,
    align_x: AlignX = "left",
    align_y: AlignY = "top",
    max_lines: int | None = None,
) -> FittedText | None:
    """The largest size from `max_size` down to `min_size` at which `text` fits `box`, or None."""
    if not clean(text) or box.empty or max_size < min_size:
        return None
    for size in range(max_size, min_size - 1, -1):
        fitted = place(text, face, size, box, align_x=align_x, align_y=align_y, max_lines=max_lines)
        if fitted is not None:
            return fitted
    return None
