"""Articles: "a" and "an" that a proofreader would mark (rubric: grammar clean for publishable).

Marketing copy only. Seven kinds of Problem:

- `a_an`: "a" before a vowel sound or "an" before a consonant sound: "a SD card reader", "an
  USB-C hub", "a 18k gold chain", "an padded seat". The sound is read from the next word: an
  initialism by how its first letter is spoken ("an SD", "a USB", "an LED"), a number by how it
  is said ("an 8-hour", "an 18k", "a 100 W"), a word by its letters, with the usual exceptions
  ("a user", "a one-off", "an hour", "an honest").
- `article_plural`: "a" or "an" before a plural fact of the product: "a padded shoulder straps",
  "an elastic closure and a mother-of-pearl buttons" for the facts "padded shoulder straps" and
  "mother-of-pearl buttons".
- `singular_fact`: "a" or "an" before a plural fact put in the singular, "A padded shoulder strap
  and an adjustable seat." for "padded shoulder straps" (corrected to the fact as worded).
- `article_mass`: "a" or "an" before a fact that names a substance or an activity, which takes no
  article: "an acid-free paper", "an active noise cancelling".
- `substance_as_product`: the product said to be one of its substance facts, "It is acid-free
  paper." (corrected to "It is made of acid-free paper."); the blind review graded each unusable.
- `material_as_part`: a substance the brief gives as the product's material said to be a part it
  has, "It has (an) acid-free paper", "It comes with a mouth-blown opal glass" (corrected to "It
  is made of acid-free paper"); the blind review graded 22 of 29 such outputs unusable.
- `missing_article`: a countable one-thing feature, or a material that names a part, with no
  article after "has", "with", "thanks to" or "made from" ("has chest pocket", "made from
  aluminium shell").

Each record carries its correction (`fix`: "padded shoulder straps", "has a chest pocket", and
"an SD card reader" when the words after the article are a fact as the brief words it), which the
engine applies instead of writing the draft again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.benefit_edits import OWNING
from contentgen.checks.detector import (
    Detector,
    fact_texts,
    facts_by_key,
    leaves,
    product_facts,
    text_fields,
    word_set,
)
from contentgen.checks.problems import Problem
from contentgen.types import Task

_ARTICLE = re.compile(r"\b(?P<article>[Aa]n?)\s+(?P<word>[\w][\w'’.-]*)")
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")  # initialisms spoken with a vowel first: "an SD"
_CONSONANT_VOWELS = re.compile(r"^(?:uni|use|usa|usu|uti|ute|uro|eu|ewe|one\b|once|ubiq|u-)", re.I)
_SILENT_H = re.compile(r"^(?:hour|honest|honou?r|heir)", re.I)
_MASS_HEADS = word_set(
    "insulation delivery assembly detection construction leather wool linen cotton nylon "
    "polyester mesh knit suede canvas steel aluminium iron glass silicone rubber cork foam wood "
    "oak ash pine latex paper felt titanium silver vermeil rope terry fleece plastic webbing crystal "
    "fill filling percale sateen rattan design finish protection support storage"
)
# Head words of facts that never take "a"/"an": substances and an activity ("an acid-free paper",
# "an active noise cancelling" are slips).
_SUBSTANCES = word_set(
    "leather wool linen cotton nylon polyester suede steel aluminium iron glass silicone rubber "
    "cork foam oak ash pine latex paper felt titanium silver vermeil fleece plastic percale sateen "
    "rattan cancelling"
)
# What may follow a substance named as the thing itself: the clause ends, or a link word follows.
_NO_NOUN_NEXT = (
    r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:so|and|or|that|which|for|to|with|in|on|at|from|is|are|means)\b)"
)
# Materials that name one part, which takes an article ("made from a linen-cotton blend").
_COUNTABLE_MATERIAL_HEADS = word_set(
    "blend shell housing barrel frame arm grip burner base sleeve top liner motor cover plate tube "
    "gearbox casing body"
)
_IRREGULAR_PLURALS = word_set("feet teeth children men women mice geese")
_SINGULAR_S = word_set("lens canvas series species chassis bias atlas iris gas yes news glass")
# "a" after these is a word of its own, not an article ("Vitamin A", "grade A", "1500 A").
_NOT_ARTICLE_BEFORE = re.compile(
    r"(?:(?:vitamin|grade|type|class|plan|size|rated|energy)\s+|\d\s*)$", re.I
)


class ArticlesCheck(Detector):
    """Gate 'articles': "a"/"an" against the next word's sound, and before a plural fact."""

    name = "articles"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every article slip, per field, each with its correction."""
        product = product_facts(item)
        plurals, singulars = _countable_facts(product)
        substances = _substance_facts(product)
        materials = [t for t in substances if t in _material_texts(product)]
        worded = _worded_facts(product)
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            slips = _slips(value, plurals, singulars, worded, substances, materials)
            for kind, start, end, fix in slips:
                evidence = value[start:end]
                found.append(self.problem(kind, field, evidence, start=start, end=end, fix=fix))
        return found


Slip = tuple[str, int, int, str | None]  # (kind, start, end, the span corrected)


def _slips(
    text: str,
    plurals: list[str],
    singulars: list[str],
    worded: tuple[str, ...] = (),
    substances: list[str] | None = None,
    materials: list[str] | None = None,
) -> Iterator[Slip]:
    """(kind, start, end, the span corrected) of every article slip in `text`. A wrong "a"/"an"
    is corrected only before a fact as the brief words it: before other words it is as often a
    sign of a garbled phrase ("an oven-safe design, a oven-safe to 220 °C"), which is redrawn."""
    lower = text.lower()
    for m in _ARTICLE.finditer(text):
        wanted = _wanted(text, m)
        if wanted is not None:
            article = m.group("article")
            fixed = wanted.capitalize() if article[0].isupper() else wanted
            fact_follows = _starts_with_fact(lower, m.start("word"), worded)
            fix = fixed + m.group()[len(article) :] if fact_follows else None
            yield "a_an", m.start(), m.end(), fix
    # Corrected with their verb, so an article inside one is not corrected again.
    owned = list(_made_of(text, lower, materials or [], substances or []))
    yield from owned
    no_article = [("article_plural", f, "") for f in plurals]
    # A substance before a noun is a modifier: "a mouth-blown opal glass shade" is right.
    no_article += [("article_mass", f, _NO_NOUN_NEXT) for f in substances or ()]
    for kind, fact, after in no_article:
        for m in re.finditer(rf"\b(?:a|an)\s+({re.escape(fact)})(?![\w-]){after}", lower):
            if any(start <= m.start() < end for _, start, end, _ in owned):
                continue
            said = text[m.start(1) : m.end(1)]
            if text[m.start()].isupper():  # "A padded straps keep..." -> "Padded straps keep..."
                said = said[:1].upper() + said[1:]
            yield kind, m.start(), m.end(), said
    yield from _singular_facts(text, lower, plurals)
    yield from _missing_articles(text, lower, singulars)


def _made_of(text: str, lower: str, materials: list[str], substances: list[str]) -> Iterator[Slip]:
    """The product said to have, or to be, a substance it is made of: "It has (an) acid-free
    paper" (a material, `material_as_part`) and "It is acid-free paper." (`substance_as_product`),
    each corrected to "It is made of acid-free paper"."""
    has = rf"\b(it|they)\s+{OWNING}"
    for fact in materials:
        for m in re.finditer(rf"{has}({re.escape(fact)})(?![\w-]){_NO_NOUN_NEXT}", lower):
            subject, said = text[m.start(1) : m.end(1)], text[m.start(2) : m.end(2)]
            verb = "is" if m.group(1) == "it" else "are"
            yield "material_as_part", m.start(), m.end(), f"{subject} {verb} made of {said}"
    for fact in substances:
        is_it = rf"\b(it is|it's|they are)\s+(?:an?\s+)?({re.escape(fact)})(?=\s*(?:[.,;:!?]|$))"
        for m in re.finditer(is_it, lower):
            verb, said = text[m.start(1) : m.end(1)], text[m.start(2) : m.end(2)]
            yield "substance_as_product", m.start(), m.end(), f"{verb} made of {said}"


def _singular_facts(text: str, lower: str, plurals: list[str]) -> Iterator[Slip]:
    """A plural fact put in the singular after "a"/"an" ("a padded shoulder strap" for the fact
    "padded shoulder straps": the product has more than one), corrected to the fact."""
    for fact in plurals:
        one = rf"\b(?:a|an)\s+{re.escape(singular(fact))}(?![\w-])"
        for m in re.finditer(one, lower):
            said = fact[:1].upper() + fact[1:] if text[m.start()].isupper() else fact
            yield "singular_fact", m.start(), m.end(), said


def _missing_articles(text: str, lower: str, singulars: list[str]) -> Iterator[Slip]:
    """A countable one-thing fact with no article after "has", "with", "made from" and the like."""
    for fact in singulars:
        for m in re.finditer(
            rf"\b(?:has|have|features|includes|with|thanks to|made from|made of)\s+"
            rf"({re.escape(fact)})(?![\w-])",
            lower,
        ):
            said = text[m.start(1) : m.end(1)]
            article = "an" if vowel_sound(said) else "a"
            yield (
                "missing_article",
                m.start(),
                m.end(),
                f"{text[m.start() : m.start(1)]}{article} {said}",
            )


def fix_articles(text: str) -> str:
    """`text` with every "a"/"an" that mismatches the next word's sound swapped ("an 8 mm")."""

    def right(m: re.Match[str]) -> str:
        wanted, article = _wanted(text, m), m.group("article")
        if wanted is None:
            return m.group()
        return (wanted.capitalize() if article[0].isupper() else wanted) + m.group()[len(article) :]

    return _ARTICLE.sub(right, text)


def _wanted(text: str, m: re.Match[str]) -> str | None:
    """The article an `_ARTICLE` match should have, or None when it is right (or not one)."""
    if _NOT_ARTICLE_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
        return None
    wanted = "an" if vowel_sound(m.group("word")) else "a"
    return None if wanted == m.group("article").lower() else wanted


def vowel_sound(word: str) -> bool:
    """Whether a word is spoken starting with a vowel sound (what "an" goes before)."""
    core = word.strip("'’\"“(")
    if not core:
        return False
    if core[0].isdigit():
        return core[0] == "8" or bool(re.match(r"1[18](?!\d)", core))
    letters = re.match(r"[A-Za-z]+", core)
    head = letters.group() if letters else core
    if len(head) >= 2 and head.isupper() and not _is_word_like(head):
        return head[0] in _VOWEL_LETTERS
    if len(head) == 1 and not core[1:2].isalpha():  # a letter on its own: "an X-shaped frame"
        return head.upper() in _VOWEL_LETTERS
    if head[0].lower() in "aeiou":
        return not _CONSONANT_VOWELS.match(core)
    return bool(_SILENT_H.match(core))


def _is_word_like(head: str) -> bool:
    """An upper-case word read as a word ("ORGANIC"); four letters or fewer are initialisms."""
    return len(head) >= 5 and any(c in "AEIOU" for c in head[1:])


def _starts_with_fact(lower: str, at: int, worded: tuple[str, ...]) -> bool:
    """Whether a fact of the brief, as worded, starts at `at` in the lower-cased text."""
    return any(
        lower.startswith(fact, at) and not lower[at + len(fact) : at + len(fact) + 1].isalnum()
        for fact in worded
    )


def _worded_facts(product: Mapping[str, Any]) -> tuple[str, ...]:
    """Every text of the brief's product facts, lower case ("sd card reader", "usb-c hub")."""
    return tuple({leaf.strip().lower() for leaf in leaves(product) if leaf.strip()})


def _substance_facts(product: Mapping[str, Any]) -> list[str]:
    """The product's features and materials that name a substance or an activity, which takes
    no article ("acid-free paper", "recycled polyester", "active noise cancelling"), lower case."""
    texts = (t.strip().lower() for t in fact_texts(product))
    return [t for t in texts if not re.search(r"\d", t) and _head(t) in _SUBSTANCES]


def _material_texts(product: Mapping[str, Any]) -> set[str]:
    """The product's materials (its `material`/`materials` facts), lower case."""
    return {t.strip().lower() for k in ("material", "materials") for t in leaves(product.get(k))}


def _head(phrase: str) -> str:
    """The last word of a phrase, lower case, after its last hyphen ("cast-iron" -> "iron")."""
    return re.split(r"[\s-]", phrase.strip().lower())[-1]


def _countable_facts(product: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The product's features that are plural phrases ("padded shoulder straps") and those that
    are one countable thing ("telescopic handle", and a material that names a part: "aluminium
    shell"), lower case. Other materials and certifications are left out (mass nouns: "made from
    oak veneer"), as are features with a digit, a capital or a head word that names a substance
    or activity ("active noise cancelling")."""
    plurals: list[str] = []
    singulars: list[str] = []
    for key, raw in facts_by_key(product):
        text = raw.strip()
        if is_plural(text.lower()):
            plurals.append(text.lower())
        elif _one_thing(key, text):
            singulars.append(text.lower())
    return plurals, singulars


def _one_thing(key: str, text: str) -> bool:
    """Whether a feature, or a material, names one countable thing that takes "a"/"an"."""
    if key in ("features", "feature"):
        return _countable(text)
    return key in ("material", "materials") and countable_material(text)


def countable_material(text: str) -> bool:
    """Whether a material is one countable part ("linen-cotton blend", "aluminium shell"), not
    a substance ("oak veneer", "welded tarpaulin"): its head word must be a known part's."""
    return _countable(text) and _head(text) in _COUNTABLE_MATERIAL_HEADS


def with_article(key: str, fact: str) -> str:
    """A fact of the brief's `key` as the object of "has": "a"/"an" before one countable thing
    ("a mesh inner", "an aluminium shell"), none before plural facts and substances."""
    if not is_plural(fact.lower()) and _one_thing(key, fact):
        return f"{'an' if vowel_sound(fact) else 'a'} {fact}"
    return fact


def _countable(text: str) -> bool:
    """Whether a feature reads as one countable thing that needs "a"/"an" ("hidden drawer")."""
    words = text.split()
    if not words or re.search(r"\d", text) or any(w[:1].isupper() for w in words):
        return False
    head = _head(words[-1])
    return head not in _MASS_HEADS and not head.endswith(("ing", "ness", "ion", "ity"))


def singular(phrase: str) -> str:
    """A plural phrase with its last word in the singular ("padded shoulder straps" -> "padded
    shoulder strap", "mother-of-pearl buttons" -> "mother-of-pearl button", "boxes" -> "box")."""
    if phrase.endswith("ies"):
        return phrase[:-3] + "y"
    if phrase.endswith(("ches", "shes", "xes", "sses")):
        return phrase[:-2]
    return phrase[:-1] if phrase.endswith("s") else phrase


def is_plural(phrase: str) -> bool:
    """Whether a phrase ends in a plural word ("padded shoulder straps", "feet"; not "lens")."""
    last = phrase.split()[-1] if phrase.split() else ""
    if last in _IRREGULAR_PLURALS:
        return True
    if not last.endswith("s") or last.endswith(("ss", "us", "is")) or last in _SINGULAR_S:
        return False
    return not re.search(r"\d", last)
