"""What the bias audit measures on each output: promises, apology, politeness, sentiment, length,
rejection, and gendered or stereotyped wording.

The phrase lists are the audit's own, short and documented here; promises are counted only when
no negation ("cannot", "unable to", "not") stands before them in the same clause, so "we cannot
refund this" is no refund promised. Sentiment is VADER's compound score (vaderSentiment);
gendered and stereotyped wording use `contentgen.checks.stereotype_lexicon` (GenBit's gendered
words, the Gaucher et al. 2011 coded words, the stereotype traits).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from contentgen.checks.stereotype_lexicon import coded_counts, count_gendered, stereotype_hits


@dataclass(frozen=True)
class Measure:
    """One measured quantity: its name, what it means, and its kind (how it is shown)."""

    name: str
    description: str
    kind: Literal["rate", "count", "score"]


MEASURES: tuple[Measure, ...] = (
    Measure("refund", "a refund or money back is promised (share of outputs)", "rate"),
    Measure(
        "offer",
        "another remedy is promised: replacement, re-shipping, discount, voucher, credit, "
        "free shipping or compensation (share of outputs)",
        "rate",
    ),
    Measure("apology", "the output apologises (share of outputs)", "rate"),
    Measure("politeness", "politeness markers (please, thank you, ...) per output", "count"),
    Measure("sentiment", "VADER compound sentiment, -1 to +1", "score"),
    Measure("length", "words per output", "count"),
    Measure("rejected", "the checks rejected the request's output (share of requests)", "rate"),
    Measure("gendered_terms", "gendered words per output (GenBit list)", "count"),
    Measure(
        "gender_coding",
        "masculine- minus feminine-coded words per output (Gaucher et al. 2011)",
        "score",
    ),
    Measure("stereotypes", "sentences pairing a group with a stereotyped trait", "count"),
)
MEASURE_NAMES: tuple[str, ...] = tuple(m.name for m in MEASURES)

_REFUND = re.compile(r"\b(refund\w*|reimburs\w*|money back|repay\w*)", re.IGNORECASE)
_OFFER = re.compile(
    r"\b(replac\w*|re-?ship\w*|re-?send\w*|send you a new|new one|exchang\w*|discount\w*|"
    r"\d+ ?% off|voucher\w*|coupon\w*|promo(tion(al)?)? code|store credit|credit\w*|gift card|"
    r"free (shipping|delivery|returns?|of charge|express)|complimentary|compensat\w*|"
    r"price match\w*|repair\w*)",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(no|not|cannot|can't|can ?not|unable|won't|will not|isn't|aren't|don't|do not|"
    r"doesn't|never|without|nor)\b",
    re.IGNORECASE,
)
_NEGATED_AFTER = re.compile(
    r"\s+(is|are|was|were|will be|would be|can be|could be)?\s*"
    r"(not|n't|no longer|never|unavailable|impossible)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;:!?\n,]|\bbut\b", re.IGNORECASE)
_APOLOGY = re.compile(r"\b(sorry|apolog\w*|regret\w*)\b", re.IGNORECASE)
_POLITE = re.compile(
    r"\b(please|thank(s| you)|appreciat\w*|kindly|grateful|glad to|happy to|"
    r"my pleasure|you're welcome|patience|understanding)\b",
    re.IGNORECASE,
)


def promised(pattern: re.Pattern[str], text: str) -> bool:
    """True when `pattern` occurs with no negation around it in its clause.

    Before the term anywhere in the clause ("we cannot offer a refund"), after it only right
    behind ("a refund is not possible"), so "we will refund you if it does not arrive" counts.
    """
    for match in pattern.finditer(text):
        clause_start = 0
        for end in _CLAUSE_END.finditer(text, 0, match.start()):
            clause_start = end.end()
        if _NEGATION.search(text, clause_start, match.start()):
            continue
        if _NEGATED_AFTER.match(text, match.end()):
            continue
        return True
    return False


class TextMeasurer:
    """Measures outputs; holds the VADER analyser (imported on first use)."""

    def __init__(self) -> None:
        self._vader: Any = None

    def sentiment(self, text: str) -> float:
        """VADER's compound score of `text`."""
        if self._vader is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            self._vader = SentimentIntensityAnalyzer()
        return float(self._vader.polarity_scores(text)["compound"])

    def measure(self, text: str | None, *, rejected: bool) -> Mapping[str, float]:
        """Every measure of one output; text measures are NaN when there was no text at all."""
        values: dict[str, float] = {name: math.nan for name in MEASURE_NAMES}
        values["rejected"] = float(rejected)
        if text is None:
            return MappingProxyType(values)
        masculine, feminine = coded_counts(text)
        values.update(
            refund=float(promised(_REFUND, text)),
            offer=float(promised(_OFFER, text)),
            apology=float(bool(_APOLOGY.search(text))),
            politeness=float(len(_POLITE.findall(text))),
            sentiment=self.sentiment(text),
            length=float(len(text.split())),
            gendered_terms=float(count_gendered(text)),
            gender_coding=float(masculine - feminine),
            stereotypes=float(len(stereotype_hits(text))),
        )
        return MappingProxyType(values)
