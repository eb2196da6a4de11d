"""Text on a creative always fits its box: wrapped at words, sized down, or refused; never cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from contentgen.creatives.fitting import FittedText, balanced, fit_text, wrap
from contentgen.creatives.fonts import FontFace, load, resolve_font
from contentgen.creatives.geometry import Box
from tests.fuzzing import examples

FACES = [resolve_font(n) for n in ("DejaVu Sans", "DejaVu Sans:Bold", "Liberation Sans",
                                    "Liberation Serif:Bold")]  # fmt: skip
# Words with overhangs, accents, descenders, digits and punctuation: what breaks naive measures.
WORDS = st.sampled_from([
    "Try", "Trail", "Runner", "X.", "grip", "on", "every", "trail", "Éclair", "jQuery", "fjord",
    "WAVE", "ÅÄÖ", "quickly", "89.99", "EUR", "—", "(new)", "Yoga", "Typ", "affordable",
    "gets", "softer", "with", "wash", "Ñandú", "100%", "W", "ij", "Vf", "y,",
])  # fmt: skip


def inked(fitted: FittedText, size: tuple[int, int]) -> Box:
    """Where the text's pixels really are, drawn as the composer draws it."""
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    for line in fitted.lines:
        draw.text((line.x, line.y), line.text, font=load(fitted.face, fitted.size), fill=255,
                  anchor="la")  # fmt: skip
    found = image.getbbox()
    assert found is not None
    return Box(*found)


@settings(max_examples=examples(120))
@given(
    words=st.lists(WORDS, min_size=1, max_size=14),
    face=st.sampled_from(FACES),
    x=st.integers(0, 40),
    y=st.integers(0, 40),
    width=st.integers(20, 400),
    height=st.integers(10, 300),
    min_size=st.integers(8, 20),
    extra=st.integers(0, 60),
)
def test_fitted_text_never_leaves_its_box(words: list[str], face: FontFace, x: int, y: int,
                                          width: int, height: int, min_size: int,
                                          extra: int) -> None:  # fmt: skip
    box = Box(x, y, x + width, y + height)
    fitted = fit_text(" ".join(words), face, box, max_size=min_size + extra, min_size=min_size)
    if fitted is None:
        return  # refused: the caller rejects the variant rather than draw it badly
    assert min_size <= fitted.size <= min_size + extra
    assert box.contains(inked(fitted, (x + width + 200, y + height + 200)))
    assert " ".join(line.text for line in fitted.lines) == " ".join(words)  # nothing cut


@pytest.mark.parametrize(
    ("text", "width"),
    [
        # "T" overhangs its advance by a pixel: measured by advance alone it left the box.
        ("Try Trail Runner X. Made for general shoppers, ready when", 120),
        ("Éclair fjord jQuery", 90),
    ],
)
def test_found_cases_stay_inside(text: str, width: int) -> None:
    box = Box(12, 60, 12 + width, 200)
    fitted = fit_text(text, FACES[0], box, max_size=11, min_size=11)
    assert fitted is not None
    assert box.contains(inked(fitted, (400, 400)))


def test_the_largest_size_that_fits_is_chosen() -> None:
    box = Box(0, 0, 300, 60)
    fitted = fit_text("Grip on every trail", FACES[1], box, max_size=80, min_size=10)
    assert fitted is not None and len(fitted.lines) <= 2
    bigger = fit_text("Grip on every trail", FACES[1], box, max_size=80, min_size=fitted.size + 1)
    assert bigger is None


def test_a_word_wider_than_the_box_at_the_smallest_size_is_refused() -> None:
    box = Box(0, 0, 60, 200)
    assert fit_text("Supercalifragilistic", FACES[0], box, max_size=30, min_size=11) is None
    assert wrap("Supercalifragilistic", load(FACES[0], 11), 60) is None


def test_too_many_lines_for_the_height_is_refused() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve"
    assert fit_text(text, FACES[0], Box(0, 0, 80, 20), max_size=14, min_size=11) is None


def test_lines_are_balanced_not_left_with_a_lone_word() -> None:
    font = load(FACES[1], 30)
    width = int(font.getlength("Canvas Weekender")) + 2
    assert wrap("Canvas Weekender Bag", font, width) == ["Canvas Weekender", "Bag"]
    assert balanced("Canvas Weekender Bag", font, width) == ["Canvas", "Weekender Bag"]


def test_a_price_stays_with_its_currency_and_a_size_with_its_unit() -> None:
    font = load(FACES[0], 20)
    for text, kept in (
        ("Waxed canvas bag for 79 EUR.", "79 EUR."),
        ("A skillet 26 cm wide", "26 cm"),
    ):
        for width in range(40, int(font.getlength(text)), 7):
            lines = wrap(text, font, width)
            assert lines is None or any(kept in line for line in lines), (width, lines)


def test_a_line_ends_at_punctuation_and_keeps_the_product_name_whole_where_it_can() -> None:
    font = load(FACES[1], 30)
    text, name = "Insulated Water Bottle, 24.95 EUR", "Insulated Water Bottle"
    width = int(font.getlength("Insulated Water Bottle,")) + 2
    assert balanced(text, font, width, [name]) == ["Insulated Water Bottle,", "24.95 EUR"]
    narrow = int(font.getlength("Trail Runner X,")) + 2
    assert balanced("Trail Runner X, 89.99 EUR", font, narrow) == ["Trail Runner X,", "89.99 EUR"]
    # A name wider than the box is split all the same: keeping it is a preference, not a rule.
    tight = int(font.getlength("Insulated Water")) + 2
    lines = balanced(name, font, tight, [name])
    assert lines is not None and len(lines) == 2 and " ".join(lines) == name
