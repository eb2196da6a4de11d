"""Prompt -> colour word: CSS named colours plus shop colour names, for tinting grey images.

Colour words come from the CSS named colours (Pillow's `ImageColor.colormap`, 148 names, also
written with spaces: "light blue") plus `FASHION_COLOURS`; see `match_colour`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

# Shop colour names that CSS lacks, with their values from the xkcd colour survey (CC0).
FASHION_COLOURS: Mapping[str, str] = {
    "army green": "#4b5d16",
    "baby blue": "#a2cffe",
    "baby pink": "#ffb7ce",
    "blush": "#f29e8e",
    "bordeaux": "#7b002c",
    "bottle green": "#044a05",
    "burgundy": "#610023",
    "camel": "#c69f59",
    "charcoal": "#343837",
    "cherry": "#cf0234",
    "cobalt": "#1e488f",
    "cream": "#ffffc2",
    "emerald": "#01a049",
    "jade": "#1fa774",
    "lilac": "#cea2fd",
    "mauve": "#ae7181",
    "mint": "#9ffeb0",
    "mocha": "#9d7651",
    "mustard": "#ceb301",
    "navy blue": "#001146",
    "ochre": "#bf9005",
    "off white": "#ffffe4",
    "olive green": "#677a04",
    "peach": "#ffb07c",
    "rust": "#a83c09",
    "sage": "#87ae73",
    "sand": "#e2ca76",
    "scarlet": "#be0119",
    "taupe": "#b9a281",
    "terracotta": "#ca6641",
    "wine": "#80013f",
}
# CSS names that, in product copy, name a material, a product or a place rather than a colour.
NOT_COLOURS = frozenset({"linen", "moccasin", "peru", "snow"})
_LONGEST_COLOUR = 3  # words in the longest colour phrase ("light goldenrod yellow")


@dataclass(frozen=True)
class ColourChoice:
    """The colour a prompt names: the words as written (normalised) and its RGB value."""

    name: str
    rgb: tuple[int, int, int]
    ignored: tuple[str, ...] = ()  # further colour words the single tint cannot honour

    @property
    def hex(self) -> str:
        """The colour as #rrggbb."""
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)

    def as_meta(self) -> dict[str, Any]:
        """The Candidate.meta fields that record the tint."""
        meta: dict[str, Any] = {"tint": self.name, "tint_rgb": self.hex}
        if self.ignored:
            meta["tint_ignored"] = list(self.ignored)
        return meta


@cache
def colour_palette() -> Mapping[str, tuple[int, int, int]]:
    """Colour name (words joined without spaces) -> RGB: CSS named colours + FASHION_COLOURS."""
    from PIL import ImageColor

    palette = {
        name: ImageColor.getrgb(value)[:3]
        for name, value in ImageColor.colormap.items()
        if name not in NOT_COLOURS
    }
    for name, value in FASHION_COLOURS.items():
        palette[name.replace(" ", "")] = ImageColor.getrgb(value)[:3]
    return palette  # type: ignore[return-value]


def match_colour(text: str) -> ColourChoice | None:
    """The first colour phrase in `text` ("red", "light blue", "navy-blue", "burgundy"), or None.

    Phrases are whole words, longest first at each position; further colours are kept in
    `ignored`, since one tint can honour only one colour.
    """
    palette = colour_palette()
    words = re.findall(r"[a-z]+", text.lower())
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(words):
        for length in range(min(_LONGEST_COLOUR, len(words) - position), 0, -1):
            phrase = words[position : position + length]
            if "".join(phrase) in palette:
                found.append((" ".join(phrase), "".join(phrase)))
                position += length
                break
        else:
            position += 1
    if not found:
        return None
    (name, key), rest = found[0], found[1:]
    ignored = tuple(dict.fromkeys(n for n, k in rest if k != key))
    return ColourChoice(name, palette[key], ignored)
