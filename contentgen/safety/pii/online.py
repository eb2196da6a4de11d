"""Email addresses (internationalised too) and IPv4/IPv6 addresses in free text."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from contentgen.safety.pii.spans import Span

# Letters of Latin, Greek and Cyrillic scripts: "müller@", "josé@", "δοκιμή@" are addresses; CJK
# is left out of the local part because Japanese and Chinese text runs words together
# ("メールはtanaka@...") and the address starts where the Latin letters do.
_LOCAL_CHAR = r"[A-Za-z0-9_%+'\-\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u03FF\u0400-\u04FF]"
_LABEL_CHAR = (
    r"[A-Za-z0-9\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u04FF\u3040-\u30FF\u4E00-\u9FFF]"
)
_LABEL = rf"{_LABEL_CHAR}(?:(?:{_LABEL_CHAR}|-){{0,61}}{_LABEL_CHAR})?"
_TLD = r"(?:[A-Za-z]{2,24}(?![A-Za-z0-9-])|xn--[a-z0-9-]{2,59}|[\u0400-\u04FF]{2,12}|[\u4E00-\u9FFF]{2,4})"
EMAIL = re.compile(
    rf"(?<![\w.+'%-]){_LOCAL_CHAR}(?:{_LOCAL_CHAR}|\.(?!\.)){{0,63}}(?<!\.)[@＠]"
    rf"(?:{_LABEL}\.)+{_TLD}"
)
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![\w]|\.\d)"
)
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[\w.]+)?(?![\w:])")
# "version 1.2.3.4", "firmware v10.0.0.1": four numbers after a version word are not an address.
_VERSION_CUE = re.compile(
    r"(?:\bversion|\bver\.?|\bv|\bbuild|\bfirmware|\bfw|\brelease)\s*[:#]?\s*$", re.I
)


def emails(text: str) -> Iterator[Span]:
    """Email addresses; the key is the address in lower case with a plain '@'."""
    if "@" not in text and "＠" not in text:
        return
    for m in EMAIL.finditer(text):
        yield Span(m.start(), m.end(), "EMAIL", m.group(0).replace("＠", "@").casefold())


def ip_addresses(text: str) -> Iterator[Span]:
    """IPv4 and IPv6 addresses, except loopback and unspecified ones and version numbers."""
    if "." in text:
        for m in _IPV4.finditer(text):
            if m.group(0).startswith(("127.", "0.0.0.0")):
                continue  # this machine, not a person: "serving on http://127.0.0.1:8000"
            if not _VERSION_CUE.search(text, max(0, m.start() - 12), m.start()):
                yield Span(m.start(), m.end(), "IP", m.group(0))
    if text.count(":") >= 2:
        for m in _IPV6.finditer(text):
            candidate = m.group(0).split("%")[0]
            if sum(c.isalnum() for c in candidate) < 3:
                continue
            try:
                address = ipaddress.IPv6Address(candidate)
            except ValueError:
                continue
            if address.is_loopback or address.is_unspecified:
                continue
            yield Span(m.start(), m.end(), "IP", address.compressed)
