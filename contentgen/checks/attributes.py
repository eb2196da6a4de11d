"""Attributes: copy that gives the product a material or a colour its facts contradict.

Materials (contentgen.checks.materials): when the facts name at least one material anywhere
(material, features, certifications), every material the copy names must be one of them, or a
class one of them belongs to ("wooden" for oak, "fabric" for linen): "made of the finest wool"
for an organic cotton percale duvet cover is `material_conflict`. Colours
(contentgen.checks.colours): when the facts list colours (a key with "colour" or "color" in it)
and every one of them is a known colour, a colour the copy gives the product ("in lilac", "this
lilac glow", "a pink suitcase"; not "pages stay white") must be one a reader could call one of
them: "this lilac glow" for terracotta, white and smoked grey is `colour_conflict`. A colour of two
or more words cut to its first ("Dotted Notebooks in Forest" for forest green) is `cut_colour`,
whose `fix` is the whole colour in the copy's case ("Forest Green"), which the engine applies.
Words of the product's name ("Sage Tote", "Granite Hiking Boot") and words the facts use
anywhere else ("white LED") are never held against it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.colours import COLOUR_IDIOMS, COPY_COLOUR_WORDS, compatible, resolve
from contentgen.checks.detector import Detector, leaves, product_facts, text_fields, word_set
from contentgen.checks.grounding import product_names
from contentgen.checks.materials import conflicts, mentions
from contentgen.checks.problems import Problem
from contentgen.checks.vocabulary import fold, folded
from contentgen.types import Task

_COLOUR_KEY = re.compile(r"colou?r", re.IGNORECASE)
_COLOUR_WORD = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(COPY_COLOUR_WORDS, key=len, reverse=True)) + r")(?![\w])",
    re.IGNORECASE,
)
_CONTEXT = 25  # characters of copy kept before a conflicting word as evidence
# A colour is claimed for the product after "in" ("in bright red") or before one of its parts,
# its name or type words, or a word for colour ("this lilac glow", "a pink suitcase").
_IN_COLOUR = re.compile(r"\b(?:in|comes in|available in)(?: [^\W\d_]+){0,2}[\s-]*$", re.I)
_COLOUR_NOUNS = word_set(
    "colour color shade hue tone finish glow light fabric shell frame body case cover top upper "
    "lining strap handle base lid edition version one"
)


def fact_colours(facts: Mapping[str, Any]) -> list[str]:
    """The colour values of the facts: every value under a key that names a colour."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = list(facts.items())
    while stack:
        key, value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend((str(k), v) for k, v in value.items())
        elif _COLOUR_KEY.search(key):
            found += [v for v in leaves(value) if v.strip()]
    return found


def _kind_values(product: Mapping[str, Any]) -> list[str]:
    """The product's type and category values (what "a pink suitcase" names)."""
    return [str(product[k]) for k in ("product_type", "type", "category") if k in product]


def _without_names(text: str, names: list[str]) -> str:
    """The text with the product's names blanked out (same length, so offsets hold)."""
    for name in names:
        text = re.sub(re.escape(name), lambda m: " " * len(m.group()), text, flags=re.IGNORECASE)
    return text


class AttributeCheck(Detector):
    """Gate 'attributes': materials and colours in copy that the facts contradict."""

    name = "attributes"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every conflicting material and colour word, per field."""
        product = product_facts(item)
        if not product:
            return []
        fact_text = "\n".join(leaves(product))
        fact_materials = list(mentions(fact_text))
        with_materials = [leaf for leaf in leaves(product) if any(mentions(leaf))]
        colours = fact_colours(product)
        values = [resolve(c) for c in colours]
        known = [v for v in values if v is not None]
        colour_check = bool(known) and len(known) == len(values)
        names = product_names(item.facts)
        nouns = set(folded(" ".join([*names, *_kind_values(product)])))
        materials = "; ".join(dict.fromkeys(with_materials))
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            text = _without_names(value, names)
            for mention in conflicts(mentions(text), fact_materials):
                found.append(
                    self._problem(
                        "material_conflict", field, value, mention.start, mention.end, materials
                    )
                )
            found += [
                self.problem("cut_colour", field, m.group(1), limit=colour, start=m.start(1),
                             end=m.end(1), fix=_as_cased(colour, m.group(1)))
                for colour, m in _cut_colours(text, colours)
            ]  # fmt: skip
            if colour_check:
                for start, end in _colour_conflicts(text, fact_text.lower(), known, nouns):
                    found.append(
                        self._problem(
                            "colour_conflict", field, value, start, end, ", ".join(colours)
                        )
                    )
        return found

    def _problem(
        self, kind: str, field: str, value: str, start: int, end: int, facts: str
    ) -> Problem:
        return self.problem(
            kind, field, value[max(0, start - _CONTEXT) : end], limit=facts, start=start, end=end
        )


def _cut_colours(text: str, colours: list[str]) -> list[tuple[str, re.Match[str]]]:
    """(colour, match) where "in" names only the first words of a colour of two or more words
    ("Dotted Notebooks in Forest" for forest green, "in midnight" for midnight blue)."""
    found = []
    for colour in colours:
        words = colour.split()
        for n in range(1, len(words)):
            head = r"\s+".join(map(re.escape, words[:n]))
            rest = re.escape(words[n])
            pattern = rf"\bin\s+({head})\b(?![\s-]+{rest}\b)(?!-)"
            found += [(colour, m) for m in re.finditer(pattern, text, re.I)]
    return found


def _as_cased(colour: str, said: str) -> str:
    """The whole colour in the case the copy used for its first words ("Forest" -> "Forest
    Green", "forest" -> "forest green")."""
    return colour.title() if said[:1].isupper() and not colour[:1].isupper() else colour


def _colour_conflicts(
    text: str, facts: str, known: list[tuple[float, float, float]], nouns: set[str]
) -> list[tuple[int, int]]:
    """Spans of colour words `text` claims for the product that no fact colour could be called."""
    idioms = [m.span() for m in COLOUR_IDIOMS.finditer(text)]
    found = []
    for m in _COLOUR_WORD.finditer(text):
        word = m.group(1).lower()
        if re.search(rf"\b{word}\b", facts) or any(s <= m.start() < e for s, e in idioms):
            continue  # a colour the facts use elsewhere ("white LED"), or a set phrase
        if not _colour_claim(text, m.start(), m.end(), nouns):
            continue  # "pages stay white", "notes will not yellow": not the product's colour
        colour = resolve(word)
        if colour is not None and not any(compatible(colour, k) for k in known):
            found.append(m.span())
    return found


def _colour_claim(text: str, start: int, end: int, nouns: set[str]) -> bool:
    """Whether the colour word at start:end is said of the product: "in red", "a red shell"."""
    if _IN_COLOUR.search(text[max(0, start - 40) : start]):
        return True
    following = [fold(w) for w in re.findall(r"[^\W\d_]+", text[end : end + 40])[:2]]
    return any(w in nouns or w in _COLOUR_NOUNS for w in following)
