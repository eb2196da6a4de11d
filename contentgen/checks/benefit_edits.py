"""Slips in how copy states a brief's benefit that an edit corrects, for the `benefits` check.

Each function finds one kind in one field and gives the span to replace and its correction
(`Edit`), which the engine makes instead of drawing the copy again (drafts.edit_draft):

- `spliced`: a fact and its stated benefit joined by a bare comma, "It has envelope
  pillowcases, pillows stay tucked in all night" -> ", so pillows ...".
- `bare_facts`: a sentence that ends on a fact whose stated benefit the copy never says, "It is
  made from an aluminium shell." -> "..., so it is tough and looks better with every dent and
  trip." (the blind review sent such sentences back as flat or unusable whenever the brief gave
  the benefit).
- `garbled_benefits`: a stated benefit begun word for word and ended with other words, "so it
  sits just where you want it, with a gift box" -> "..., from collarbone to neckline".
- `misinflected`: a stated benefit said word for word but for a participle without its
  ending, "your wrists stay cover when you pick up the pace" -> "covered" (a 60-product run
  returned five outputs with it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

SPLICE_CHARS = 12  # characters of a stated benefit that, after "has F, ", show a comma splice
GARBLE_FROM_WORDS = 5  # words of a stated benefit, said word for word, before a garbled end
GARBLE_MAX_WORDS = 10  # words of a garbled end (a longer one is another clause)
INFLECTED_FROM_WORDS = 4  # words of a stated benefit before one word in another form is a slip
# A verb that gives the product a fact, and its article: "has a", "come with an".
OWNING = r"(?:has|have|comes with|come with)\s+(?:an?\s+)?"
# A verb that states a fact at the end of a sentence: "It has an X.", "It is made from X."
_STATING = (
    r"(?:has|have|comes with|come with|features|uses|is made (?:of|from)|are made (?:of|from)"
    r"|is|are)\s+(?:an?\s+)?"
)
# Words that link a fact to what it does in the same sentence ("so", "thanks to", "means", ":").
_LINKED = re.compile(r",\s*so\b|\bso that\b|\bthanks to\b|\bmeans?\b|:|\bwhich\b", re.I)
_SENTENCE_END = re.compile(r"[.!?\n]")
_TOKEN = re.compile(r"\S+")
_PUNCTUATION = ".,;:!?"


class Edit(NamedTuple):
    """A span of a field and the words that replace it."""

    start: int
    end: int
    fix: str
    about: str  # the fact whose benefit is at stake, or the phrase of the facts it completes


def spliced(text: str, benefits: Mapping[str, str]) -> list[Edit]:
    """Comma splices: the comma and the benefit's first characters, joined again by "so"."""
    found = []
    for fact, benefit in benefits.items():
        pattern = rf"\b{OWNING}{re.escape(fact)}(, {re.escape(benefit[:SPLICE_CHARS])})"
        for m in re.finditer(pattern, text, re.I):
            found.append(Edit(m.start(1), m.end(1), ", so " + m.group(1)[2:], fact))
    return found


def bare_facts(text: str, benefits: Mapping[str, str], said: Callable[[str], bool]) -> list[Edit]:
    """Sentences that end on a fact with a stated benefit the copy does not say (`said` tells
    whether the copy says a benefit): the full stop, corrected to ", so <benefit>."."""
    found = []
    for fact, benefit in benefits.items():
        if said(benefit):
            continue
        pattern = rf"\b{_STATING}{re.escape(fact)}(\.)(?!\w)"
        for m in re.finditer(pattern, text, re.I):
            sentence = _sentence_before(text, m.start())
            if not _LINKED.search(sentence + m.group(0)):
                found.append(Edit(m.start(1), m.end(1), f", so {benefit}.", fact))
    return found


def garbled_benefits(text: str, benefits: Mapping[str, str]) -> list[Edit]:
    """Stated benefits said word for word for at least `GARBLE_FROM_WORDS` words and then ended
    with other words before the sentence ends: those words, corrected to the benefit's own end.
    A benefit cut short at the end of its sentence is left alone (shorter, not wrong)."""
    found = []
    tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    for fact, benefit in benefits.items():
        words = benefit.split()
        if len(words) <= GARBLE_FROM_WORDS:
            continue
        for start in _starts(tokens, [w.lower() for w in words[:GARBLE_FROM_WORDS]]):
            edit = _garbled_end(text, tokens, start, words, fact)
            if edit is not None:
                found.append(edit)
    return found


def misinflected(text: str, benefits: Mapping[str, str]) -> list[Edit]:
    """Stated benefits said word for word but for a participle without its ending ("stay cover"
    for "stay covered"): that word, corrected to the benefit's."""
    found = []
    tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    for fact, benefit in benefits.items():
        words = [w.lower().rstrip(_PUNCTUATION) for w in benefit.split()]
        if len(words) < INFLECTED_FROM_WORDS:
            continue
        for i in range(len(tokens) - len(words) + 1):
            said = [t.rstrip(_PUNCTUATION) for t, _, _ in tokens[i : i + len(words)]]
            differ = [k for k, (a, b) in enumerate(zip(said, words, strict=True)) if a != b]
            if len(differ) == 1 and _other_form(said[differ[0]], words[differ[0]]):
                _, start, _ = tokens[i + differ[0]]
                end = start + len(said[differ[0]])
                if text[start:end].islower():
                    found.append(Edit(start, end, words[differ[0]], fact))
    return found


def _other_form(word: str, base: str) -> bool:
    """Whether `word` is the benefit's participle without its ending ("cover" for "covered",
    "tire" for "tired"); other endings are left alone, since "They keep" for "it keeps" agrees."""
    return base.endswith("ed") and len(word) >= 3 and word in (base[:-2], base[:-1])


def _starts(tokens: list[tuple[str, int, int]], head: list[str]) -> Iterator[int]:
    """Token indexes where `head` is said word for word."""
    for i in range(len(tokens) - len(head) + 1):
        if [t for t, _, _ in tokens[i : i + len(head)]] == head:
            yield i


def _garbled_end(
    text: str, tokens: list[tuple[str, int, int]], start: int, words: list[str], fact: str
) -> Edit | None:
    """The edit that ends a benefit said from token `start` as the brief ends it, if the copy
    ends it otherwise within the sentence."""
    same = 0
    while same < len(words) and start + same < len(tokens):
        token = tokens[start + same][0]
        if token.rstrip(_PUNCTUATION) != words[same].lower().rstrip(_PUNCTUATION):
            break
        same += 1
        if token.rstrip(".!?") != token:  # the sentence ends: a benefit cut short, not garbled
            return None
    if same == len(words) or start + same == len(tokens):
        return None
    said_end = tokens[start + same - 1][2]
    stop = _SENTENCE_END.search(text, said_end)
    end = stop.start() if stop else len(text)
    tail = text[said_end:end]
    if not tail.strip(" ,") or len(tail.split()) > GARBLE_MAX_WORDS:
        return None
    return Edit(said_end, end, " " + " ".join(words[same:]).rstrip(".!?"), fact)


def _sentence_before(text: str, at: int) -> str:
    """The part of `at`'s sentence before it."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    return text[ends[-1] if ends else 0 : at]
