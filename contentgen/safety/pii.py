"""Personal-data redaction for customer-service text before it reaches a prompt, database or log.

Detected: emails, phone numbers (international and common UK/US/German formats), payment cards
(Luhn-checked, issuer prefix 2-6), IBANs (mod-97-checked), IPv4/IPv6 addresses and, conservatively,
UK postcodes, US street lines / state+ZIP and German street lines. Order ids, SKUs and prices are
left alone. Placeholders such as `[EMAIL_1]` are stable within one `PiiRedactor`; results carry
counts by kind, never the original values.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

KINDS: tuple[str, ...] = ("EMAIL", "PHONE", "CARD", "IBAN", "IP", "ADDRESS")
PLACEHOLDER = re.compile(r"\[(EMAIL|PHONE|CARD|IBAN|IP|ADDRESS)_(\d+)\]")

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)
_CARD = re.compile(r"(?<![\w#/.@-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\w@/-]|[.,]\d)")
_IBAN_START = re.compile(r"(?<![\w#/-])[A-Z]{2}\d{2}(?=[ ]?[A-Z0-9])", re.I)
# IBAN-shaped text (checksum failed or not) whose digit groups must not be read as cards/phones.
_IBAN_SHAPE = re.compile(
    r"(?<![\w-])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\w-])"
)
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26,
}  # fmt: skip
_EXTENSION = r"(?:\s?(?i:x|ext\.?)\s?\d{1,6})?"  # "555-0199x42", "555-0199 ext. 42"
_EXTENSION_TAIL = re.compile(r"\s?(?:x|ext\.?)\s?\d{1,6}$", re.I)
_PHONE_INTL = re.compile(
    rf"(?<![\w#/.+@-])(?:\+|00)[1-9][\d\s().\-/]{{6,22}}\d{_EXTENSION}(?![\w/@-]|[.,]\d)"
)
_PHONE_NATIONAL = re.compile(
    rf"(?<![\w#/.+@-])(?:\(0\d{{1,5}}\)|0\d{{1,5}})(?:[\s.\-/]?\d{{2,8}}){{1,4}}{_EXTENSION}"
    r"(?![\w/@-]|[.,]\d)"
)
_PHONE_US = re.compile(
    r"(?<![\w#/.+@-])(?:1[\s.-])?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-])\d{3}[\s.-]\d{4}"
    rf"{_EXTENSION}(?![\w/@-]|[.,]\d)"
)
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)"
)
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[\w.]+)?(?![\w:])")
_STREET_WORDS = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?"
    r"|Way|Place|Pl\.?|Terrace|Parkway|Pkwy\.?|Close|Crescent|Gardens|Grove|Square|Mews|Row|Walk|Hill"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM"
    "|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_UK_POSTCODE = r"(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
_ADDRESS_EN = re.compile(
    rf"(?<![\w#-])\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'-]+\.?\s+){{1,4}}(?:{_STREET_WORDS})(?![\w])"
    rf"(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|#)\.?\s*[\w-]{{1,6}})?"
    rf"(?:,\s*(?:[A-Z][A-Za-z'-]+\s?){{1,3}})?"
    rf"(?:,?\s*(?:(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?|{_UK_POSTCODE}))?(?![\w])"
)
_STATE_ZIP = re.compile(rf"(?<![\w-])(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?(?![\w-])")
_UK_POSTCODE_ALONE = re.compile(rf"(?<![\w-]){_UK_POSTCODE}(?![\w-])")
_ADDRESS_DE = re.compile(
    r"(?<![\w-])(?:[A-ZÄÖÜ][a-zäöüß]+(?:[ -][A-ZÄÖÜ][a-zäöüß]+)*"
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee)"
    r"|(?:[A-ZÄÖÜ][a-zäöüß]+(?:er|sche|scher)?\s)+(?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer))"
    r"\s+\d{1,4}(?:\s?[a-z]\b)?"
    r"(?:,?\s*(?:D-)?\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+(?:[ -][A-ZÄÖÜ][a-zäöüß]+)?)?(?![\w])"
)
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?!\d)")
# "M3 8GB" next to a laptop is a chip and its memory; as a whole value, after "postcode" or in a
# postcode field it is a postcode (so are two-letter areas: "EH8 2GB" is no laptop).
_STORAGE_UNITS = re.compile(r"[A-Z]\d ?\d[KMGT]B")
_POSTCODE_CUE = re.compile(r"(?:post\s?code|postal\s+code|address)\W{0,5}$", re.I)
_POSTCODE_FIELD = re.compile(r"post|zip|address|shipping|billing", re.I)
# A bare run of 10-15 digits is a phone number only where the text or field says so.
_PHONE_BARE = re.compile(r"(?<![\w#/.+@-])\+?\d{10,15}(?![\w/@-]|[.,]\d)")
_PHONE_CUE = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|call(?:\s+me)?|ring\s+me|text\s+me|reach\s+me|"
    r"whats\s?app|fax|contact\s+(?:me|number)|my\s+number|handy|telefon\w*|rufnummer)\b"
    r"(?:[^\n.!?]|\.(?!\s)){0,60}$",
    re.I,
)
_PHONE_FIELD = re.compile(r"phone|mobile|(?<![a-z])(?:tel|cell|fax|handy)(?![a-z])|contact", re.I)
_PRIORITY = {"EMAIL": 0, "IBAN": 1, "CARD": 2, "ADDRESS": 3, "IP": 4, "PHONE": 5}


@dataclass(frozen=True)
class Redaction:
    """The redacted text and how many values of each kind were replaced (never the originals)."""

    text: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        """How many values were replaced in all."""
        return sum(self.counts.values())

    @property
    def changed(self) -> bool:
        """True when anything was redacted."""
        return self.total > 0


@dataclass(frozen=True, order=True)
class _Span:
    start: int
    end: int
    kind: str
    key: str


def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn checksum used by payment cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """True when an IBAN (spaces allowed) has a valid length and ISO 13616 mod-97 checksum."""
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _ibans(text: str) -> Iterable[_Span]:
    for start in _IBAN_START.finditer(text):
        # Walk forward over characters and single spaces; try lengths longest first.
        chars: list[tuple[str, int]] = []
        i = start.start()
        while i < len(text) and len(chars) < 34:
            if text[i].isascii() and text[i].isalnum():
                chars.append((text[i].upper(), i + 1))
            elif not (text[i] == " " and i + 1 < len(text) and text[i + 1].isalnum()):
                break
            i += 1
        country = chars[0][0] + chars[1][0] if len(chars) > 1 else ""
        lengths = (
            [_IBAN_LENGTHS[country]] if country in _IBAN_LENGTHS else range(len(chars), 14, -1)
        )
        for length in lengths:
            if length > len(chars):
                continue
            end = chars[length - 1][1]
            if (end == len(text) or not text[end].isalnum()) and iban_ok(text[start.start() : end]):
                compact = "".join(c for c, _ in chars[:length])
                yield _Span(start.start(), end, "IBAN", compact)
                break


def _phone_cued(text: str, start: int, field: str | None) -> bool:
    if field is not None and _PHONE_FIELD.search(field):
        return True
    return _PHONE_CUE.search(text[max(0, start - 80) : start]) is not None


def _phones(text: str, field: str | None = None) -> Iterable[_Span]:
    for pattern, low, high in (
        (_PHONE_INTL, 8, 15),
        (_PHONE_NATIONAL, 10, 12),
        (_PHONE_US, 10, 11),
    ):
        for m in pattern.finditer(text):
            value = m.group(0).rstrip(" .-/")
            digits = re.sub(r"\D", "", _EXTENSION_TAIL.sub("", value))
            if value.startswith("00"):
                digits = digits[2:]
            if not low <= len(digits) <= high or re.search(r"\s{2,}|\n", value):
                continue
            if _DATE.match(value):
                continue
            if (
                pattern is _PHONE_NATIONAL
                and not re.search(r"[\s.\-/()]", value)
                and len(digits) < 11
                and not _phone_cued(text, m.start(), field)
            ):
                continue  # a bare 10-digit run with a leading zero is as likely an order number
            yield _Span(m.start(), m.start() + len(value), "PHONE", digits[-10:])
    for m in _PHONE_BARE.finditer(text):
        if _phone_cued(text, m.start(), field):
            yield _Span(m.start(), m.end(), "PHONE", m.group(0).lstrip("+")[-10:])


def _storage_size(text: str, match: re.Match[str], field: str | None) -> bool:
    """True when a postcode-shaped match reads as chip and memory ("M3 8GB"), not a postcode."""
    if not _STORAGE_UNITS.fullmatch(match.group(0)) or text.strip() == match.group(0):
        return False
    if field is not None and _POSTCODE_FIELD.search(field):
        return False
    return _POSTCODE_CUE.search(text[max(0, match.start() - 20) : match.start()]) is None


def _ips(text: str) -> Iterable[_Span]:
    for m in _IPV4.finditer(text):
        yield _Span(m.start(), m.end(), "IP", m.group(0))
    for m in _IPV6.finditer(text):
        candidate = m.group(0).split("%")[0]
        if sum(c.isalnum() for c in candidate) < 3:
            continue
        try:
            address = ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield _Span(m.start(), m.end(), "IP", address.compressed)


def find_pii(text: str, *, field: str | None = None) -> list[_Span]:
    """Non-overlapping personal-data spans in `text`, in order (longer, then priority, wins).

    `field` names where the text came from ("phone", "postcode"): context for bare numbers.
    """
    spans: list[_Span] = [
        _Span(m.start(), m.end(), "EMAIL", m.group(0).lower()) for m in _EMAIL.finditer(text)
    ]
    spans += _ibans(text)
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            spans.append(_Span(m.start(), m.end(), "CARD", digits))
    for pattern in (_ADDRESS_EN, _ADDRESS_DE, _STATE_ZIP, _UK_POSTCODE_ALONE):
        for m in pattern.finditer(text):
            if pattern is _UK_POSTCODE_ALONE and _storage_size(text, m, field):
                continue
            key = " ".join(m.group(0).lower().split())
            spans.append(_Span(m.start(), m.end(), "ADDRESS", key))
    spans += _ips(text)
    spans += _phones(text, field)
    shapes = [(m.start(), m.end()) for m in _IBAN_SHAPE.finditer(text)]
    spans = [
        s for s in spans
        if s.kind not in ("CARD", "PHONE") or not any(s.start < e and s.end > b for b, e in shapes)
    ]  # fmt: skip
    # Longest span first, then by kind priority; drop anything overlapping an accepted span.
    spans.sort(key=lambda s: (-(s.end - s.start), _PRIORITY[s.kind], s.start))
    accepted: list[_Span] = []
    for span in spans:
        if all(span.end <= a.start or span.start >= a.end for a in accepted):
            accepted.append(span)
    return sorted(accepted)


def kinds_found(text: str) -> dict[str, int]:
    """How many personal-data values of each kind `text` contains (for checks, not redaction)."""
    counts: dict[str, int] = {}
    for span in find_pii(text):
        counts[span.kind] = counts.get(span.kind, 0) + 1
    return counts


class PiiRedactor:
    """Redacts several texts with one numbering, so a value gets the same placeholder everywhere."""

    def __init__(self) -> None:
        self._placeholders: dict[tuple[str, str], str] = {}
        self._next: dict[str, int] = {}
        self._counts: dict[str, int] = {}

    @property
    def counts(self) -> Mapping[str, int]:
        """Replacements made so far, by kind."""
        return MappingProxyType(dict(self._counts))

    def _placeholder(self, kind: str, key: str) -> str:
        found = self._placeholders.get((kind, key))
        if found is None:
            self._next[kind] = self._next.get(kind, 0) + 1
            found = self._placeholders[(kind, key)] = f"[{kind}_{self._next[kind]}]"
        return found

    def redact(self, text: str, *, field: str | None = None) -> Redaction:
        """Replace personal data in `text` (from `field`, if known) with placeholders."""
        counts: dict[str, int] = {}
        parts: list[str] = []
        last = 0
        for span in find_pii(text, field=field):
            parts.append(text[last : span.start])
            parts.append(self._placeholder(span.kind, span.key))
            counts[span.kind] = counts.get(span.kind, 0) + 1
            self._counts[span.kind] = self._counts.get(span.kind, 0) + 1
            last = span.end
        parts.append(text[last:])
        return Redaction(text="".join(parts), counts=MappingProxyType(counts))

    def redact_mapping(self, values: Any, field: str | None = None) -> Any:
        """A copy of nested dicts/lists/tuples with every string value redacted (keys are kept).

        A value is redacted knowing its key ({"phone": "0301234567"} is a phone number).
        """
        if isinstance(values, str):
            return self.redact(values, field=field).text
        if isinstance(values, Mapping):
            return {
                k: self.redact_mapping(v, k if isinstance(k, str) else field)
                for k, v in values.items()
            }
        if isinstance(values, list | tuple):
            items = [self.redact_mapping(v, field) for v in values]
            return items if isinstance(values, list) else tuple(items)
        return values


def redact(text: str) -> Redaction:
    """Redact one text on its own numbering."""
    return PiiRedactor().redact(text)


def redact_text(text: str) -> str:
    """The redacted text only."""
    return PiiRedactor().redact(text).text


def redact_mapping(values: Any, redactor: PiiRedactor | None = None) -> Any:
    """Redact every string inside nested request context; pass a redactor to share numbering."""
    return (redactor or PiiRedactor()).redact_mapping(values)


class PiiLogFilter(logging.Filter):
    """A logging filter that redacts personal data from messages, arguments and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as is rather than lost
            return True
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def install_log_redaction(
    *targets: logging.Logger | logging.Handler | str,
) -> PiiLogFilter:
    """Attach one PiiLogFilter to handlers/loggers (default: root handlers and 'contentgen').

    A filter on a logger only sees records logged on that very logger, so the default also adds it
    to every handler of the root logger, which sees records propagated from 'contentgen.*'.
    """
    log_filter = PiiLogFilter()
    chosen = list(targets) or ["contentgen", *logging.getLogger().handlers]
    for target in chosen:
        resolved = logging.getLogger(target) if isinstance(target, str) else target
        if not any(isinstance(f, PiiLogFilter) for f in resolved.filters):
            resolved.addFilter(log_filter)
        if isinstance(resolved, logging.Logger) and not targets:
            for handler in resolved.handlers:
                if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
                    handler.addFilter(log_filter)
    return log_filter
