"""Values written next to a personal-data field name inside text: JSON, reprs, logs, forms.

`{'shipping_address': 'Storgatan 12'}` logged as text, `phone=0873904525` in a log line, and a
form-like line "Date of birth: 12/03/1985" are redacted as a whole, like the same value in a
request's context, whatever the value looks like.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from contentgen.safety.pii.fields import field_kind
from contentgen.safety.pii.spans import Span, value_key

# 'key': 'value' / "key": "value" / 'key': 123 (JSON, Python reprs), anywhere.
_QUOTED = re.compile(
    r"""(?P<q>["'])(?P<key>[^\W\d][\w .-]{0,60}?)(?P=q)\s*:\s*"""
    r"""(?:(?P<vq>["'])(?P<value>(?:\\.|(?!(?P=vq))[^\\\n]){1,500})(?P=vq)"""
    r"""|(?P<number>[+]?\d[\d .()/-]{0,30}\d))"""
)
# key=value (log lines, query strings, keyword arguments), anywhere.
_ASSIGNED = re.compile(r"(?<![\w.])(?P<key>[^\W\d][\w-]{0,40})=(?P<value>[^\s,;&)}\]]{1,200})")
# "Date of birth: 12/03/1985" at the start of a line or after a separator (forms, signatures).
_LABELLED = re.compile(
    r"(?:^|(?<=[\n;{(\[|]))[ \t]*(?P<key>[^\W\d][\w-]*(?:[ \t][\w-]+){0,3})[ \t]*:[ \t]*"
    r"(?P<value>[^\n;|]{1,200}?)(?=[ \t]*(?:[\n;|]|$|\.(?:\s|$)))",
    re.M,
)


def _spans(pattern: re.Pattern[str], text: str) -> Iterator[Span]:
    for m in pattern.finditer(text):
        kind = field_kind(m.group("key"))
        if kind is None:
            continue
        group = "number" if "number" in pattern.groupindex and m.group("number") else "value"
        value = m.group(group)
        if value and value.strip():
            yield Span(m.start(group), m.end(group), kind, value_key(kind, value))


def keyed_values(text: str) -> Iterator[Span]:
    """Values whose key, written next to them in the text, names personal data."""
    if "'" in text or '"' in text:
        yield from _spans(_QUOTED, text)
    if "=" in text:
        yield from _spans(_ASSIGNED, text)
    if ":" in text:
        yield from _spans(_LABELLED, text)
