"""Numbers in text with their sign, unit and kind: what copy claims and what facts state.

"€49.99", "49.99 EUR" and "49,99 €" are the same price; "20%" and "20 percent" the same share;
"three" and "3" the same number; "-25 °C" and "minus 25 °C" the same temperature, never "25 °C".
An ambiguous "1,299" or "1.299" stands for both readings (thousands and decimals), and
"2.5 million" for both 2.5 and 2500000. A range gives both ends their unit ("30-40 cm" is 30 cm
and 40 cm, never a 10). Ids, list markers and "24/7" are not numbers; arithmetic such as "7*7"
is a claim of its own kind that nothing grounds (see `contentgen.checks.fact_numbers`
for what the facts allow). Numbers of any length compare exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Literal

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
CURRENCIES = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "usd": "USD",
    "us$": "USD", "dollar": "USD", "dollars": "USD", "£": "GBP", "gbp": "GBP", "pound": "GBP",
    "pounds": "GBP", "chf": "CHF", "¥": "JPY", "₹": "INR",
}  # fmt: skip
# Measurement units, normalised: "litres" and "l" are one unit, "hrs" and "hours" another.
UNIT_NAMES = {
    "mm": "mm", "cm": "cm", "m": "m", "km": "km", "inch": "in", "inches": "in",
    "ft": "ft", "feet": "ft", "foot": "ft", "mg": "mg", "g": "g", "gram": "g",
    "grams": "g", "kg": "kg", "kilo": "kg", "kilos": "kg", "lb": "lb", "lbs": "lb", "oz": "oz",
    "ml": "ml", "cl": "cl", "dl": "dl", "l": "l", "litre": "l", "litres": "l", "liter": "l",
    "liters": "l", "w": "w", "watt": "w", "watts": "w", "kw": "kw", "v": "v", "volt": "v",
    "volts": "v", "mah": "mah", "ah": "ah", "wh": "wh", "kwh": "kwh", "°c": "°c", "ºc": "°c",
    "° c": "°c", "°f": "°f", "ºf": "°f", "° f": "°f", "degrees": "°", "degree": "°", "°": "°",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "min": "min", "mins": "min",
    "minute": "min", "minutes": "min", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "year": "year", "years": "year", "yr": "year", "yrs": "year",
    "gb": "gb", "tb": "tb", "mb": "mb", "mp": "mp", "hz": "hz", "khz": "khz", "ghz": "ghz",
    "db": "db", "rpm": "rpm", "bar": "bar", "psi": "psi", "mph": "mph", "km/h": "km/h",
    "kmh": "km/h",
}  # fmt: skip
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNIT_NAMES, key=len, reverse=True))
_CURRENCY = r"[€$£¥₹]|\b(?:eur|usd|gbp|chf|us\$)\b"
_CURRENCY_AFTER = r"[€$£¥₹]|(?:eur|usd|gbp|chf|euros?|dollars?|pounds?)\b"
_NUMBER = re.compile(
    r"(?P<sign>(?<![\w.,)\]%])[-−](?=[€$£¥₹]?\d)|\bminus\s+)?"
    rf"(?P<cur>(?:{_CURRENCY})\s?)?"
    r"(?<![\w.,])(?P<num>\d+(?:[.,]\d+)*)"
    r"(?P<mult>\s?(?:thousand|million|billion|bn|k|m)\b)?"
    r"(?P<pct>\s?(?:%|percent\b|per\s?cent\b))?"
    rf"(?P<cur2>\s?(?:{_CURRENCY_AFTER}))?"
    rf"(?P<unit>[\s-]?(?:{_UNIT_ALT})(?![\w°]))?",
    re.IGNORECASE,
)
_WORD_NUMBER = re.compile(
    r"(?P<sign>\bminus\s+)?"
    r"\b(?P<first>" + "|".join(sorted({*_UNITS, *_TENS}, key=len, reverse=True)) + r")"
    r"(?:[-\s](?P<second>one|two|three|four|five|six|seven|eight|nine)\b)?\b"
    r"(?P<pct>\s(?:percent\b|per\s?cent\b))?",
    re.IGNORECASE,
)
_ARITHMETIC = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?:\s*[*+=^]\s*\d+(?:[.,]\d+)?)+(?![\w])")
_RANGE_JOIN = re.compile(r"\s*(?:[-–—]|to|x|×)\s*", re.IGNORECASE)
_TOKEN = re.compile(r"#?[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)*")
_NUMBER_WITH_UNIT = re.compile(r"\d+(?:[.,]\d+)?[a-z]{1,3}", re.IGNORECASE)
# "2-year", "30-day", "10-speed", "3-in-1": a number and what it counts, not an id.
_COMPOUND = re.compile(r"\d+(?:[.,]\d+)?(?:-[a-z]+)+(?:-\d+)?", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)
_IDIOMS = re.compile(r"\b24/7\b")
_TIME = re.compile(r"(?<![\w:.,])([01]?\d|2[0-3]):([0-5]\d)(?![\w:])")
# The default context keeps 28 digits: "10^30 million" would round. Products here are exact
# instead (their digits are bounded by the text's length).
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)

Kind = Literal["price", "percent", "number", "arithmetic"]


@dataclass(frozen=True)
class NumberClaim:
    """A number as written in a text: every value it can stand for, its kind and its unit.

    `unit` is a currency code for prices ("EUR"), "%" for percentages, a normalised measurement
    unit ("cm", "°c") or None; `signed` is true when the text wrote a minus sign (or "minus").
    """

    text: str
    values: frozenset[Decimal]
    kind: Kind
    unit: str | None = None
    start: int = 0
    end: int = 0
    signed: bool = False


def _readings(raw: str) -> set[Decimal]:
    """Every plausible value of a digit string with ',' and '.' separators."""
    seps = [c for c in raw if c in ".,"]
    if not seps:
        return _safe(raw)
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
    if _NUMBER_WITH_UNIT.fullmatch(body) or _COMPOUND.fullmatch(body):
        return False
    return has_letter and len(body) >= 4


def id_tokens(text: str) -> list[str]:
    """Order numbers, SKUs and other ids: '#'-prefixed, or letters and digits mixed (4+ chars)."""
    return [piece for piece, is_id in _split_ids(text) if is_id]


def masked(text: str, names: Sequence[str] = ()) -> str:
    """Text with list markers, idioms, ids and the given names blanked out (same length)."""
    for name in names:
        if name.strip():
            text = re.sub(re.escape(name.strip()), _blank, text, flags=re.IGNORECASE)
    text = _IDIOMS.sub(_blank, _LIST_MARKER.sub(_blank, text))
    return "".join(" " * len(piece) if is_id else piece for piece, is_id in _split_ids(text))


def number_claims(
    text: str, *, all_words: bool = False, names: Sequence[str] = ()
) -> list[NumberClaim]:
    """Numbers, prices and percentages in `text` (ids, list markers, '24/7' and `names` excluded).

    Number words count from "two" up ("one" and "zero" only with `all_words`, as facts use).
    A product name is passed in `names` so that "Grill 7" states no 7.
    """
    text = masked(text, names)
    claims = [_arithmetic(m) for m in _ARITHMETIC.finditer(text)]
    text = _ARITHMETIC.sub(_blank, text)
    claims += [_time_claim(m) for m in _TIME.finditer(text)]
    text = _TIME.sub(_blank, text)
    claims += _with_ranges([c for m in _NUMBER.finditer(text) if (c := _claim(m))], text)
    for m in _WORD_NUMBER.finditer(text):
        first = m.group("first").lower()
        if first in _NOT_CLAIMS and not all_words and not m.group("second"):
            continue
        value = _UNITS.get(first, _TENS.get(first, 0)) + _UNITS.get(
            (m.group("second") or "").lower(), 0
        )
        signed = bool(m.group("sign"))
        kind: Kind = "percent" if m.group("pct") else "number"
        claims.append(
            NumberClaim(
                m.group().strip(),
                frozenset({Decimal(-value if signed else value)}),
                kind,
                "%" if kind == "percent" else None,
                m.start(),
                m.end(),
                signed,
            )
        )
    return sorted(claims, key=lambda c: c.start)


def _claim(m: re.Match[str]) -> NumberClaim | None:
    values = _readings(m.group("num"))
    if not values:
        return None
    mult = (m.group("mult") or "").strip()
    currency = _currency(m.group("cur")) or _currency(m.group("cur2"))
    metres = mult == "m" and not currency  # "2 m" is two metres; "$1.2m" and "2M" are millions
    if mult and not metres:
        values |= {EXACT.multiply(v, _MULTIPLIERS[mult.lower()]) for v in values}
    sign = bool(m.group("sign"))
    if sign:
        values = {-v for v in values}
    kind: Kind = "price" if currency else "number"
    unit: str | None = currency
    if m.group("pct"):
        kind, unit = "percent", "%"
    elif m.group("unit") and not currency:
        unit = UNIT_NAMES.get(m.group("unit").strip().lstrip("-").strip().lower())
    elif metres:
        unit = "m"
    return NumberClaim(m.group().strip(), frozenset(values), kind, unit, m.start(), m.end(), sign)


def _currency(raw: str | None) -> str | None:
    return CURRENCIES.get(raw.strip().lower()) if raw and raw.strip() else None


def _with_ranges(claims: list[NumberClaim], text: str) -> list[NumberClaim]:
    """Give both ends of a range ("30-40 cm", "€20 to 30", "30 x 40 cm") the unit it has."""
    out = list(claims)
    for i in range(len(out) - 1):
        first, second = out[i], out[i + 1]
        if not _RANGE_JOIN.fullmatch(text[first.end : second.start]):
            continue
        if first.unit is None and second.unit is not None:
            out[i] = replace(first, kind=second.kind, unit=second.unit)
        elif second.unit is None and first.unit is not None and first.kind == "price":
            out[i + 1] = replace(second, kind="price", unit=first.unit)
    return out


def _arithmetic(match: re.Match[str]) -> NumberClaim:
    """'7*7' or '3+4': a sum no fact states, whatever it adds up to."""
    return NumberClaim(match.group(), frozenset(), "arithmetic", None, match.start(), match.end())


def _time_claim(match: re.Match[str]) -> NumberClaim:
    """'9:00' is the hour 9 (or 21, or as '9am'); '9:30' must be stated as 9:30."""
    hour, minutes = int(match.group(1)), match.group(2)
    if minutes == "00":
        values = {Decimal(hour), Decimal((hour + 12) % 24 or 12)} if hour else {Decimal(0)}
    else:
        values = {Decimal(f"{hour}.{minutes}")}
    return NumberClaim(match.group(), frozenset(values), "number", None, match.start(), match.end())


def same_unit(claimed: str | None, stated: str | None) -> bool:
    """Whether two normalised units agree ("degrees" agrees with "°C" and "°F")."""
    if claimed == stated:
        return True
    temperature = {"°", "°c", "°f"}
    return claimed in temperature and stated in temperature and "°" in (claimed, stated)
