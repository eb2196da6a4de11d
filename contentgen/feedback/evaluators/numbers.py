"""Numbers, prices, percentages and ids in text, normalised so that facts and copy compare equal.

"€49.99", "49.99 EUR" and "49,99 €" are the same price; "20%" and "20 percent" the same share;
"three" and "3" the same number. An ambiguous "1,299" or "1.299" stands for both readings
(thousands and decimals), and "2.5 million" for both 2.5 and 2500000, so a claim is grounded
when any of its readings appears among the facts. Numbers of any length compare exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
)
from typing import Any, Literal

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
# "one" and "zero" are pronoun/idiom words far more often than claims ("the one", "zero fuss").
_NOT_CLAIMS = frozenset({"zero", "one", "hundred"})
_MULTIPLIERS = {"thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000,
                "billion": 1_000_000_000, "bn": 1_000_000_000}  # fmt: skip
_CURRENCY = r"[€$£¥₹]|\b(?:eur|usd|gbp|chf|us\$)\b"
_CURRENCY_AFTER = r"[€$£¥₹]|(?:eur|usd|gbp|chf|euros?|dollars?|pounds?)\b"
_NUMBER = re.compile(
    rf"(?P<cur>(?:{_CURRENCY})\s?)?"
    r"(?<![\w.,])(?P<num>\d+(?:[.,]\d+)*)"
    r"(?P<mult>\s?(?:thousand|million|billion|bn|k|m)\b)?"
    rf"(?P<pct>\s?(?:%|percent\b|per\s?cent\b))?"
    rf"(?P<cur2>\s?(?:{_CURRENCY_AFTER}))?",
    re.IGNORECASE,
)
_WORD_NUMBER = re.compile(
    r"\b(?P<first>" + "|".join(sorted({*_UNITS, *_TENS}, key=len, reverse=True)) + r")"
    r"(?:[-\s](?P<second>one|two|three|four|five|six|seven|eight|nine)\b)?\b"
    r"(?P<pct>\s(?:percent\b|per\s?cent\b))?",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"#?[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)*")
_NUMBER_WITH_UNIT = re.compile(r"\d+(?:[.,]\d+)?[a-z]{1,3}", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)
_IDIOMS = re.compile(r"\b24/7\b")
_TIME = re.compile(r"(?<![\w:.,])([01]?\d|2[0-3]):([0-5]\d)(?![\w:])")
# The default context keeps 28 digits: "10^30 million" would round and a cent-rounded
# difference of a 29-digit price raises InvalidOperation. Sums, products and rounding here are
# exact instead (their digits are bounded by the text's length); only savings shares divide,
# at a fixed precision, as they are rounded to a tenth of a percent anyway.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)
_SHARE = Context(prec=34, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)
_MAX_SPAN = 100_000

Kind = Literal["price", "percent", "number"]


@dataclass(frozen=True)
class NumberClaim:
    """A number as written in a text, with every value it can stand for."""

    text: str
    values: frozenset[Decimal]
    kind: Kind


def _readings(raw: str) -> set[Decimal]:
    """Every plausible value of a digit string with ',' and '.' separators."""
    seps = [c for c in raw if c in ".,"]
    if not seps:
        return {Decimal(raw)}
    if len(set(seps)) == 2:  # "1,299.00" / "1.299,00": the last separator is the decimal one
        decimal_sep = seps[-1]
        thousands = "," if decimal_sep == "." else "."
        return _safe(raw.replace(thousands, "").replace(decimal_sep, "."))
    if len(seps) > 1:  # "1,299,000": grouping only
        return _safe(raw.replace(seps[0], ""))
    whole, frac = raw.replace(",", ".").split(".")
    readings = _safe(f"{whole}.{frac}")
    if len(frac) == 3:  # "1,299" is 1299 in English and 1.299 in German
        readings |= _safe(whole + frac)
    return readings


def _safe(text: str) -> set[Decimal]:
    try:
        return {Decimal(text)}
    except InvalidOperation:
        return set()


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def _masked(text: str) -> str:
    """Text with list markers, idioms and ids blanked out (same length)."""
    text = _IDIOMS.sub(_blank, _LIST_MARKER.sub(_blank, text))
    return "".join(" " * len(piece) if is_id else piece for piece, is_id in _split_ids(text))


def _split_ids(text: str) -> Iterator[tuple[str, bool]]:
    last = 0
    for match in _TOKEN.finditer(text):
        if _is_id(match.group()):
            yield text[last : match.start()], False
            yield match.group(), True
            last = match.end()
    yield text[last:], False


def _is_id(token: str) -> bool:
    body = token.lstrip("#")
    if not any(c.isdigit() for c in body):
        return False
    if token.startswith("#"):
        return True
    has_letter = any(c.isalpha() for c in body)
    return has_letter and len(body) >= 4 and not _NUMBER_WITH_UNIT.fullmatch(body)


def id_tokens(text: str) -> list[str]:
    """Order numbers, SKUs and other ids: '#'-prefixed, or letters and digits mixed (4+ chars)."""
    return [piece for piece, is_id in _split_ids(text) if is_id]


def number_claims(text: str, *, all_words: bool = False) -> list[NumberClaim]:
    """Numbers, prices and percentages in `text` (ids, list markers and '24/7' excluded).

    Number words count from "two" up ("one" and "zero" only with `all_words`, as facts use).
    """
    masked = _masked(text)
    claims = [_time_claim(m) for m in _TIME.finditer(masked)]
    masked = _TIME.sub(_blank, masked)
    for m in _NUMBER.finditer(masked):
        values = _readings(m.group("num"))
        if m.group("mult"):
            factor = _MULTIPLIERS[m.group("mult").strip().lower()]
            values |= {_EXACT.multiply(v, factor) for v in values}
        kind: Kind = "price" if m.group("cur") or m.group("cur2") else "number"
        if m.group("pct"):
            kind = "percent"
        if values:
            claims.append(NumberClaim(m.group().strip(), frozenset(values), kind))
    for m in _WORD_NUMBER.finditer(masked):
        first = m.group("first").lower()
        if first in _NOT_CLAIMS and not all_words and not m.group("second"):
            continue
        value = _UNITS.get(first, _TENS.get(first, 0)) + _UNITS.get(
            (m.group("second") or "").lower(), 0
        )
        kind = "percent" if m.group("pct") else "number"
        claims.append(NumberClaim(m.group().strip(), frozenset({Decimal(value)}), kind))
    return claims


def _time_claim(match: re.Match[str]) -> NumberClaim:
    """'9:00' is the hour 9 (or 21, or as '9am'); '9:30' must be stated as 9:30."""
    hour, minutes = int(match.group(1)), match.group(2)
    if minutes == "00":
        values = {Decimal(hour), Decimal((hour + 12) % 24 or 12)} if hour else {Decimal(0)}
    else:
        values = {Decimal(f"{hour}.{minutes}")}
    return NumberClaim(match.group(), frozenset(values), "number")


def _flatten(value: Any) -> Iterator[Any]:
    """The leaves of nested facts, depth-first, without recursion (JSON nests arbitrarily deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(reversed(list(item)))
        elif item is not None and not isinstance(item, bool):
            yield item


def _fact_number(item: int | float | Decimal) -> set[Decimal]:
    """The value of a numeric fact; NaN and infinities state no number."""
    if isinstance(item, int):
        return {Decimal(item)}  # exact at any size (str() of a huge int is refused)
    value = Decimal(repr(item)) if isinstance(item, float) else item
    return {value} if value.is_finite() else set()


def _fact_text(item: Any) -> str:
    """A fact as text; ints through Decimal, which prints any number of digits."""
    return str(Decimal(item)) if isinstance(item, int) else str(item)


@dataclass(frozen=True)
class FactIndex:
    """What the facts of one request allow a text to state: values, ids and the facts as text."""

    values: frozenset[Decimal]
    corpus: str

    @classmethod
    def build(cls, facts: Mapping[str, Any], *, derived: bool = False) -> FactIndex:
        """Index every number and string in `facts` (nested mappings and lists included).

        With `derived`, savings computed from two fact numbers are allowed too (a price of 80
        and a list price of 100 make "save 20" and "20% off" grounded).
        """
        values: set[Decimal] = set()
        texts: list[str] = []
        for item in _flatten(facts):
            text = _fact_text(item)
            texts.append(text)
            if isinstance(item, int | float | Decimal):
                values |= _fact_number(item)
            else:
                for claim in number_claims(text, all_words=True):
                    values |= claim.values
        if derived:
            values |= _derived(values)
        return cls(frozenset(values), "\n".join(texts))

    def grounded_number(self, claim: NumberClaim) -> bool:
        """Whether any reading of `claim` is among the fact values."""
        return not claim.values.isdisjoint(self.values)

    def grounded_id(self, token: str) -> bool:
        """Whether the id (without '#', case-insensitive) is written in the facts."""
        body = re.escape(token.lstrip("#"))
        return re.search(rf"(?<![\w-]){body}(?![\w-])", self.corpus, re.IGNORECASE) is not None


def _derived(values: set[Decimal], limit: int = 40) -> set[Decimal]:
    # Exact differences need as many digits as the values span; a Decimal fact such as
    # 1E+999999999 (only Python callers can pass one) would need a billion.
    positive = sorted(v for v in values if v > 0 and _span(v) <= _MAX_SPAN)[:limit]
    cent, whole, tenth = Decimal("0.01"), Decimal("1"), Decimal("0.1")
    out: set[Decimal] = set()
    for high in positive:
        for low in positive:
            if low < high:
                saved = _EXACT.subtract(high, low)
                out.add(saved.quantize(cent, context=_EXACT))
                share = _SHARE.multiply(_SHARE.divide(saved, high), 100)
                out |= {
                    share.quantize(whole, context=_SHARE),
                    share.quantize(tenth, context=_SHARE),
                }
    return out


def _span(value: Decimal) -> int:
    """How many digit positions a value covers, from its leading digit down to its last."""
    return max(value.adjusted(), 0) - min(int(value.as_tuple().exponent), 0)
