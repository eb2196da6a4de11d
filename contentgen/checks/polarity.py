"""Polarity: copy that turns a fact's "free of", "without", "no" or "not" around, or drops a minus.

Negated facts are read from the product facts: "PFAS-free", "free of/from X", "without X",
"no X", "not X", "non-X", "X: no" / "X: false", "x_free: true". Copy contradicts one when it
mentions X with no negation nearby ("made with PFAS", "contains BPA", "slippery" for a non-slip
sole): a negation is one of NEGATIONS in the three words before, or "-free"/"-less" right after.
A signed number written without its sign ("25 °C" for a fact of "-25 °C") is `sign_dropped`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, fact_values, product_facts, text_fields, word_set
from contentgen.checks.fact_numbers import NAME_KEYS, FactIndex
from contentgen.checks.grounding import product_names
from contentgen.checks.number_claims import number_claims
from contentgen.checks.problems import Problem
from contentgen.types import Task

NEGATIONS = word_set(
    "no not without zero never nor non free lacks lacking absent none 0 isn't aren't doesn't "
    "don't won't can't cannot minus than instead"
)
# "without batteries" is contradicted by "batteries included", not by "needs 4 AA batteries".
_POSITIVE = re.compile(
    r"(?:\b(?:with|includes?|including|contains?|containing|made (?:with|from)|full of"
    r"|packed with|comes with|added|plus|has)\s+(?:\w+\s+){0,2})$"
)
_POSITIVE_AFTER = re.compile(r"\s(?:included|inside|added|built[ -]in)\b")
_TERM = r"([a-z0-9][a-z0-9]*(?: [a-z][a-z0-9]*){0,2})"  # up to three words, trimmed below
_SKIP = {"a", "an", "the", "any", "added"}
# (strength, pattern, case-sensitive)
_FACT_PATTERNS = (
    ("strict", re.compile(r"\b([a-z0-9]+)-free\b"), False),  # PFAS-free, BPA-free
    ("strict", re.compile(r"\b([A-Z]{2,}) free\b"), True),  # "BPA free"; a bare "free" is a price
    ("strict", re.compile(r"\bfree (?:of|from) (?:any |all )?" + _TERM), False),
    ("strict", re.compile(r"\bnot (?:an? )?" + _TERM), False),
    ("positive", re.compile(r"\bwithout (?:any |an? |the )?" + _TERM), False),
    ("positive", re.compile(r"\b(?:no|zero) (?:an? |any )?" + _TERM), False),
    ("non", re.compile(r"\bnon-?([a-z]{4,})\b"), False),
)
_NO_VALUES = frozenset({"no", "none", "false", "not included", "n/a", "0"})
_STOP_TAIL = word_set(
    "and or but with for in on at to of is are was be it this that under over from by as than"
)
# Words that say nothing about the product when negated ("batteries not included" is about the
# batteries; "everything included" in copy contradicts nothing).
_WEAK = word_set(
    "included required needed necessary available only just even too so more less much many all "
    "one longer problem problems worries worry time fuss hassle"
)
_PARTICLES = frozenset(["on", "into", "off", "in", "out", "away", "through", "past"])


def negated_terms(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(term, strength) for every negated fact: "PFAS-free" gives ("pfas", "strict").

    Strength "strict" ("-free", "free of", "not X"): any plain mention contradicts the fact;
    "non" ("non-slip"): so do "slippery" and "slippy"; "positive" ("without", "no"): only a
    mention that asserts the thing ("with X", "X included") does.
    """
    found: list[tuple[str, str]] = []
    for key, value in _items(facts):
        if key.lower() in NAME_KEYS:
            continue  # "Forget-Me-Not Vase" and "Cooking Without Gas" are names, not claims
        words = key.lower().replace("_", " ").replace("-", " ").strip()
        if isinstance(value, bool) or str(value).strip().lower() in _NO_VALUES:
            if words.endswith(" free") and value is True:
                found.append((words.removesuffix(" free"), "strict"))
            elif value is False or str(value).strip().lower() in _NO_VALUES:
                found.append((words, "strict"))
        if isinstance(value, str):
            for strength, pattern, case in _FACT_PATTERNS:
                for m in pattern.finditer(value if case else value.lower()):
                    term = _trim(m.group(1).lower())
                    if term:
                        found.append((term, strength))
    return list(dict.fromkeys(found))


def _items(facts: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    stack: list[tuple[str, Any]] = list(facts.items())
    while stack:
        key, value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend((str(k), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((key, v) for v in value)
        else:
            yield str(key), value


def _trim(term: str) -> str:
    words = [w for w in term.split() if w not in _SKIP]
    while words and words[-1] in _STOP_TAIL:
        words.pop()
    term = " ".join(words)
    return term if len(term) >= 3 and term not in _WEAK else ""


def _forms(term: str, strength: str) -> list[str]:
    """How copy says the opposite: the term itself ("slip": also "slippery", "slippy")."""
    if strength != "non":
        return [term]
    doubled = term + term[-1]
    return [term, term + "y", doubled + "y", doubled + "ery", term + "ery"]


class PolarityCheck(Detector):
    """Gate 'polarity': negated facts stated positively, and signed numbers without the sign."""

    name = "polarity"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """Contradicted negations and dropped minus signs, per field."""
        terms = negated_terms(product_facts(item) or fact_values(item))
        index = FactIndex.build(fact_values(item))
        names = product_names(item.facts)
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            plain = re.sub(r"(?<=\w)-(?=\w)", " ", value.lower())
            for term, strength in terms:
                for form in _forms(term, strength):
                    for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?:s|es)?(?![\w])", plain):
                        if not _negated(plain, m.start(), m.end(), strength):
                            found.append(
                                self.problem(
                                    "contradicted",
                                    field,
                                    value[max(0, m.start() - 20) : m.end()],
                                    limit=term,
                                    start=m.start(),
                                    end=m.end(),
                                )  # fmt: skip
                            )
            for claim in number_claims(value, names=names):
                if index.sign_dropped(claim):
                    found.append(
                        self.problem(
                            "sign_dropped", field, claim.text, start=claim.start, end=claim.end
                        )
                    )
        return found


def _negated(text: str, start: int, end: int, strength: str) -> bool:
    """Whether the mention at start:end does not contradict its fact."""
    after = text[end : end + 12]
    if re.match(r"\s?(?:free|less)\b", after):
        return True
    if strength == "positive" and not (
        _POSITIVE.search(text[max(0, start - 40) : start]) or _POSITIVE_AFTER.match(after)
    ):
        return True  # "needs 4 AA batteries" does not say they are included
    if strength == "non" and re.match(
        r"\s(?:" + "|".join(_PARTICLES) + r")\b|\s?(?:resistant|proof)\b", after
    ):
        return True  # "slip into", "slip-resistant": not the opposite of "non-slip"
    before = re.findall(r"[\w'’%]+", text[max(0, start - 40) : start])[-3:]
    return any(w.replace("’", "'") in NEGATIONS or w.endswith("n't") for w in before)
