"""The readability evaluator: Flesch reading ease, syllables counted as textstat counts them.

Words and sentences are counted here, because a draft's fields (a headline, a description) are
separate sentences even without a full stop between them. Syllables follow textstat: CMUdict's
first pronunciation where the word is in it, Pyphen's hyphenation otherwise. textstat parses all
of CMUdict (134k words, about 0.9 CPU-seconds) on its first count, so each word's CMUdict count
is built once into the model cache (`checks/syllables/`, keyed by the textstat and cmudict
versions; `english.known_words`) and read back in milliseconds; words outside it go to
textstat's own Pyphen. A test holds the counts equal to `textstat.syllable_count`. Without a
usable cache, textstat counts.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from contentgen.checks import english
from contentgen.checks.base import EvalInput
from contentgen.types import Evaluation

log = logging.getLogger(__name__)

# Flesch 60-70 is plain English; news prose sits lower, so its floor is lower.
DEFAULT_MINIMUM: Mapping[str, float] = MappingProxyType(
    {"marketing": 50.0, "customer_service": 50.0, "news_summary": 30.0}
)
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")
LANG = "en_US"  # textstat's default language, the one the table is built for
_lock = threading.Lock()
_counter: Callable[[str], int] | None = None


def syllables(word: str) -> int:
    """The syllables of an English word, as `textstat.syllable_count` counts them (at least 1)."""
    return max(1, _syllable_counter()(word))


def _syllable_counter() -> Callable[[str], int]:
    global _counter  # a process-wide, read-only word table, not configuration
    with _lock:
        if _counter is None:
            _counter = _table_counter() or _textstat().syllable_count
        return _counter


def _textstat() -> Any:
    import textstat  # the eval extra; its word list loads on the first count

    return textstat


def _table_counter() -> Callable[[str], int] | None:
    """textstat's syllable count with the CMUdict look-ups answered by the cached table."""
    try:
        from textstat.backend.selections import list_words
        from textstat.backend.utils import get_pyphen

        table = english.known_words()
    except Exception as exc:  # an unwritable or broken cache must never fail a check
        log.info("syllable table unavailable, textstat counts instead: %r", exc)
        return None

    def count(text: str) -> int:
        total = 0
        # textstat's own word split: punctuation off (contraction apostrophes kept), lower case.
        for word in list_words(text, lowercase=True):
            found = table.get(word)
            total += len(get_pyphen(LANG).positions(word)) + 1 if found is None else found
        return total

    return count


@dataclass(frozen=True)
class Readability:
    """Flesch reading ease and grade level of a text, with the counts behind them."""

    words: int
    sentences: int
    syllables: int

    @property
    def ease(self) -> float:
        """Flesch reading ease: about 0 (very hard) to 100+ (very easy)."""
        return 206.835 - 1.015 * self.words / self.sentences - 84.6 * self.syllables / self.words

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade level (US school years)."""
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59


def measure(text: str) -> Readability | None:
    """Count words, sentences and syllables; None when the text has no words."""
    words = _WORD.findall(text)
    if not words:
        return None
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    counted = sum(syllables(w) for w in words)
    return Readability(len(words), max(1, len(sentences)), counted)


class ReadabilityEvaluator:
    """Scores Flesch reading ease (score = ease clipped to 0..100, divided by 100)."""

    name: str = "readability"
    tasks: frozenset[str] = frozenset(DEFAULT_MINIMUM)
    gate: bool = False

    def __init__(self, minimum: Mapping[str, float] = DEFAULT_MINIMUM) -> None:
        self.minimum = dict(DEFAULT_MINIMUM) | dict(minimum)

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item; fields, when parsed, count as separate sentences."""
        return [self._one(item) for item in items]

    def _one(self, item: EvalInput) -> Evaluation:
        # A headline and a description carry no full stop between them, yet are separate lines.
        text = "\n".join(item.fields.values()) if item.fields else item.text
        found = measure(text)
        if found is None:
            return Evaluation(name=self.name, passed=True, detail={"skipped": "no words"})
        minimum = self.minimum.get(item.task, 0.0)
        return Evaluation(
            name=self.name,
            passed=found.ease >= minimum,
            score=round(min(100.0, max(0.0, found.ease)) / 100, 4),
            detail={
                "flesch_reading_ease": round(found.ease, 1),
                "grade": round(found.grade, 1),
                "words": found.words,
                "sentences": found.sentences,
                "syllables_per_word": round(found.syllables / found.words, 2),
                "minimum": minimum,
            },
        )
