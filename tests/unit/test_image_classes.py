"""Prompt -> Fashion-MNIST class mapping: explicit names, keywords/synonyms and error messages."""

from __future__ import annotations

import pytest

from contentgen.errors import ValidationError
from contentgen.image_classes import (
    FASHION_MNIST_CLASSES,
    match_keyword,
    plan_class,
    resolve_class,
    resolve_explicit,
)


def _never_embed(texts: object) -> object:
    raise AssertionError("the embedding model must not load when a keyword matches")


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("A flowing red summer dress for weddings", "dress"),
        ("Black t-shirt with our logo", "t-shirt/top"),
        ("crisp white button-down shirt", "shirt"),
        ("cosy wool sweater", "pullover"),
        ("slim fit jeans", "trouser"),
        ("waterproof parka", "coat"),
        ("beach flip-flops", "sandal"),
        ("lightweight running shoes", "sneaker"),
        ("leather handbag", "bag"),
        ("brown Chelsea boots", "ankle boot"),
        ("a tank top in lime", "t-shirt/top"),
    ],
)
def test_keywords_and_synonyms_pick_the_class(prompt: str, expected: str) -> None:
    choice = resolve_class(prompt, embed=_never_embed)
    assert (choice.name, choice.mapped_by) == (expected, "keyword")
    assert choice.index == FASHION_MNIST_CLASSES.index(expected)


def test_shirt_inside_t_shirt_is_not_a_separate_match() -> None:
    assert match_keyword("graphic t-shirt").name == "t-shirt/top"  # type: ignore[union-attr]
    assert match_keyword("oxford shirt").name == "shirt"  # type: ignore[union-attr]


def test_first_mentioned_product_wins_and_adjective_top_does_not() -> None:
    assert match_keyword("a bag to match your sneakers").name == "bag"  # type: ignore[union-attr]
    assert match_keyword("top quality leather sandals").name == "sandal"  # type: ignore[union-attr]


def test_no_keyword_returns_none() -> None:
    assert match_keyword("something nice for the weekend") is None


def test_explicit_class_name_wins_over_the_prompt() -> None:
    choice = resolve_class("a red dress", class_name="Ankle_Boot", embed=_never_embed)
    assert (choice.name, choice.index, choice.mapped_by) == ("ankle boot", 9, "class_name")
    assert choice.as_meta() == {
        "class_name": "ankle boot",
        "class_index": 9,
        "mapped_by": "class_name",
    }


def test_explicit_synonym_is_accepted() -> None:
    assert resolve_explicit("Sneakers").name == "sneaker"


def test_unknown_class_name_lists_the_classes() -> None:
    with pytest.raises(ValidationError) as info:
        resolve_class("a red dress", class_name="sports car")
    message = str(info.value)
    assert "sports car" in message
    for name in FASHION_MNIST_CLASSES:
        assert repr(name) in message


def test_custom_class_lists_match_their_own_names() -> None:
    classes = ("mug", "poster", "tote bag")
    assert resolve_class("a big coffee mug", classes=classes, embed=_never_embed).index == 0
    assert resolve_class("canvas tote bag", classes=classes, embed=_never_embed).name == "tote bag"
    with pytest.raises(ValidationError, match="'mug'"):
        resolve_explicit("dress", classes)


def test_embedding_fallback_reports_similarity() -> None:
    def toy_embed(texts: list[str]) -> list[list[float]]:
        # unit vectors: the prompt points at the class description that mentions "coat"
        return [[1.0, 0.0] if i == 0 or "coat" in t else [0.0, 1.0] for i, t in enumerate(texts)]

    class Vec(list):  # supports `@` like numpy rows
        def __matmul__(self, other: list[float]) -> float:
            return sum(a * b for a, b in zip(self, other, strict=True))

    choice = resolve_class(
        "warm outerwear", embed=lambda t: [Vec(v) for v in toy_embed(t)], match="nearest"
    )
    assert (choice.name, choice.mapped_by, choice.similarity) == ("coat", "embedding", 1.0)
    assert choice.as_meta()["similarity"] == 1.0


@pytest.mark.parametrize(
    "prompt", ["a red sports car", "laptop", "1234", "warm outerwear", "top quality laptop"]
)
def test_a_prompt_naming_no_class_is_refused_listing_the_classes(prompt: str) -> None:
    with pytest.raises(ValidationError) as info:
        resolve_class(prompt, embed=_never_embed)
    assert info.value.field == "prompt" and info.value.choices == FASHION_MNIST_CLASSES
    assert "match='nearest'" in str(info.value)


def test_nearest_class_is_left_to_the_embedding_only_when_asked() -> None:
    assert plan_class("laptop", match="nearest") is None
    assert plan_class("a laptop bag", match="nearest").name == "bag"  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="unknown match mode 'closest'"):
        plan_class("dress", match="closest")


def test_custom_class_lists_get_no_fashion_synonym_hints() -> None:
    with pytest.raises(ValidationError) as info:
        plan_class("laptop", classes=("mug", "poster"))
    assert "trainers" not in str(info.value) and info.value.choices == ("mug", "poster")


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("summer tops", "t-shirt/top"),
        ("tops for summer", "t-shirt/top"),
        ("a long trench, in beige", "coat"),
        ("top quality laptop", None),
        ("denim", "trouser"),
        ("denim laptop sleeve", None),
    ],
)
def test_words_that_are_also_adjectives_count_only_as_nouns(
    prompt: str, expected: str | None
) -> None:
    found = match_keyword(prompt)
    assert (found.name if found else None) == expected
