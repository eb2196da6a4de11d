"""Sentences and comparable words with their character spans, for the grounding map.

Words are compared in a normal form: case-folded, a plural or possessive "s" dropped, and
numbers by value ("29.40", "29.4" and "€29.40" are one number; "1,299" is 1299). Stopwords never
count as evidence on their own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from contentgen.generators.sentences import ABBREVIATIONS, TITLE_ABBREVIATIONS

STOPWORDS = frozenset(
    """a an the and or but nor of to in on at by for with from into onto as is are was were be
    been being it its it's this that these those there their they them you your yours our ours we
    i me my he she his her so such than then too very can will would should could may might must
    has have had do does did not no all any each every some more most much many just also only
    own same both either neither here now up down out over under again once about after before
    while when where which who whom what why how if because until per via""".split()  # noqa: SIM905
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Token:
    """A word or number: its comparable form, whether it carries meaning, and its span."""

    norm: str
    start: int
    end: int
    content: bool


def number_value(text: str) -> str | None:
    """The canonical value of a written number ('29.40' -> '29.4', '1,299' -> '1299')."""
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif "," in text and "." not in text:
        text = text.replace(",", ".")  # a decimal comma: "29,40"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _stem(word: str) -> str:
    word = word.removesuffix("'s").removesuffix("’s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str, offset: int = 0) -> list[Token]:
    """The words and numbers of `text` in normal form, with spans shifted by `offset`."""
    found = []
    for match in _TOKEN.finditer(text):
        raw = unicodedata.normalize("NFKC", match.group()).casefold()
        start, end = match.start() + offset, match.end() + offset
        if raw[0].isdigit():
            value = number_value(raw)
            found.append(Token(f"#{value or raw}", start, end, True))
        else:
            norm = _stem(raw)
            found.append(Token(norm, start, end, raw not in STOPWORDS and len(norm) > 1))
    return found


def _ends_sentence(text: str, end: int) -> bool:
    """Whether the punctuation ending at `end` closes a sentence (not "e.g." or "Dr.")."""
    before = re.search(r"([A-Za-z]+)\.+$", text[:end])
    if before is None:
        return True
    word = before.group(1).lower()
    return word not in ABBREVIATIONS and word not in TITLE_ABBREVIATIONS and len(word) > 1


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences of `text`: a line break always ends one."""
    spans = []
    for line in _LINE.finditer(text):
        start = line.start()
        for found in _END.finditer(line.group()):
            stop = line.start() + found.end()
            if _ends_sentence(text, stop):
                spans.append((start, stop))
                start = stop
        spans.append((start, line.end()))
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if piece.strip():
            trimmed.append((start + left, start + right))
    return trimmed
