"""Hashtags (rubric L1, U6): a post's hashtags must belong to the product.

Marketing copy only. A small model tuned on posts of many categories ends a post with another
category's hashtags: "#hobbies #trailrunning" on a linen shirt, "#commute" on a carry-on for
business trips, "#gardening #gardening". The blind review graded such posts light edit at best.
Two kinds of Problem:

- `off_product_hashtag`: a hashtag that the copywriting corpus gives the posts of another
  category and not of this one (data/category_hashtags.json, written by
  scripts/build_benefit_lexicon.py; a test keeps it equal to the corpus), unless it starts or
  ends with one of the request's words ("#deskgoals" for a desk). A hashtag no category
  uses ("#cozyup") is a copywriter's own choice and not judged, and neither is any hashtag of a
  category the corpus does not know.
- `repeated_hashtag`: the same hashtag twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from contentgen.checks import benefit_lexicon
from contentgen.checks.base import EvalInput
from contentgen.checks.data_files import read_json
from contentgen.checks.detector import Detector, leaves, product_facts, text_fields
from contentgen.checks.problems import Problem
from contentgen.types import Task

HASHTAGS_FILE = "category_hashtags.json"
MIN_OWN_WORD = 4  # shorter request words ("and", "for") say nothing of a tag
_HASHTAG = re.compile(r"#(\w+)")
_WORD = re.compile(r"[^\W\d_]+")


class HashtagCheck(Detector):
    """Gate 'hashtags': another category's hashtag, or one hashtag twice."""

    name = "hashtags"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """One Problem per hashtag that belongs to another category or repeats, per field."""
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            tags = [t.lower() for t in _HASHTAG.findall(value)]
            if not tags:
                continue
            seen: set[str] = set()
            for tag in tags:
                if tag in seen:
                    found.append(self.problem("repeated_hashtag", field, f"#{tag}"))
                seen.add(tag)
            product = product_facts(item)
            for tag in dict.fromkeys(tags):
                if _foreign(tag, product.get("category")) and not _own(tag, item):
                    found.append(self.problem("off_product_hashtag", field, f"#{tag}"))
        return found


def _foreign(tag: str, category: object) -> bool:
    """Whether the corpus gives the tag to another category's posts and not to this one's
    (False for a category it does not know)."""
    per_category = _hashtags()
    own = per_category.get(benefit_lexicon.category_label(category))
    if own is None or tag in own:
        return False
    return any(tag in tags for tags in per_category.values())


def _own(tag: str, item: EvalInput) -> bool:
    """Whether the tag starts or ends with one of the request's words ("#travel", "#deskgoals"
    for a desk, "#linenlove" for a linen shirt)."""
    audience = item.facts.get("audience")
    texts = [*leaves(product_facts(item)), audience if isinstance(audience, str) else ""]
    words = {w.lower() for text in texts for w in _WORD.findall(text) if len(w) >= MIN_OWN_WORD}
    return any(tag.startswith(w) or tag.endswith(w) for w in words)


@lru_cache(maxsize=1)
def _hashtags() -> Mapping[str, frozenset[str]]:
    """data/category_hashtags.json: category label -> the hashtags its posts use."""
    return {label: frozenset(tags) for label, tags in read_json(HASHTAGS_FILE).items()}
