"""Agreement: a product whose name is plural is "they", not "it" (rubric L1, a proofreader's mark).

Marketing copy only. One kind of Problem, `it_for_plural`: the product's name is plural (the
"Barker Cadence Wireless Earbuds", the "Solia Meadow Pruning Shears"; its kind when the brief
gives no name) and the copy calls it "it" where only the product can be meant: a sentence that starts "It has", "It is",
"It costs" ... ("It has soft silicone tips"), an imperative's object ("Discover it."), and a
benefit clause after ", so" ("They are CE marked, so it meets European safety requirements").
Each record carries its correction (`fix`: "They have", "Discover them", ", so they meet"), which
the engine applies instead of drawing the copy again; `agreed` makes the same edit for writers of
copy. Of all 1,680 blind-graded outputs it marks 26: 24 unusable, 2 light edit, none publishable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from contentgen.checks.articles import is_plural
from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, product_facts, text_fields
from contentgen.checks.problems import Problem
from contentgen.types import Task

# The verbs copy says of a product, third person singular -> plural.
_PLURAL_VERBS: dict[str, str] = {
    "has": "have", "is": "are", "comes": "come", "costs": "cost", "keeps": "keep",
    "stays": "stay", "fits": "fit", "works": "work", "meets": "meet", "feels": "feel",
    "sits": "sit", "offers": "offer", "brings": "bring", "makes": "make", "lets": "let",
}  # fmt: skip
_VERB = "|".join(_PLURAL_VERBS)
_IMPERATIVES = "discover|order|get|grab|explore|find|try|meet|see|pick up|treat yourself to"
_IT_FOR_PLURAL = re.compile(
    rf"(?:(?:^|(?<=[.!?] )|(?<=\n))(?P<start>It) (?P<verb>{_VERB})\b"
    rf"|\b(?P<imperative>{_IMPERATIVES}) (?P<object>it)\b(?=\s*[.!?,]|\s+(?:today|now|online)\b)"
    rf"|, so (?P<clause>it) (?P<clause_verb>{_VERB})\b)",
    re.I,
)


class AgreementCheck(Detector):
    """Gate 'agreement': "it" for a product whose name is plural."""

    name = "agreement"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every "it" that stands for a plural product, per field, each with its correction."""
        product = product_facts(item)
        if not plural_product(product):
            return []
        name = str(product.get("name") or "")
        return [
            self.problem("it_for_plural", field, m.group(0), start=m.start(), end=m.end(), fix=fix)
            for field, value in text_fields(item).items()
            for m, fix in _slips(value, name)
        ]


def plural_product(product: Mapping[str, Any]) -> bool:
    """Whether the product is named in the plural: its name ("Cadence Wireless Earbuds", though
    the kind is "a pair of true wireless earbuds"), else its kind."""
    named = str(product.get("name") or product.get("product_type") or "").strip().lower()
    return bool(named) and is_plural(named)


def _slips(text: str, name: str) -> Iterator[tuple[re.Match[str], str]]:
    """Each "it" for the product with its plural correction."""
    own = {w.lower() for w in re.findall(r"[^\W\d_]+", name)}
    for m in _IT_FOR_PLURAL.finditer(text):
        if m.group("start") and _follows_another_subject(text[: m.start()], own):
            continue  # "The case is small. It fits a pocket.": "it" is the case
        if m.group("start"):
            verb = m.group("verb")
            yield m, f"They {_plural(verb)}"
        elif m.group("object"):
            yield m, f"{m.group('imperative')} them"
        else:
            yield m, f", so they {_plural(m.group('clause_verb'))}"


def _follows_another_subject(before: str, own: set[str]) -> bool:
    """Whether the sentence before starts with a thing other than the product ("The case ...")."""
    sentences = [x for x in re.split(r"(?<=[.!?])\s+|\n", before.strip()) if x.strip()]
    if not sentences:
        return False
    subject = re.match(r"(?:The|Its|This|Each|Every)\s+([^\W\d_]+)", sentences[-1].strip())
    return subject is not None and subject.group(1).lower() not in own


def _plural(verb: str) -> str:
    plural = _PLURAL_VERBS[verb.lower()]
    return plural.capitalize() if verb[:1].isupper() else plural


def agreed(text: str, product: Mapping[str, Any]) -> str:
    """`text` with each "it" for a plural product corrected, as the engine's edit makes it."""
    if not plural_product(product):
        return text
    for m, fix in reversed(list(_slips(text, str(product.get("name") or "")))):
        text = text[: m.start()] + fix + text[m.end() :]
    return text
