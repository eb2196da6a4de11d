"""Words with their character offsets, word shingles and passages: what copy detection compares.

Text is compared as lower-cased Unicode words (NFKC, so full-width and ligature forms match the
plain ones); punctuation, spacing and line breaks never matter. Every word keeps its span in the
original text, so a match can be shown where it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

_WORD = re.compile(r"\w+")
Shingle = tuple[str, ...]


class Word(NamedTuple):
    """One normalised word and its [start, end) span in the original text (a tuple: texts are
    cut into many of them, and tuples are made fastest)."""

    text: str
    start: int
    end: int


def words(text: str, offset: int = 0) -> list[Word]:
    """The text's words, normalised (NFKC, case-folded), with spans shifted by `offset`."""
    if text.isascii():  # NFKC changes no ASCII text, and lower() is casefold() there
        return [
            Word(m.group().lower(), m.start() + offset, m.end() + offset)
            for m in _WORD.finditer(text)
        ]
    found = []
    for match in _WORD.finditer(text):
        norm = unicodedata.normalize("NFKC", match.group()).casefold()
        found.append(Word(norm, match.start() + offset, match.end() + offset))
    return found


def shingles(tokens: Sequence[Word], size: int) -> list[Shingle]:
    """The word `size`-grams in order (one shingle of every word when the text is shorter)."""
    texts = [w.text for w in tokens]
    if len(texts) < size:
        return [tuple(texts)] if texts else []
    return [tuple(texts[i : i + size]) for i in range(len(texts) - size + 1)]


def shingle_bytes(found: Sequence[Shingle]) -> list[bytes]:
    """Distinct shingles as bytes, the form MinHash hashes."""
    return [" ".join(s).encode("utf-8") for s in dict.fromkeys(found)]


@dataclass(frozen=True)
class Passage:
    """A window of a text's words: word indices [first, last)."""

    first: int
    last: int


def passages(tokens: Sequence[Word], size: int) -> list[Passage]:
    """Windows of at most `size` words, overlapping by half, covering every word.

    A short text is one passage; a long one is cut so that any run of `size / 2` words lies
    wholly inside some window, which is what lets a short output match part of a long source.
    """
    if not tokens:
        return []
    step = max(1, size // 2)
    found = []
    for first in range(0, len(tokens), step):
        last = min(len(tokens), first + size)
        found.append(Passage(first, last))
        if last == len(tokens):
            break
    return found


@dataclass(frozen=True)
class Run:
    """The longest stretch of consecutive shared words: its length and first word in each text."""

    words: int
    a_first: int
    b_first: int


def longest_run(a: Sequence[Word], b: Sequence[Word]) -> Run:
    """The longest run of identical consecutive words that `a` and `b` share."""
    from difflib import SequenceMatcher

    left, right = [w.text for w in a], [w.text for w in b]
    match = SequenceMatcher(None, left, right, autojunk=False).find_longest_match(
        0, len(left), 0, len(right)
    )
    return Run(match.size, match.a, match.b)
