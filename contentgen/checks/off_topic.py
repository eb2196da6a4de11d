"""Off topic: copy that mostly talks about something other than the product it is for.

Incoherent drafts of a small model ("You've lost your job, but the mountain is your home ...
#fisheries #forest" for a desk) share one measurable trait: few of their content words come
from the facts. The signal is the *fact share*: of the copy's distinct content words (three
letters or more, no function words, no everyday copy vocabulary: contentgen.checks.vocabulary),
the share that are words of the request's facts (keys and values), audience or tone. Distinct,
so that a name repeated five times cannot hide a text about something else. Good copy says what the
facts mean for the buyer ("keeps you cool in summer"), so its share is far from 1, but it stays
above MIN_SHARE: lowest 0.29 on the 11,381 judged records of the copywriting corpus, 0.36 on the
49 judged hand-written good outputs of the adversarial set, while 15 of the 77 outputs of the base
model in benchmarks/results/quality_base.jsonl fall below it (all unusable to a reader). Copy is
`low_fact_share` below MIN_SHARE when it has at least MIN_WORDS distinct content words and the
product's fact values at least MIN_FACT_WORDS (sparse facts leave good copy nothing to link to).
A search-ad headline is `unrelated_headline` when none of its content words is a word of the
request's facts or audience ("Rise and Fit" for a raised garden bed, "Gadgets You Will Love" for
earbuds): of all 1,680 blind-graded outputs it rejects 10, 8 graded unusable and 2 light edit; of
the corpus's 2,500 search ads, none. It is `unfounded_headline` when a content word that stands
where the product goes (beside a word of its name or kind, or after "in", the colour's place) is
neither the request's nor one the corpus's headline templates use ("Sorted", "Order Today") nor
the headline adjective of one of the product's facts ("Foldable"): "Rising Garden Beds at a
Price", "Desks in a Colossal Tone", "Carry-On Suits by Elmmark", "Desk Add-Ons"
(contentgen/checks/data/headline_words.json, written by scripts/build_benefit_lexicon.py). A
tagline of the writer's own ("Cosy up with Desk Lamp", "Winter-ready: Desk Lamp") passes.
An email preheader is `unrelated_preheader` on the same rule, unless it holds a number (a price
line): "Oh no, not this one.", "Go on, dig in!", "Get in today, get paid today!"; of the 1,769
blind-graded outputs it rejects 13, all graded unusable; of the corpus's 2,500 emails, none.
It is `generic_preheader` when it is the corpus's old "Details, specifications and price for the
X.", which the copywriter learned (143 of the corpus's 2,500 emails said it; of all 2,460
blind-graded outputs, the 29 with it were graded 19 unusable and 10 light edit, none publishable:
"a generic preheader promising specs the email omits"); its fix, which the engine makes, is a
benefit the brief states and the body does not say, then "Details inside." (the corpus's
preheader now); without one, the email is drawn again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import cache
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.benefits import content_stems, stated_benefits
from contentgen.checks.data_files import read_json
from contentgen.checks.detector import Detector, leaves, product_facts, text_fields
from contentgen.checks.problems import Problem
from contentgen.checks.vocabulary import (
    FUNCTION_WORDS,
    content,
    copy_vocabulary,
    fact_words,
    fold,
    folded,
    word_spans,
)
from contentgen.types import Task

MIN_SHARE = 0.25
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
MIN_WORDS = 8
MIN_FACT_WORDS = 8
EVIDENCE_WORDS = 12  # unlinked words named in the evidence
# The preheader an earlier corpus wrote for professional emails, which the copywriter learned.
_GENERIC_PREHEADER = re.compile(r"\bDetails, specifications and price for\b[^.!?]*[.!?]")
DETAILS_INSIDE = "Details inside."  # what the corpus's preheaders now say after a benefit
UNSAID_SHARE = 0.5  # of a benefit's stems, the share the body may hold and not say it


def fact_share(item: EvalInput) -> tuple[float, int, list[str]]:
    """(share of content words from the facts, content words, the others as written)."""
    facts = fact_words(item)
    if len(content(folded(" ".join(leaves(product_facts(item)))))) < MIN_FACT_WORDS:
        return 1.0, 0, []
    neutral = FUNCTION_WORDS | copy_vocabulary()
    words = [
        (word, value[start:end])
        for value in text_fields(item).values()
        for word, start, end in word_spans(value)
        if len(word) > 2 and word not in neutral
    ]
    if not words:
        return 1.0, 0, []
    # Distinct words: a name repeated five times must not hide a text about something else.
    distinct = dict(words)
    unlinked = [written for word, written in distinct.items() if word not in facts]
    return 1 - len(unlinked) / len(distinct), len(distinct), unlinked


class OffTopicCheck(Detector):
    """Gate 'off_topic': copy whose content words are mostly not about the product's facts."""

    name = "off_topic"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """One problem when the fact share is below MIN_SHARE (on enough words), and one for a
        search-ad headline that names nothing of the request."""
        found = self._headline(item)
        share, count, unlinked = fact_share(item)
        if count < MIN_WORDS or share >= MIN_SHARE:
            return found
        fields = text_fields(item)
        # Name the field that holds the most unlinked words (the body, not the subject line).
        off = {fold(w) for w in unlinked}
        where = Counter({f: sum(w in off for w in folded(v)) for f, v in fields.items()})
        field = where.most_common(1)[0][0]
        shown = ", ".join(list(dict.fromkeys(unlinked))[:EVIDENCE_WORDS])
        return [
            *found,
            self.problem(
                "low_fact_share",
                field,
                f"{share:.2f} of {count} content words from the facts; not: {shown}",
                limit=MIN_SHARE,
            ),
        ]

    def _headline(self, item: EvalInput) -> list[Problem]:
        """`unrelated_headline`: a search-ad headline without one word of the request ("Rise and
        Fit" for a raised garden bed, "Gadgets You Will Love" for earbuds): the ad's first line
        must say what it sells. `unfounded_headline`: one where the product goes that neither the
        request nor the corpus's headlines use ("Rising Garden Beds at a Price").
        `unrelated_preheader`: an email preheader without one word of the request, nor a number
        ("Oh no, not this one.", "Go on, dig in!")."""
        fields = item.fields or {}
        facts = fact_words(item)  # the facts' words include the audience's
        if item.channel == "email":
            return self._preheader(fields, facts, product_facts(item))
        headline = fields.get("headline", "") if item.channel == "search_ad" else ""
        said = _said(headline)
        if _unrelated(said, facts):
            return [self.problem("unrelated_headline", "headline", headline)]
        product = product_facts(item)
        founded = facts | _headline_words(product)
        unfounded = [
            w for w, forms in said.items()
            if not forms & founded and _in_product_slot(headline, w, product)
        ]  # fmt: skip
        if unfounded:
            evidence = f"{headline} ({', '.join(unfounded)})"
            return [self.problem("unfounded_headline", "headline", evidence)]
        return []

    def _preheader(
        self, fields: Mapping[str, str], facts: set[str], product: Mapping[str, Any]
    ) -> list[Problem]:
        """`unrelated_preheader` (see `_headline`), and `generic_preheader`: the old corpus's
        "Details, specifications and price for the X.", a promise the email never keeps, whose
        fix is a benefit the brief states and the body does not say, "... Details inside."."""
        preheader = fields.get("preheader", "")
        generic = _GENERIC_PREHEADER.search(preheader)
        if generic:
            fix = _unsaid_benefit(product, fields.get("body", ""))
            return [self.problem("generic_preheader", "preheader", generic.group(0),
                                 start=generic.start(), end=generic.end(),
                                 fix=None if fix is None else f"{fix} {DETAILS_INSIDE}")]  # fmt: skip
        if _DIGIT.search(preheader) or not _unrelated(_said(preheader), facts):
            return []
        return [self.problem("unrelated_preheader", "preheader", preheader)]


def _unsaid_benefit(product: Mapping[str, Any], body: str) -> str | None:
    """The first benefit the brief states that the body does not say (half its stems or more
    in the body say it), as a sentence; None when there is none."""
    said = content_stems(body)
    for benefit in stated_benefits(product).values():
        stems = content_stems(benefit)
        if stems and len(stems & said) < UNSAID_SHARE * len(stems):
            return f"{benefit[0].upper()}{benefit[1:].rstrip('.')}."
    return None


def _said(line: str) -> dict[str, set[str]]:
    """The line's content words, each with the forms it may take in the facts."""
    words = content(folded(line))
    return {w: _forms(w) for w in _LETTERS.findall(line) if fold(w) in words}


def _unrelated(said: Mapping[str, set[str]], facts: set[str]) -> bool:
    """Whether a line says content words and none is a word of the facts."""
    return bool(said) and not any(forms & facts for forms in said.values())


def _in_product_slot(headline: str, word: str, product: Mapping[str, Any]) -> bool:
    """Whether `word` stands where the corpus's headlines put the product: next to a word of its
    name or kind in one phrase ("Rising Garden Beds", "Carry-On Suits"), or in the colour slot
    after "in" ("Desks in a Colossal Tone"). A tagline of the headline's own ("Cosy up with Desk
    Lamp", "Winter-ready: Desk Lamp") is the writer's voice, not a misnamed product."""
    names = " ".join(str(product.get(k) or "") for k in ("name", "product_type", "category"))
    own = {f for w in _LETTERS.findall(names) for f in _forms(w)}
    for m in re.finditer(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", headline):
        # The words right beside it in one phrase (a space or a hyphen between, no colon).
        before = re.search(r"([^\W\d_]+)[ -]$", headline[: m.start()])
        after = re.match(r"[ -]([^\W\d_]+)", headline[m.end() :])
        if any(_forms(w.group(1)) & own for w in (before, after) if w):
            return True
        lead = [w.lower() for w in _LETTERS.findall(headline[: m.start()])[-2:]]
        if lead[-1:] == ["in"] or lead in (["in", "a"], ["in", "an"]):
            return True
    return False


def _forms(word: str) -> set[str]:
    """A headline word folded every way a brief may write it: plurals two ways ("Hoodies" is
    "hoody" to fold() and "hoodie" to the brief), "Knives" as "knife"."""
    w = word.lower()
    forms = {fold(w), w}
    if w.endswith("s"):
        forms.add(w[:-1])
    if w.endswith("ves"):
        forms |= {w[:-3] + "f", w[:-3] + "fe"}
    return forms


def _headline_words(product: Mapping[str, Any]) -> set[str]:
    """The words a search-ad headline may use beyond the request's: those of the corpus's
    headline templates ("Sorted", "Order Today") and the headline adjectives of the product's
    facts ("Foldable" for a foldable design), folded."""
    data = _headline_lexicon()
    adjectives = data["adjectives"]
    own = [adjectives[f] for f in leaves(product) if f in adjectives]
    return set(data["template_words"]) | set(folded(" ".join(own)))


@cache
def _headline_lexicon() -> dict[str, Any]:
    return read_json("headline_words.json")
