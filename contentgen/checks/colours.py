"""Colour words: which words of copy name a colour, and whether two colours could be the same.

Colour values come from data/colours.tsv (the xkcd colour survey and the CSS named colours; see
scripts/build_colour_lexicon.py). A fact's colour ("dove grey", "midnight blue") resolves by its
full name, else by its last word that is a colour ("smoked grey" -> grey); one that resolves to
nothing ("oat", "champagne") is unknown, and a check can then prove no contradiction.

Two colours are compatible when a reader could call one by the other's name: both near-neutral
and of similar lightness (grey and charcoal, not white and charcoal), or both coloured with hues
within HUE_TOLERANCE degrees in CIE LCh (red and burgundy, pink and blush, not lilac and
terracotta). The tolerance is generous on purpose: the check is for colours that cannot be the
product's, not for shades a copywriter may name loosely.
"""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources

from contentgen.checks.detector import word_set

NEUTRAL_CHROMA = 18.0  # below this a colour reads as white, grey or black (CIE LCh chroma)
NEUTRAL_LIGHTNESS = 40.0  # neutrals further apart in L* than this are different colours
PALE_CHROMA = 35.0  # a pale tint ("cream", "ivory") may still be called white, or vice versa
PALE_LIGHTNESS = 12.0
HUE_TOLERANCE = 55.0  # degrees of hue angle between colours a reader would call the same

# Words of the colour file that copy uses as colour names rather than for something else. The
# other survey names are first of all foods, plants, materials, places or weather ("olive",
# "sage", "cream", "gold", "slate", "sky"), or vague ("dark", "pale"): in copy they are not read
# as a colour claim, so they never count against the facts (they still resolve fact colours).
COPY_COLOUR_WORDS = word_set(
    """aqua aquamarine auburn azure beige black blue bluish brown brownish burgundy carmine
    cerise cerulean chartreuse crimson cyan ecru fuchsia gray green greenish grey greyish
    heliotrope indigo khaki lilac magenta maroon mauve navy ochre orange pink pinkish puce
    purple purplish red reddish russet scarlet sepia taupe teal turquoise ultramarine umber
    vermillion violet white yellow yellowish"""
)
# Set phrases in which a colour word names no colour of the product.
COLOUR_IDIOMS = re.compile(
    r"\b(?:white (?:noise|glove|goods|paper|label|space|wine|sauce|chocolate|collar|lie)"
    r"|black (?:friday|tie|box|belt|market|hole|coffee|tea|pepper)|blue (?:light|sky|chip|tooth)"
    r"|red (?:tape|carpet|flag|eye|wine|light)|green (?:light|thumb|space|energy|choice|tea)"
    r"|(?:in the|into the|out of the) (?:red|black)|yellow pages"
    r"|(?:go|going|went|gone|goes|think|thinking|eco|stay) green)\b",
    re.IGNORECASE,
)
_HEX = re.compile(r"#([0-9a-f]{6})")


@cache
def colour_table() -> dict[str, tuple[float, float, float]]:
    """Every colour name of the lexicon with its CIE L*a*b* value."""
    text = resources.files("contentgen.checks").joinpath("data/colours.tsv").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, value = line.split("\t")
        found = _HEX.fullmatch(value.strip())
        if found:
            table[name] = _lab(found.group(1))
    return table


def _lab(hex_value: str) -> tuple[float, float, float]:
    """sRGB (D65) to CIE L*a*b*."""
    rgb = [int(hex_value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def resolve(name: str) -> tuple[float, float, float] | None:
    """The L*a*b* of a colour as facts write it ("Dove Grey"), or None when unknown."""
    table = colour_table()
    words = re.findall(r"[a-z]+", name.lower().replace("gray", "grey"))
    whole = " ".join(words)
    if whole in table:
        return table[whole]
    for word in reversed(words):  # "smoked grey", "matte black": the head word is the colour
        if word in table and word in COPY_COLOUR_WORDS:
            return table[word]
    return None


def compatible(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
    """Whether a reader could call a colour of value `a` by a name of value `b`."""
    (la, ca, ha), (lb, cb, hb) = _lch(a), _lch(b)
    if ca < NEUTRAL_CHROMA and cb < NEUTRAL_CHROMA:
        return abs(la - lb) <= NEUTRAL_LIGHTNESS
    if min(ca, cb) < NEUTRAL_CHROMA:
        # A neutral against a tint: only a pale tint of nearly the same lightness ("ivory").
        return max(ca, cb) < PALE_CHROMA and abs(la - lb) <= PALE_LIGHTNESS
    gap = abs(ha - hb) % 360
    return min(gap, 360 - gap) <= HUE_TOLERANCE


def _lch(lab: tuple[float, float, float]) -> tuple[float, float, float]:
    lightness, a, b = lab
    return lightness, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360
