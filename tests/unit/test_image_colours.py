"""Colour words in image prompts: which words count, which colour they name, what is recorded."""

from __future__ import annotations

import pytest

from contentgen.image_colours import FASHION_COLOURS, colour_palette, match_colour


@pytest.mark.parametrize(
    ("prompt", "name", "rgb"),
    [
        ("a red sneaker", "red", (255, 0, 0)),
        ("Light-blue shirt", "light blue", (173, 216, 230)),
        ("lightblue shirt", "lightblue", (173, 216, 230)),
        ("GREY hoodie", "grey", (128, 128, 128)),
        ("a burgundy coat", "burgundy", (0x61, 0x00, 0x23)),
        ("navy blue trousers", "navy blue", (0x00, 0x11, 0x46)),
        ("light goldenrod yellow dress", "light goldenrod yellow", (250, 250, 210)),
    ],
)
def test_colour_words_name_their_css_or_fashion_colour(
    prompt: str, name: str, rgb: tuple[int, int, int]
) -> None:
    choice = match_colour(prompt)
    assert choice is not None and (choice.name, choice.rgb) == (name, rgb)
    assert choice.as_meta() == {"tint": name, "tint_rgb": "#{:02x}{:02x}{:02x}".format(*rgb)}


@pytest.mark.parametrize(
    "prompt",
    [
        "a sneaker",
        "snow boots",  # a kind of boot, not the CSS colour "snow"
        "linen shirt",  # a fabric
        "moccasin",  # a shoe
        "tank top",  # "tan" only as a whole word
        "reddish tee",  # not a palette word
    ],
)
def test_prompts_without_a_colour_word_stay_grey(prompt: str) -> None:
    assert match_colour(prompt) is None


def test_only_the_first_colour_tints_and_the_others_are_recorded() -> None:
    choice = match_colour("red and white sneakers, white laces, blue sole")
    assert choice is not None and choice.name == "red"
    assert choice.as_meta()["tint_ignored"] == ["white", "blue"]


def test_every_fashion_colour_is_reachable_by_its_words() -> None:
    palette = colour_palette()
    for name in FASHION_COLOURS:
        choice = match_colour(f"a {name} bag")
        assert choice is not None and choice.name == name
        assert choice.rgb == palette[name.replace(" ", "")]
