"""Completion: the correction of a field that stops inside, or right after, a phrase of the facts.

A small model writing "The {name}: {benefit}." into a 90-character search-ad description runs
out of room inside the benefit ("The Elmlane Contour Trail Running Shoe: drivers can spot you on
early-morning and"), or ends a finished benefit without its full stop ("Drivers can spot you on
early-morning and late-evening runs"). Both are cut copy, yet the words the reader was about to
get are known: they are the rest of that phrase of the facts. The correction says the phrase
whole and ends the sentence when that fits the field's limit; where it would not, there is no
correction and the draft is written again. Naming the product by its brand and model instead, to
make room ("The Lumolane Clarity: it shows charging status ..."), was tried and graded unusable
in a blind review ("product name cut"), so the name is never shortened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from contentgen.checks.benefit_edits import Edit

MIN_WORDS = 3  # the words of a phrase a field must end on before its rest is taken as meant
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def completion(value: str, phrases: Iterable[str], limit: int | None) -> Edit | None:
    """The edit that ends the field as the phrase it stops in or after, within `limit` characters
    (None when it ends in no phrase of the facts, or when the whole phrase does not fit)."""
    end = len(value.rstrip())
    lowered = value[:end].lower()
    wanted = {p.strip().rstrip(".") for p in phrases if p.strip()}
    for phrase in sorted(wanted, key=len, reverse=True):  # the longest phrase it may end in
        start = _start_of_prefix(lowered, phrase.lower())
        if start is None:
            continue
        said = value[start:end]
        finished = said + phrase[len(said) :] + "."
        if limit is None or start + len(finished) <= limit:
            return Edit(start, end, finished, phrase)
    return None


def _start_of_prefix(lowered: str, phrase: str) -> int | None:
    """Where the text's end begins a prefix of `phrase` of at least MIN_WORDS words, starting on
    a word (the phrase itself counts, the text then lacking only its full stop)."""
    for match in _WORD.finditer(lowered):
        tail = lowered[match.start() :]
        if phrase.startswith(tail) and len(_WORD.findall(tail)) >= MIN_WORDS:
            return match.start()
    return None
