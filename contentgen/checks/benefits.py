"""Benefits (rubric U6): what the copy says a product fact does for the buyer.

Marketing copy only. A benefit is read where the copy links a clause to a fact: "Thanks to F, B",
"With F, B", "B, thanks to F", "... F, so B", "F means B", "... F: B". Twelve kinds of Problem:

- `false_causality`: the benefit clause is another product fact, as if one fact caused the
  other ("The desk has a height-adjustable frame, thanks to a cable management tray").
- `unstated_benefit`: the brief states what the fact does (a `benefits` mapping of fact to
  benefit, the features-advantages-benefits brief marketers write) and the copy says something
  else ("Thanks to a chest pocket, your arms stay free from wrinkles" where the brief says "a
  pen is always within reach"). Words are compared as Snowball stems, so "never rub" matches
  "nothing rubs"; at least `MIN_SHARED` of the clause's content words must come from the stated
  benefit, the fact itself or the product's name. A measured cause ("adjusts from 40-45 cm,
  so ...") is not judged: a spec explains itself.
- `unfit_benefit`: the brief states no benefit for the fact, and the benefit the copy gives it
  is none the project's benefit lexicon records for that fact ("It has a gift box, so it stays
  close to you"; the lexicon: "it is ready to give the moment it arrives", "no extra wrapping
  is needed"). The lexicon is what the copywriting corpus writes from
  (`contentgen/datasets/copywriting/data/categories/`: 370 features, materials and
  certifications of 24 categories, 2-3 benefits each; contentgen.checks.benefit_lexicon), in any
  category; a fact it does not know is not judged.
  Of 360 blind-graded outputs of the copywriter it rejects 57, all graded unusable (nonsense
  for the product) and none graded light edit or publishable. A clause that starts with a price
  ("in enamelled cast iron: 71.20 EUR, down from 89 EUR") is no benefit.
- `benefit_as_fact`: a stated benefit put where a fact belongs, after "With", "Thanks to" or
  "has (a)": "With moving photos to your laptop takes no extra adapter, ...", "With each shade
  glows with a soft, even light, ...", "It has an ice cubes go in easily" (broken sentences;
  the blind review graded each unusable).
- `comma_splice`: a fact the product has and its stated benefit joined by a bare comma, "It has
  envelope pillowcases, pillows stay tucked in all night" (corrected to ", so pillows ...").
- `bare_fact`: a sentence that ends on a fact whose stated benefit the copy never says, "It is
  made from an aluminium shell." (corrected to "..., so it is tough and looks better with every
  dent and trip."). Of 1,769 blind-graded outputs 61 have one: 42 unusable, 19 light edit, none
  publishable ("a flat fact without the benefit the brief gives").
- `garbled_benefit`: a stated benefit said word for word and then ended with other words, "so it
  sits just where you want it, with a gift box" (corrected to "..., from collarbone to
  neckline"); 9 graded outputs, 5 unusable and 4 light edit. A benefit cut short at its
  sentence's end is left alone.
- `misinflected_benefit`: a stated benefit said word for word but for a participle without its
  ending, "your wrists stay cover when you pick up the pace" (corrected to "covered").
- `echoed_fact`: the fact's head noun said again as the subject of what it does, "It has
  adjustable shelves, so the shelves adapt" (corrected to "adjustable shelves that adapt"),
  "The seat supports your baby's hips, thanks to an adjustable seat." (corrected to "The
  adjustable seat supports your baby's hips."); 9 of the 60-product round's 24 outputs graded
  below publishable had it or its cousins.
- `pasted_fact`: a fact pasted as a label before what it does, "PFAS-free: the water repellency
  is made without PFAS chemicals." (corrected to "It is PFAS-free, so the water ..."); graded
  unusable ("the fact line copied in as is").
- `included_fact`: a fact named "X included" said as a thing the product has, "It has a
  converter included" (corrected to "It comes with a converter").
- `repeated_link`: a sentence that opens "Thanks to" right after one that links a fact with
  "thanks to" too (corrected to "With"); 21 of 27 graded outputs with it were unusable.
- `no_benefit`: the brief states what its facts do, and the copy says none of it, in any field:
  a bare feature list ("It has a hidden drawer. €701.90. Shop now."), which the blind review
  sent back every time (rubric: say what a fact means for the buyer). A stated benefit is said
  when `MIN_SAID` of its content stems are in the copy, in any wording.

The eight corrections are found by contentgen.checks.benefit_edits (`comma_splice`,
`bare_fact`, `garbled_benefit`, `misinflected_benefit`) and contentgen.checks.fact_links
(`echoed_fact`, `pasted_fact`, `included_fact`, `repeated_link`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from contentgen.checks import benefit_edits, benefit_lexicon, fact_links
from contentgen.checks.base import EvalInput
from contentgen.checks.detector import (
    Detector,
    fact_texts,
    product_facts,
    text_fields,
    word_set,
)
from contentgen.checks.problems import Problem
from contentgen.types import Task

MIN_SHARED = 0.5  # of a benefit clause's content words, the share the stated benefit must hold
LEXICON_SHARED = 2  # stems a clause shares with a lexicon benefit to say it ("feet", "dry")
MIN_SAID = 0.6  # of a stated benefit's content stems, the share the copy must hold to say it
CLAUSE_START_WORDS = 4  # words of a stated benefit that, after "With", show it used as a thing
_SENTENCE = re.compile(r"[^.!?\n]+")
_DIGIT = re.compile(r"\d")
_PRICE_FIRST = re.compile(r"\s*(?:[€$£]\s*)?\d")  # a clause that starts with a price or a number
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+(?:[.,]\d+)?")
# (cause, benefit) clause pairs, in the order tried; each pattern spans a whole sentence.
_LINKS = (
    re.compile(r"^\s*(?:thanks to|with|because of)\s+(?P<fact>[^,]+),\s*(?P<benefit>.+)$", re.I),
    re.compile(r"^\s*(?P<benefit>.+?),?\s+thanks to\s+(?P<fact>.+)$", re.I),
    re.compile(r"^\s*(?P<fact>.+?),?\s+so(?: that)?\s+(?P<benefit>.+)$", re.I),
    re.compile(r"^\s*(?P<fact>.+?)\s+means?(?: that)?\s+(?P<benefit>.+)$", re.I),
    re.compile(r"^\s*(?P<fact>.+?):\s+(?P<benefit>.+)$", re.I),
)
_STOP = word_set(
    "a an and are as at be been but by can could for from has have in into is it its it's of on "
    "or our so that the their them there they this those to was we were will with you your "
    "yours i my me us all also every even just more much one ones than too very what when which "
    "while who whole each any both own get gets got make makes made keep keeps kept stay stays "
    "let lets always never nothing no not don't doesn't won't any way ways well"
)
# Verbs that state a fact rather than a benefit ("the desk has a frame", "comes with").
_STATING = word_set("has have had is are come comes feature features offer offers include includes")


@dataclass(frozen=True)
class _Fact:
    """One product fact, its content stems, and the benefit the brief states for it."""

    text: str
    stems: frozenset[str]
    stated: frozenset[str]


class BenefitsCheck(Detector):
    """Gate 'benefits': a fact said to cause another fact, or a benefit the brief does not state."""

    name = "benefits"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """One Problem per linked clause that misstates what a fact does, per field."""
        product = product_facts(item)
        facts = _facts(product)
        if not facts:
            return []
        own = name_stems(product)
        found: list[Problem] = []
        fields = text_fields(item)
        benefits = stated_benefits(product)
        clauses = _benefit_as_cause(benefits.values())
        said = content_stems(" ".join(fields.values()))

        def says(benefit: str) -> bool:  # in part is enough: a bare fact then only restates
            stems = content_stems(benefit)
            return len(stems & said) >= MIN_SHARED * len(stems)

        for field, value in fields.items():
            echoed = fact_links.echoed_heads(value, product)
            found += [
                self.problem(kind, field, value[e.start : e.end], limit=e.about, start=e.start,
                             end=e.end, fix=e.fix)
                for kind, edits in (
                    ("comma_splice", benefit_edits.spliced(value, benefits)),
                    ("bare_fact", benefit_edits.bare_facts(value, benefits, says)),
                    ("garbled_benefit", benefit_edits.garbled_benefits(value, benefits)),
                    ("misinflected_benefit", benefit_edits.misinflected(value, benefits)),
                    ("echoed_fact", echoed),
                    ("pasted_fact", fact_links.pasted_facts(value, product)),
                    ("included_fact", fact_links.included_facts(value, product)),
                    ("repeated_link", fact_links.repeated_links(value, echoed)),
                )
                for e in edits
            ]  # fmt: skip
            for sentence in _SENTENCE.findall(value):
                found += self._sentence(field, sentence.strip(), facts, own)
            found += [
                self.problem("benefit_as_fact", field, m.group(0), start=m.start(), end=m.end())
                for m in (clauses.finditer(value) if clauses else ())
            ]
        stated = [f for f in facts if f.stated]
        # A bare fact's correction says its benefit, so the copy is not left without one.
        corrected = any(p.kind == "bare_fact" for p in found)
        if (
            stated
            and not corrected
            and not any(len(f.stated & said) >= MIN_SAID * len(f.stated) for f in stated)
        ):
            text = " ".join(fields.values())[:80]
            found.append(self.problem("no_benefit", "+".join(fields), text, limit=len(stated)))
        return found

    def _sentence(
        self, field: str, sentence: str, facts: list[_Fact], own: frozenset[str]
    ) -> Iterator[Problem]:
        for cause, benefit, measured in _links(sentence):
            causes = [f for f in facts if _mentions(cause, f)]
            if not causes:
                continue
            said = content_stems(benefit)
            others = [f for f in facts if f not in causes and _mentions(said, f)]
            if others and _states_facts(said, others, own):
                yield self.problem("false_causality", field, sentence, limit=others[0].text)
                return
            # A measured cause ("The chain adjusts from 40-45 cm, so ...") is a spec, which
            # explains itself: the brief states benefits for features, not for numbers.
            if measured:
                continue
            stated = [f for f in causes if f.stated]
            if stated and not _grounded(said, stated, own):
                yield self.problem("unstated_benefit", field, sentence, limit=stated[0].text)
                return
            priced = _PRICE_FIRST.match(benefit) is not None  # "... cast iron: 71.20 EUR, ..."
            if not stated and not priced and not _fits_lexicon(said - own - _STATING, causes):
                yield self.problem("unfit_benefit", field, sentence, limit=causes[0].text)
                return


def _links(sentence: str) -> Iterator[tuple[frozenset[str], str, bool]]:
    """(cause stems, benefit clause, whether the cause is measured) for each way the sentence
    links a cause to a benefit."""
    for pattern in _LINKS:
        m = pattern.match(sentence)
        if m and m.group("benefit").strip():
            yield (
                content_stems(m.group("fact")),
                m.group("benefit"),
                bool(_DIGIT.search(m.group("fact"))),
            )


def _benefit_as_cause(benefits: Iterable[str]) -> re.Pattern[str] | None:
    """ "With"/"Thanks to"/"has (a)" before the first words of a stated benefit, which is a
    clause, not a thing: "With moving photos to your laptop takes no extra adapter, ...", "With
    each shade glows with a soft, even light, ...", "It has an ice cubes go in easily", "With ice
    cubes going in easily ..."."""
    starts = [b.split()[:CLAUSE_START_WORDS] for b in benefits]
    # Each word with any ending: "With ice cubes going in easily" for "ice cubes go in easily".
    heads = [r"\s+".join(re.escape(word) + r"\w*" for word in w) for w in starts
             if len(w) == CLAUSE_START_WORDS]  # fmt: skip
    if not heads:
        return None
    owned = r"(?:with|thanks to|(?:has|have|comes with|come with)(?:\s+an?)?)"
    return re.compile(rf"\b{owned}\s+(?:{'|'.join(heads)})\b", re.I)


def stated_benefits(product: Mapping[str, Any]) -> dict[str, str]:
    """The brief's `benefits` mapping by lower-case fact (empty when it states none)."""
    benefits = product.get("benefits")
    if not isinstance(benefits, Mapping):
        return {}
    return {str(k).lower(): str(v) for k, v in benefits.items()}


def fact_benefits(product: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(lower-case fact, benefit) for each benefit the brief states and the lexicon records."""
    recorded = [(fact.lower(), says) for fact in fact_texts(product)
                for says in benefit_lexicon.known(fact)]  # fmt: skip
    return [*stated_benefits(product).items(), *recorded]


def _facts(product: Mapping[str, Any]) -> list[_Fact]:
    """The product's features, materials and certifications with their stated benefits."""
    stated = stated_benefits(product)
    facts = []
    for text in fact_texts(product):
        stems = content_stems(text)
        if stems:
            facts.append(_Fact(text, stems, content_stems(stated.get(text.lower(), ""))))
    return facts


def _mentions(stems: frozenset[str], fact: _Fact) -> bool:
    """Whether these words name the fact: all its content words, or all but one of four or more."""
    missing = len(fact.stems - stems)
    return missing == 0 or (missing == 1 and len(fact.stems) >= 4)


def _states_facts(said: frozenset[str], others: list[_Fact], own: frozenset[str]) -> bool:
    """Whether a clause says nothing but other facts (and the product's name)."""
    known = own | _STATING | frozenset().union(*(f.stems for f in others))
    return len(said - known) <= 1


def _grounded(said: frozenset[str], causes: list[_Fact], own: frozenset[str]) -> bool:
    """Whether the clause's content words come mostly from the stated benefits of its causes."""
    words = said - own - _STATING
    if not words:
        return True
    allowed = frozenset().union(*(f.stated | f.stems for f in causes))
    return len(words & allowed) >= MIN_SHARED * len(words)


def _fits_lexicon(said: frozenset[str], causes: list[_Fact]) -> bool:
    """Whether a clause says what the benefit lexicon records for one of its causes (or says
    nothing beyond the facts, or no cause is in the lexicon)."""
    said = said - frozenset().union(*(f.stems for f in causes))
    known = [b for f in causes for b in benefit_lexicon.known(f.text)]
    if not said or not known:
        return True
    shared = [len(said & content_stems(b)) for b in known]
    return max(shared) >= min(LEXICON_SHARED, MIN_SHARED * len(said))


def name_stems(product: Mapping[str, Any]) -> frozenset[str]:
    """The stems of the product's name, brand and kind: words copy may always use of it."""
    return content_stems(
        " ".join(str(product.get(k, "")) for k in ("name", "brand", "product_type"))
    )


def content_stems(text: str) -> frozenset[str]:
    """The Snowball stems of a text's content words."""
    words = (w.lower().replace("’", "'") for w in _WORD.findall(text))
    return frozenset(_stem(w) for w in words if w not in _STOP and len(w) > 1)


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word.removesuffix("'s"))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")
