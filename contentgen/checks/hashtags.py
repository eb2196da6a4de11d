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

A hashtag among those the post ends with carries a correction, since a post ends with one or two
hashtags (docs/copy_rubric.md): it is dropped when a good hashtag stays; when none would, the
last is replaced by the product's kind ("#runningtop" for a running top, at most 20 letters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from contentgen.checks import benefit_lexicon
from contentgen.checks.base import EvalInput
from contentgen.checks.data_files import read_json
from contentgen.checks.detector import Detector, leaves, product_facts, text_fields, word_set
from contentgen.checks.problems import Problem
from contentgen.types import Task

HASHTAGS_FILE = "category_hashtags.json"
_HASHTAG = re.compile(r"#(\w+)")
_TRAILING = re.compile(r"(?:\s*#\w+)+\s*$")  # the hashtags a post ends with
KIND_TAG_CHARS = 20  # a longer kind ("#wirelesschargingpad") makes a clumsy hashtag
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
            verdicts: list[tuple[re.Match[str], str | None]] = []
            seen: set[str] = set()
            for match in _HASHTAG.finditer(value):
                tag = match.group(1).lower()
                kind = "repeated_hashtag" if tag in seen else None
                seen.add(tag)
                if kind is None and known is not None and tag not in known:
                    vocabulary = vocabulary or _request_words(item) | known | _TAG_WORDS
                    if not _segments(tag, vocabulary):  # "#deskgoals" for a desk passes
                        kind = "off_product_hashtag" if _foreign(tag) else "invented_hashtag"
                verdicts.append((match, kind))
            found += self._field_problems(field, value, verdicts, _kind_tag(product_facts(item)))
        return found

    def _field_problems(
        self, field: str, value: str, verdicts: list[tuple[re.Match[str], str | None]], own: str
    ) -> list[Problem]:
        """The field's problems, each trailing hashtag's with its correction: dropped when a
        good hashtag stays, else the last one replaced by the product's kind ("#runningtop")."""
        bad = [(m, kind) for m, kind in verdicts if kind is not None]
        trailing = _TRAILING.search(value)
        block = trailing.start() if trailing else len(value)
        kept = {m.group(1).lower() for m, kind in verdicts if kind is None and m.start() >= block}
        found = []
        for i, (match, kind) in enumerate(bad):
            problem = self.problem(kind, field, match.group(0), start=match.start(), end=match.end())
            if match.start() >= block:
                last = i == len(bad) - 1
                if kept or not last or own in {m.group(1).lower() for m, _ in verdicts}:
                    start, end = _dropped(value, match.start(), match.end())
                    problem = replace(problem, evidence=value[start:end], start=start, end=end,
                                      fix="")  # fmt: skip
                elif own:
                    problem = replace(problem, fix=f"#{own}")
            found.append(problem)
        return found


def _kind_tag(product: Mapping[str, object]) -> str:
    """The product's kind as a hashtag's words ("runningtop"; "" when it is long or unknown)."""
    words = _WORD.findall(str(product.get("product_type") or "").lower())
    tag = "".join(words)
    return tag if len(tag) <= KIND_TAG_CHARS else ""


def _dropped(value: str, start: int, end: int) -> tuple[int, int]:
    """The span of a hashtag with the whitespace before it (after it, when it opens the text)."""
    before = len(value[:start].rstrip())
    if before > 0:
        return before, end
    return start, end + len(value[end:]) - len(value[end:].lstrip())


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
