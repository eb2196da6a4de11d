"""What every detector shares: the span record, kinds and placeholders, a text's words, quantities."""

from __future__ import annotations

import re
from dataclasses import dataclass

# ID: national identity, social-security, tax and passport numbers. NAME and BIRTHDATE are only
# found through field names ({"customer_name": ...}); free-text names need NER, which the no-ML
# path does not have.
KINDS: tuple[str, ...] = (
    "EMAIL", "PHONE", "CARD", "IBAN", "ID", "IP", "ADDRESS", "NAME", "BIRTHDATE",
)  # fmt: skip
PLACEHOLDER = re.compile(rf"\[({'|'.join(KINDS)})_(\d+)\]")
# Among overlapping spans of the same length, the more specific kind wins.
PRIORITY: dict[str, int] = {
    kind: rank
    for rank, kind in enumerate(
        ("IBAN", "EMAIL", "CARD", "ID", "ADDRESS", "IP", "PHONE", "NAME", "BIRTHDATE")
    )
}

# A number followed by one of these is a quantity ("via DHL 2 days", "Platz 3 mal"), not a house.
QUANTITY_WORDS = (
    r"days?|hours?|weeks?|months?|years?|times?|items?|pcs|pieces?|units?|pairs?|packs?|boxes?|"
    r"parcels?|packages?|orders?|installments?|payments?|euros?|dollars?|pounds?|minutes?|mins?|"
    r"seconds?|secs?|percent|stars?|left|more|ago|kg|g|cm|mm|m|ml|l|gb|tb|mb|x|jours?|d[íi]as|"
    r"tage?n?|giorni|dagen|dagar|dage|p[äa]iv[äa][äa]|dni|semaines?|semanas?|wochen?|mois|meses|"
    r"monate?|ans|a[ñn]os|jahre?|unidades|unit[ée]s|st[üu]ck|stk|pezzi|stuks|szt|kpl|veces|fois|"
    r"mal|volte|keer|g[åa]nger|gange|ganger|kertaa|razy|vezes"
)
QUANTITY_AFTER = re.compile(
    rf"\s*(?:[%€$£¥₹]|(?i:{QUANTITY_WORDS}|visitors?|people|copies|EUR|USD|GBP|CHF)\b)"
)


@dataclass(frozen=True, order=True)
class Span:
    """One personal-data value found in a text: where it is, its kind, and a normalised key.

    The key (digits of a phone, lower-cased email, ...) gives one value the same placeholder
    however it is written; it never leaves the redactor.
    """

    start: int
    end: int
    kind: str
    key: str


def digits(text: str) -> str:
    """The ASCII and full-width digits of `text`, as ASCII."""
    return "".join(str(int(c)) for c in text if c.isdecimal())


def value_key(kind: str, value: str) -> str:
    """The normalised key of a whole value of `kind` (as written in a field named for it)."""
    if kind in ("PHONE", "CARD") and len(digits(value)) >= 6:
        return digits(value)[-10:] if kind == "PHONE" else digits(value)
    if kind in ("IBAN", "ID"):
        return re.sub(r"[\s./-]", "", value).upper()
    return " ".join(value.casefold().split())


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*[./]?")


@dataclass(frozen=True)
class Scan:
    """A text split into words once, so that detectors look closer only where their words are.

    `words` holds (start, end, word) with the word as written (a trailing "." or "/" kept:
    "ul.", "c/", "Hauptstr."); `vocabulary` the same words case-folded, without that ending, and
    the parts of hyphenated words ("appelez-moi" also gives "appelez").
    """

    text: str
    words: tuple[tuple[int, int, str], ...]
    vocabulary: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Scan:
        """Split `text` into its words."""
        words = tuple((m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text))
        folded = {w.casefold().rstrip("./") for _, _, w in words}
        folded.update([part for w in folded if "-" in w for part in w.split("-")])
        return cls(text, words, frozenset(folded))
