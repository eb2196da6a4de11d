"""A word-level diff of an edited final text against the generated original (difflib)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

_TOKEN = re.compile(r"\s+|[^\s]+")

Op = Literal["same", "del", "ins"]


@dataclass(frozen=True)
class DiffPart:
    """A run of text that both share ("same"), that the edit removed ("del") or added ("ins")."""

    op: Op
    text: str


def word_diff(original: str, edited: str) -> list[DiffPart]:
    """The parts that turn `original` into `edited`, word by word (whitespace kept)."""
    a, b = _TOKEN.findall(original), _TOKEN.findall(edited)
    parts: list[DiffPart] = []
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _add(parts, "same", "".join(a[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            _add(parts, "del", "".join(a[i1:i2]))
        if tag in ("insert", "replace"):
            _add(parts, "ins", "".join(b[j1:j2]))
    return parts


def _add(parts: list[DiffPart], op: Op, text: str) -> None:
    if not text:
        return
    if parts and parts[-1].op == op:
        parts[-1] = DiffPart(op, parts[-1].text + text)
    else:
        parts.append(DiffPart(op, text))
