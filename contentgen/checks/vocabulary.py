"""Words as the vocabulary checks compare them: folded, with function and everyday copy words.

`example_words` and `off_topic` ask the same question of a word in copy: does it come from this
request, or from somewhere else? Both fold words the same way ("trails" -> "trail"), skip function
words, and treat everyday copy vocabulary as neutral: data/copy_vocabulary.txt, the words the
copywriting corpus's reference copy uses for products of at least 40% of its categories ("ready",
"perfect", "tough"; rebuilt by scripts/build_copy_vocabulary.py from the training split).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import fact_values, leaves, word_set

FUNCTION_WORDS = word_set(
    "a about above after again all also am an and any are as at be because been before being "
    "below between both but by can could did do does doing down during each few for from "
    "further had has have having he her here hers him his how i if in into is it its itself "
    "just me more most my no nor not now of off on once only or other our ours out over own "
    "same she should so some such than that the their theirs them then there these they this "
    "those through to too under until up very was we were what when where which while who whom "
    "why will with would you your yours yourself whatever whoever however every first second "
    "last next still even"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def fold(word: str) -> str:
    """A word in lower case without a possessive or a plural ending ("trails" -> "trail")."""
    w = word.lower().replace("’", "'").removesuffix("'s")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and re.search(r"(?:ss|x|z|ch|sh)es$", w):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def folded(text: str) -> list[str]:
    """The folded words of a text, in order (digits and punctuation dropped)."""
    return [fold(w) for w in _WORD.findall(text)]


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) for every word of a text."""
    return [(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def content(words: Iterable[str]) -> set[str]:
    """The words that carry meaning: three letters or more, not function words."""
    return {w for w in words if len(w) > 2 and w not in FUNCTION_WORDS}


@cache
def copy_vocabulary() -> frozenset[str]:
    """Everyday copy words (folded), from data/copy_vocabulary.txt."""
    path = resources.files("contentgen.checks").joinpath("data/copy_vocabulary.txt")
    lines = path.read_text("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def fact_words(item: EvalInput, *, prompt: bool = False) -> set[str]:
    """The folded words of the request's facts (keys too), tone, and with `prompt` its prompt."""
    facts: Mapping[str, Any] = fact_values(item)
    parts = [str(k).replace("_", " ") for k in _keys(facts)] + leaves(facts)
    tone = item.facts.get("tone")
    if isinstance(tone, str):
        parts.append(tone)
    if prompt:
        parts.append(item.prompt)
    return set(folded(" ".join(parts)))


def _keys(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [k for key, v in value.items() for k in [str(key), *_keys(v)]]
    if isinstance(value, list | tuple):
        return [k for v in value for k in _keys(v)]
    return []
