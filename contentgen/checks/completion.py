"""Completion: the correction of a field that stops inside, or right after, a phrase of the facts.

A small model writing "The {name}: {benefit}." into a 90-character search-ad description runs
out of room inside the benefit ("The Lumolane Clarity Wireless Charging Pad: it shows charging
status without lighting up"), or ends a finished benefit without its full stop ("Drivers can
spot you on early-morning and late-evening runs"). Both are cut copy, yet the words the reader
was about to get are known: they are the rest of that phrase of the facts. The correction says
the phrase whole and ends the sentence; where that would not fit the field's limit, it names the
product by its short form (a configured `short_name`, else its brand and model, the name without
the words of its `product_type`: "The Lumolane Clarity"), and where it still would not fit there
is no correction and the draft is written again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from contentgen.checks.name_fidelity import short_forms

MIN_WORDS = 3  # the words of a phrase a field must end on before its rest is taken as meant
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Completion:
    """The span [start, end) of a field and the words that replace it."""

    start: int
    end: int
    text: str


def completion(
    value: str, phrases: Iterable[str], product: Mapping[str, Any], limit: int | None
) -> Completion | None:
    """The field ended as the phrase it stops in or after, within `limit` characters (None when
    it ends in no phrase of the facts, or when even the short name leaves too little room)."""
    end = len(value.rstrip())
    lowered = value[:end].lower()
    wanted = {p.strip().rstrip(".") for p in phrases if p.strip()}
    for phrase in sorted(wanted, key=len, reverse=True):  # the longest phrase it may end in
        start = _start_of_prefix(lowered, phrase.lower())
        if start is None:
            continue
        said = value[start:end]
        finished = said + phrase[len(said) :] + "."
        for name in (None, *_short_names(product)):
            head = value[:start] if name is None else _renamed(value[:start], product, name)
            if head is not None and (limit is None or len(head) + len(finished) <= limit):
                cut = _first_difference(value, head)
                return Completion(cut, end, head[cut:] + finished)
    return None


def _start_of_prefix(lowered: str, phrase: str) -> int | None:
    """Where the text's end begins a prefix of `phrase` of at least MIN_WORDS words, starting on
    a word (the phrase itself counts, the text then lacking only its full stop)."""
    for match in _WORD.finditer(lowered):
        tail = lowered[match.start() :]
        if phrase.startswith(tail) and len(_WORD.findall(tail)) >= MIN_WORDS:
            return match.start()
    return None


def _short_names(product: Mapping[str, Any]) -> list[str]:
    """The product's short forms, shortest last: configured ones, then brand and model."""
    name = str(product.get("name") or "")
    kind = {w.lower() for w in _WORD.findall(str(product.get("product_type") or ""))}
    words = name.split()
    while words and words[-1].lower() in kind:
        words.pop()
    model = [" ".join(words)] if 2 <= len(words) < len(name.split()) else []
    return sorted({*short_forms(dict(product)), *model}, key=len, reverse=True)


def _renamed(head: str, product: Mapping[str, Any], short: str) -> str | None:
    """The text with the product's full name replaced by `short` (None when it has no name)."""
    name = str(product.get("name") or "")
    if not name or name not in head:
        return None
    return head.replace(name, short)


def _first_difference(old: str, new: str) -> int:
    """The first index at which two texts differ (the edit starts there)."""
    for i, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return i
    return min(len(old), len(new))
