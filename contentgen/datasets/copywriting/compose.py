"""Choosing phrasings that fit: fill templates, keep those within a length, pick one by seed."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence

from contentgen.datasets.copywriting.grammar import title_case
from contentgen.datasets.copywriting.slots import fill

_KEEP = ("name", "brand")  # spelt exactly as in the facts, never re-cased


def filled(templates: Iterable[str], slots: Mapping[str, str]) -> list[str]:
    """Every template whose slots the brief has, filled."""
    out = [fill(t, slots) for t in templates]
    return [text for text in out if text]


def headline(template: str, slots: Mapping[str, str]) -> str | None:
    """A Title Case headline; the product and brand names keep their own spelling."""
    marks = {key: f"\x00{i}\x00" for i, key in enumerate(_KEEP)}
    text = fill(template, {**slots, **marks})
    if text is None:
        return None
    text = title_case(text)
    for key, mark in marks.items():
        text = text.replace(mark, slots[key])
    return text


def pick(
    rng: random.Random, candidates: Sequence[str], *, limit: int, minimum: int = 1
) -> str | None:
    """A random candidate of `minimum`..`limit` characters, or None when none fits."""
    fitting = [c for c in candidates if minimum <= len(c) <= limit]
    return rng.choice(fitting) if fitting else None


def one(rng: random.Random, templates: Sequence[str], slots: Mapping[str, str]) -> str | None:
    """One filled template chosen at random among those the brief can fill."""
    options = filled(templates, slots)
    return rng.choice(options) if options else None


def pack(parts: Sequence[str | None], limit: int, *, required: int = 1) -> str:
    """Join parts with spaces, dropping optional ones from the end until the text fits.

    The first `required` parts are always kept; the last part (the call to action or the
    hashtags) is kept when it fits, dropping the optional middle parts first.
    """
    kept = list(dict.fromkeys(p for p in parts if p))  # a sentence is never said twice
    text = " ".join(kept)
    while len(text) > limit and len(kept) > required + 1:
        del kept[-2]
        text = " ".join(kept)
    while len(text) > limit and len(kept) > required:
        kept.pop()
        text = " ".join(kept)
    return text
