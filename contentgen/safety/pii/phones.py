"""Phone numbers in national and international formats, checked with `phonenumbers` metadata.

One cheap regex finds digit runs that could be phone numbers (spaces, dots, dashes, slashes and
brackets as separators, an optional extension); each run is then judged:

- "+44 20 7946 0958", "0044 ...": `phonenumbers` must find it a possible number for its country;
- a leading trunk zero ("020 7946 0958", "06.12.34.56.78", "090-1234-5678") with 9-12 digits in
  groups, or 11-12 digits in one run;
- the North American shape "(212) 555-0199" / "212-555-0199";
- a national number without trunk prefix ("612 34 56 78" in Spain, "512 345 678" in Poland,
  "(11) 91234-5678" in Brazil) must be valid for a region of that length and grouped as people
  write phone numbers there (three groups or more, or the region's own grouping);
- anything else, e.g. a bare "0873904525" or "32 12 34 56", only after a phone word ("call me",
  "Tel.", "teléfono", "電話").

A run followed by a currency or a quantity ("739 921 334 units") or named as something else
("order 0012345678", "EAN 0059101220435") is never a phone number.

Running `phonenumbers.PhoneNumberMatcher` once per region costs about 1 ms per region and
message; judging the few candidate runs costs tens of microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache, partial

from contentgen.safety.pii.spans import QUANTITY_AFTER, Scan, Span, digits

_EXTENSION = r"(?:\s?(?i:x|ext\.?)\s?\d{1,6})?"  # "555-0199x42", "555-0199 ext. 42"
_EXTENSION_TAIL = re.compile(r"\s?(?:x|ext\.?)\s?\d{1,6}$", re.I)
# A run of digits and separators; a separator is never doubled and "/ " or " /" ends the run
# ("+44 20 7946 0958 / 07700 900123" is two numbers).
_CANDIDATE = re.compile(
    r"(?<![\w#/.+@,-])(?<!\d:)(?:\+|00|\((?=\+?\d))?\+?\d(?:\d|[().\-]|/(?! )|\s(?![\s/]))*\d"
    rf"\)?{_EXTENSION}(?![\w/@-]|[.,]\d)"
)
_NANP = re.compile(r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}")
_SEVEN_DIGITS = re.compile(r"(?:\D*\d){7}")
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{2,4}(?:[ T]\d{1,2})?")
_CURRENCY_AFTER = re.compile(r"\s?(?:€|\$|£|¥|kr\b|zł|EUR|USD|GBP|SEK|DKK|NOK|PLN|CHF|JPY|INR)")
_CUE = re.compile(
    r"(?:\b(?:phone|tel|telephone|mobile|cell|call(?:\s+me)?|ring\s+me|text\s+me|reach\s+me|"
    r"whats\s?app|fax|contact\s+(?:me|number)|my\s+number|handy|telefon\w*|rufnummer|"
    r"t[ée]l[ée]phone|t[ée]l|portable|appelez|rappeler|tel[ée]fono|m[óo]vil|ll[áa]m[ae]me|"
    r"cellulare|chiamami|telefone|celular|ligue|telefoon|mobiel|bel\s+me|tlf|mobil|puhelin|puh|"
    r"soita|kom[óo]rka|zadzwo[ńn]|gsm)\b\.?|電話|携帯|ＴＥＬ)"
    r"(?:[^\n.!?]|\.(?!\s)){0,60}$",
    re.I,
)
# The words of _CUE as `Scan` folds them: when none is in a text, no cue search is needed.
_CUE_WORDS = frozenset(
    (
        "phone", "tel", "telephone", "mobile", "cell", "call", "ring", "text", "reach", "whats",
        "whatsapp", "fax", "contact", "number", "handy", "rufnummer", "téléphone", "telephone", "tél",
        "tel", "portable", "appelez", "rappeler", "teléfono", "telefono", "móvil", "movil", "llámame",
        "llamame", "llámeme", "llameme", "cellulare", "chiamami", "telefone", "celular", "ligue",
        "telefoon", "mobiel", "bel", "tlf", "mobil", "puhelin", "puh", "soita", "komórka", "komorka",
        "zadzwoń", "zadzwon", "gsm",
    )
)  # fmt: skip
_CJK_CUES = ("電話", "携帯", "ＴＥＬ")
# "call me about order 12345678": a number named as something else is not read as a phone.
_NAMED_OTHERWISE = re.compile(
    r"(?:\b(?:order|ref(?:erence)?|invoice|ticket|sku|ean|upc|gtin|isbn|barcode|art|artikel|"
    r"tracking|item|article|case|id|account|"
    r"bestellung|bestellnummer|commande|facture|pedido|factura|ordine|fattura|bestelling|"
    r"zam[óo]wienie|encomenda|ordre|tilaus)(?:\s*(?:no|nr|number|n[º°o])\.?)?|#)\W{0,4}$",
    re.I,
)
# National significant number length -> regions that write numbers without a trunk prefix.
_TRUNKLESS_REGIONS: dict[int, tuple[str, ...]] = {
    8: ("DK", "NO"),
    9: ("ES", "PT", "PL", "CZ", "SK"),
    10: ("IT", "IN", "US", "CA", "BR", "GR", "MX"),
    11: ("BR",),
}


def phone_cued(text: str, start: int) -> bool:
    """True when a phone word ("call me on", "Tel.", "teléfono") comes shortly before `start`."""
    return _CUE.search(text, max(0, start - 80), start) is not None


def _has_cue_word(scan: Scan) -> bool:
    return (
        not scan.vocabulary.isdisjoint(_CUE_WORDS)
        or any(w.startswith("telefon") for w in scan.vocabulary)
        or any(c in scan.text for c in _CJK_CUES)
    )


@lru_cache(maxsize=2048)
def _international(value: str) -> bool:
    import phonenumbers

    number = "+" + value[2:] if value.startswith("00") else value.replace("(+", "+", 1)
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


def _groups(value: str) -> list[str]:
    return re.findall(r"\d+", value)


@lru_cache(maxsize=2048)
def _national_valid(value: str) -> bool:
    """Valid in a region that writes numbers without trunk prefix, and grouped like a phone."""
    import phonenumbers

    groups = _groups(value)
    if max(len(g) for g in groups) <= 2:
        return False  # "36 38 40 42" is a list of sizes as often as a Danish number
    for region in _TRUNKLESS_REGIONS.get(sum(len(g) for g in groups), ()):
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number_for_region(number, region):
            continue
        if len(groups) >= 3 and max(len(g) for g in groups) >= 3:
            return True
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        expected = _groups(national)
        if expected and expected[0].startswith("0") and not groups[0].startswith("0"):
            expected[0] = expected[0][1:]
        if expected == groups:
            return True
    return False


def _cue_before(text: str, start: int, cue_words: bool) -> bool:
    return cue_words and phone_cued(text, start)


def _is_phone(value: str, cued: Callable[[], bool]) -> bool:
    core = _EXTENSION_TAIL.sub("", value)
    count = len(digits(core))
    if not 7 <= count <= 17 or _DATE.fullmatch(core):
        return False
    separated = re.search(r"[\s().\-/]", core.lstrip("+(")) is not None
    if core.startswith(("+", "00", "(+")) and _international(core):
        return True
    if count > 15:
        return False
    if _NANP.fullmatch(core):
        return True
    if core.lstrip("(")[:1] in ("0", "０"):
        if 9 <= count <= 12 and (separated or count >= 11):
            return True
    elif separated and _national_valid(core):
        return True
    return count >= 8 and cued()


def phones(scan: Scan) -> Iterator[Span]:
    """Phone numbers; the key is the last ten digits, the same for national and +CC forms."""
    text = scan.text
    if _SEVEN_DIGITS.match(text) is None:
        return
    cue_words = _has_cue_word(scan)
    for m in _CANDIDATE.finditer(text):
        value = m.group(0).rstrip(" .-/")
        if value.count("(") != value.count(")") and not value.startswith("("):
            value = value.rstrip(")")
        after = m.start() + len(value)
        if not _SEVEN_DIGITS.match(value):
            continue
        if _CURRENCY_AFTER.match(text, after) or QUANTITY_AFTER.match(text, after):
            continue
        if _NAMED_OTHERWISE.search(text, max(0, m.start() - 30), m.start()):
            continue
        if _is_phone(value, partial(_cue_before, text, m.start(), cue_words)):
            key = digits(_EXTENSION_TAIL.sub("", value))
            yield Span(m.start(), m.start() + len(value), "PHONE", key[-10:])
