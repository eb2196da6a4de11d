"""Hashtags (rubric L1, U6): a post's hashtags must belong to the product.

Marketing copy only. A small model tuned on posts of many categories ends a post with another
category's hashtags: "#hobbies #trailrunning" on a linen shirt, "#commute" on a carry-on for
business trips, "#gardening #gardening". The blind review graded such posts light edit at best.
A hashtag passes when the corpus gives it to this category's posts
(data/category_hashtags.json, written by scripts/build_benefit_lexicon.py; a test keeps it equal
to the corpus) or when it is made wholly of the request's words, this category's hashtags and the
words hashtags are built with ("love", "goals", "life", ...: "#deskgoals" for a desk,
"#linenlove" for a linen shirt). No hashtag of a category the corpus does not know is judged.
Three kinds of Problem:

- `off_product_hashtag`: any other hashtag the corpus gives the posts of another category.
- `invented_hashtag`: any other hashtag: "#carryonplanets" on a suitcase, "#midlifestyle" for
  students, "#workingfromhomedotors", all graded unusable by blind reviewers.
- `repeated_hashtag`: the same hashtag twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from contentgen.checks import benefit_lexicon
from contentgen.checks.base import EvalInput
from contentgen.checks.data_files import read_json
from contentgen.checks.detector import Detector, leaves, product_facts, text_fields, word_set
from contentgen.checks.problems import Problem
from contentgen.types import Task

HASHTAGS_FILE = "category_hashtags.json"
_HASHTAG = re.compile(r"#(\w+)")
_WORD = re.compile(r"[^\W\d_]+")
# Words a copywriter builds hashtags with around the product's own ("#linenlove", "#deskgoals").
_TAG_WORDS = word_set(
    "love goals life style daily every everyday day new my your our the of and on in at to for "
    "go time home tips ideas inspo gift gifts season ready vibes essentials favourite favorite "
    "care lover lovers made"
)


class HashtagCheck(Detector):
    """Gate 'hashtags': another category's hashtag, or one hashtag twice."""

    name = "hashtags"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """One Problem per hashtag that belongs to another category or repeats, per field."""
        known = _hashtags().get(benefit_lexicon.category_label(product_facts(item).get("category")))
        vocabulary: frozenset[str] | None = None  # built at the first tag a category list lacks
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            tags = [t.lower() for t in _HASHTAG.findall(value)]
            seen: set[str] = set()
            for tag in tags:
                if tag in seen:
                    found.append(self.problem("repeated_hashtag", field, f"#{tag}"))
                seen.add(tag)
            if known is None:  # a category the corpus does not know: no house vocabulary
                continue
            for tag in dict.fromkeys(tags):
                if tag in known:
                    continue
                vocabulary = vocabulary or _request_words(item) | known | _TAG_WORDS
                if _segments(tag, vocabulary):  # "#deskgoals" for a desk, "#linenlove"
                    continue
                kind = "off_product_hashtag" if _foreign(tag) else "invented_hashtag"
                found.append(self.problem(kind, field, f"#{tag}"))
        return found


def _foreign(tag: str) -> bool:
    """Whether the corpus gives the tag to some category's posts (another one's, when it is
    not this category's)."""
    return any(tag in tags for tags in _hashtags().values())


def _segments(tag: str, vocabulary: frozenset[str]) -> bool:
    """Whether `tag` is a run of words of `vocabulary` (at least two letters each)."""
    ends = [True] + [False] * len(tag)
    for end in range(1, len(tag) + 1):
        ends[end] = any(
            ends[start] and tag[start:end] in vocabulary
            for start in range(max(0, end - 24), end - 1)
        )
    return ends[-1]


def _request_words(item: EvalInput) -> frozenset[str]:
    """The lower-case words of the request's facts and audience, each with its plural or
    singular ("suitcases", "shirt")."""
    audience = item.facts.get("audience")
    texts = [*leaves(product_facts(item)), audience if isinstance(audience, str) else ""]
    found = {w.lower() for text in texts for w in _WORD.findall(text) if len(w) >= 2}
    return frozenset(found | {w[:-1] for w in found if w.endswith("s")} | {f"{w}s" for w in found})


@lru_cache(maxsize=1)
def _hashtags() -> Mapping[str, frozenset[str]]:
    """data/category_hashtags.json: category label -> the hashtags its posts use."""
    return {label: frozenset(tags) for label, tags in read_json(HASHTAGS_FILE).items()}
