"""Payment data: Luhn-checked card numbers and mod-97-checked IBANs, however they are grouped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban as _iban
from stdnum import luhn as _luhn

from contentgen.safety.pii.spans import Span, digits

# Groups split by spaces, dots, dashes or slashes ("4111.1111.1111.1111"), or none at all.
_CARD = re.compile(r"(?<![\w#/.@-])[2-6]\d{3}(?:[ .\-/]?\d){9,15}(?![\w@/-]|[.,]\d)")
_IBAN_START = re.compile(r"(?<![\w#/-])[A-Z]{2}\d{2}(?=[ .-]?[A-Z0-9])", re.I)
# IBAN-shaped text (checksum failed or not) whose digit groups must not be read as cards/phones.
IBAN_SHAPE = re.compile(
    r"(?<![\w-])[A-Z]{2}\d{2}(?:[ .-]?[A-Z0-9]{4}){2,7}(?:[ .-]?[A-Z0-9]{1,4})?(?![\w-])"
)
_SEPARATORS = " .-"
# IBAN length by country (ISO 13616 registry): one length to try instead of twenty.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21,
    "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26,
    "IT": 27, "KW": 30, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "ME": 22, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19,
    "SK": 24, "SM": 27, "TR": 26, "UA": 29,
}  # fmt: skip


def luhn_ok(number: str) -> bool:
    """True when a digit string passes the Luhn checksum used by payment cards."""
    return number.isdigit() and _luhn.is_valid(number)


def iban_ok(number: str) -> bool:
    """True when an IBAN (separators allowed) has its country's length and BBAN structure and a
    valid ISO 13616 mod-97 checksum."""
    try:
        _iban.validate(number, check_country=False)
    except Exception:  # stdnum raises ValidationError subclasses, and KeyError for odd input
        return False
    return True


def cards(text: str) -> Iterator[Span]:
    """Card numbers of 14-19 digits with an issuer prefix 2-6 that pass the Luhn check.

    Thirteen digits are left out: old 13-digit Visa numbers are gone, EAN-13 barcodes are not.
    """
    for m in _CARD.finditer(text):
        number = digits(m.group(0))
        if 14 <= len(number) <= 19 and luhn_ok(number):
            yield Span(m.start(), m.end(), "CARD", number)


def ibans(text: str) -> Iterator[Span]:
    """IBANs written compact or in groups split by spaces, dashes or dots; the longest valid wins."""
    for start in _IBAN_START.finditer(text):
        chars: list[tuple[str, int]] = []  # (character, end offset) of each IBAN character
        i = start.start()
        while i < len(text) and len(chars) < 34:
            ch = text[i]
            if ch.isascii() and ch.isalnum():
                chars.append((ch.upper(), i + 1))
            elif not (ch in _SEPARATORS and i + 1 < len(text) and text[i + 1].isalnum()):
                break
            i += 1
        compact = "".join(c for c, _ in chars)
        known = _IBAN_LENGTHS.get(compact[:2])
        for length in [known] if known else range(len(chars), 11, -1):
            if length > len(chars):
                break
            end = chars[length - 1][1]
            if (end == len(text) or not text[end].isalnum()) and iban_ok(compact[:length]):
                yield Span(start.start(), end, "IBAN", compact[:length])
                break
