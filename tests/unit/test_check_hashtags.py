"""Hashtags: a post's hashtags belong to the product's category or to the request's words."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.hashtags import HashtagCheck
from contentgen.types import Task

SHIRT = {"name": "Marvik Ember Linen Shirt", "category": "apparel", "product_type": "linen shirt",
         "features": ["relaxed fit", "chest pocket"], "material": "linen-cotton blend"}  # fmt: skip


def _tags(post: str, product: dict[str, object] = SHIRT) -> list[tuple[str, str]]:
    item = EvalInput(task=Task.MARKETING, text=post, fields={"post": post}, channel="social_post",
                     facts={"product": product, "audience": "students"})  # fmt: skip
    return [(p.kind, p.evidence.strip()) for p in HashtagCheck().problems(item)]


def _corrected(post: str, product: dict[str, object] = SHIRT) -> str:
    """The post with every problem's correction made (as the engine makes them)."""
    item = EvalInput(task=Task.MARKETING, text=post, fields={"post": post}, channel="social_post",
                     facts={"product": product, "audience": "students"})  # fmt: skip
    for p in sorted(HashtagCheck().problems(item), key=lambda p: -(p.start or 0)):
        assert p.fix is not None and p.start is not None and p.end is not None
        assert post[p.start : p.end] == p.evidence
        post = post[: p.start] + p.fix + post[p.end :]
    return post


def test_another_categorys_hashtag_is_rejected() -> None:
    assert _tags("A relaxed fit for long days. #style #trailrunning") == [
        ("off_product_hashtag", "#trailrunning")
    ]


@pytest.mark.parametrize(
    "post",
    [
        "A relaxed fit for long days. #style #slowfashion",  # the category's own
        "A relaxed fit for long days. #linenlove",  # the request's own word
        "A relaxed fit for long days. #studentlife #chestpocket",  # request and hashtag words
        "A relaxed fit for long days. #linenshirts",  # a request word's plural
    ],
)
def test_the_categorys_and_hashtags_made_of_the_requests_words_pass(post: str) -> None:
    assert _tags(post) == []


@pytest.mark.parametrize("tag", ["#midlifestyle", "#carryonplanets", "#newbies", "#cozyup"])
def test_a_hashtag_made_of_words_the_request_never_says_is_invented(tag: str) -> None:
    assert _tags(f"A relaxed fit for long days. #style {tag}") == [("invented_hashtag", tag)]


def test_no_hashtag_is_judged_invented_in_a_category_the_corpus_does_not_know() -> None:
    boat = {**SHIRT, "category": "boats"}
    assert _tags("A relaxed fit for long days. #sailaway", boat) == []


def test_a_hashtag_twice_is_rejected() -> None:
    assert _tags("A relaxed fit. #style #Style") == [("repeated_hashtag", "#Style")]


def test_a_bad_hashtag_beside_a_good_one_is_dropped() -> None:
    assert _corrected("A relaxed fit for long days. #style #trailrunning") == (
        "A relaxed fit for long days. #style"
    )
    assert _corrected("A relaxed fit. #style #Style") == "A relaxed fit. #style"


def test_a_post_left_with_no_good_hashtag_ends_with_the_products_kind() -> None:
    assert _corrected("A relaxed fit for long days. #deskgoals #workouts") == (
        "A relaxed fit for long days. #linenshirt"
    )


def test_one_kind_of_the_categorys_products_is_no_hashtag_for_another() -> None:
    # "#phonecase" on a charging pad: both blind-graded outputs with it were unusable
    pad = {"name": "Lumolane Clarity Wireless Charging Pad", "category": "phone accessories",
           "product_type": "wireless charging pad"}  # fmt: skip
    case = {**pad, "name": "Osborne Grip Phone Case", "product_type": "phone case"}
    assert _corrected("It charges overnight. #phonecase", pad) == (
        "It charges overnight. #wirelesschargingpad"
    )
    assert _tags("It grips. #phonecase #phoneaccessories", case) == []


def test_a_hashtag_inside_a_sentence_is_rejected_without_a_correction() -> None:
    item = EvalInput(task=Task.MARKETING, text="", channel="social_post",
                     fields={"post": "Made for #workouts and more. #style"},
                     facts={"product": SHIRT})  # fmt: skip
    (problem,) = HashtagCheck().problems(item)
    assert (problem.kind, problem.fix) == ("invented_hashtag", None)


def test_a_category_the_corpus_does_not_know_is_not_judged() -> None:
    product = {**SHIRT, "category": "campus wear"}
    assert _tags("A relaxed fit for long days. #trailrunning", product) == []


def test_the_checks_copy_of_the_hashtags_is_the_corpus_lexicon() -> None:
    from contentgen.checks.hashtags import _hashtags
    from contentgen.datasets.copywriting.resources import categories

    corpus = {c.label: frozenset(c.hashtags) for c in categories()}
    assert _hashtags() == corpus, "run python scripts/build_benefit_lexicon.py"
