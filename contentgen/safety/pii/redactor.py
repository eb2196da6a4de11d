"""Finding every personal-data span in a text, and replacing them with stable placeholders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from contentgen.safety.pii.addresses import addresses
from contentgen.safety.pii.fields import field_kind
from contentgen.safety.pii.keyed import keyed_values
from contentgen.safety.pii.national_ids import national_ids
from contentgen.safety.pii.online import emails, ip_addresses
from contentgen.safety.pii.payment import IBAN_SHAPE, cards, ibans
from contentgen.safety.pii.phones import phones
from contentgen.safety.pii.spans import PRIORITY, Scan, Span, value_key


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


def _whole(text: str, kind: str) -> list[Span]:
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return [Span(start, end, kind, value_key(kind, text))] if end > start else []


def _resolve(spans: Iterable[Span]) -> list[Span]:
    """Longest span first, then by kind priority; drop anything overlapping an accepted span."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), PRIORITY[s.kind], s.start))
    accepted: list[Span] = []
    for span in ordered:
        if all(span.end <= a.start or span.start >= a.end for a in accepted):
            accepted.append(span)
    return sorted(accepted)


def find_pii(text: str, *, field: str | None = None) -> list[Span]:
    """Non-overlapping personal-data spans in `text`, in order (longer, then priority, wins).

    `field` names where the text came from: a field whose name says it holds personal data
    (`fields.field_kind`, e.g. "shipping_address", "telefono") is one span as a whole.
    """
    kind = field_kind(field) if field else None
    if kind is not None:
        return _whole(text, kind)
    scan = Scan.of(text)
    spans: list[Span] = [*emails(text), *ibans(text), *keyed_values(text)]
    numbered = [*cards(text), *national_ids(scan), *phones(scan)]
    if numbered:
        shapes = [(m.start(), m.end()) for m in IBAN_SHAPE.finditer(text)]
        # The digit groups of an IBAN-shaped text (valid or not) are no card, ID or phone.
        spans += [s for s in numbered if not any(s.start < e and s.end > b for b, e in shapes)]
    spans += addresses(scan)
    spans += ip_addresses(text)
    return _resolve(spans)


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
        """A copy of nested dicts/lists/tuples with personal data redacted (keys are kept).

        A value is redacted knowing its key: under a key that names personal data
        ({"shipping_address": ...}, {"telefono": 612345678}) every string and number is replaced
        as a whole, nested values included; elsewhere strings are searched for personal data.
        """
        if isinstance(values, str):
            return self.redact(values, field=field).text
        if isinstance(values, Mapping):
            return {
                k: self.redact_mapping(v, k if isinstance(k, str) and field_kind(k) else field)
                for k, v in values.items()
            }
        if isinstance(values, list | tuple):
            items = [self.redact_mapping(v, field) for v in values]
            return items if isinstance(values, list) else tuple(items)
        numeric = isinstance(values, int | float) and not isinstance(values, bool)
        if numeric and field and field_kind(field) is not None:
            return self.redact(str(values), field=field).text
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
