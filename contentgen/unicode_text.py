"""Text that can be stored and written: lone surrogates are refused where text enters contentgen.

Python strings may hold lone surrogates (U+D800-U+DFFF): undecodable argv bytes become them, and so
do JSON escapes such as "\\ud800". No UTF-8 encoder accepts them, so one reaching the database, a
file or the terminal fails far from its cause. Every boundary (requests, ratings, the command line,
batch rows) checks here and reports the field and position instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from contentgen.errors import ValidationError

_SURROGATE = re.compile("[\ud800-\udfff]")
_NESTING_LIMIT = 20


def surrogate_position(text: str) -> int | None:
    """Index of the first lone surrogate in `text`, or None when it encodes as UTF-8."""
    found = _SURROGATE.search(text)
    return found.start() if found else None


def require_unicode(value: Any, field: str, _depth: int = 0) -> None:
    """Raise a ValidationError naming `field` when `value` (or any text inside it) has a surrogate."""
    if isinstance(value, str):
        position = surrogate_position(value)
        if position is not None:
            raise ValidationError(
                field,
                f"holds {ascii(value[position])} at position {position}, which is not valid "
                "Unicode text (undecodable bytes or a lone surrogate escape); pass UTF-8 text",
            )
    elif _depth < _NESTING_LIMIT and isinstance(value, Mapping):
        for key, item in value.items():
            require_unicode(key, f"{field} key", _depth + 1)
            require_unicode(item, f"{field}.{key}", _depth + 1)
    elif _depth < _NESTING_LIMIT and isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            require_unicode(item, f"{field}[{index}]", _depth + 1)
