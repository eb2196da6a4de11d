"""Capitalised names (brands, products, people) in a text that the request's facts never mention.

A name is a run of two or more capitalised words ("Summit Jacket", "Bank of America") or one
brand-shaped word ("UltraBoost", "X200"). A word counts as unknown when it is neither in the
facts (plural "s" ignored) nor in the common-word list below. A capital at the start of a
sentence is no evidence: a common opener ("Meet", "The") is left out of the run, and a run whose
only unknown word is its opener ("Choose Trail Runner Pro") is not a name. In a Title Case line
such as a headline ("Conquer Muddy Trails", no closing full stop) every word is capitalised, so
there only brand-shaped words make a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contentgen.checks.brandkit import fold_text

_COMMON = """
a about above after again against all also always am an and any are as at away back be
because been before being below best better between big both but by can could day days did
do does done down during each easy even ever every few first for free from full get gets
give go good great had has have he her here hers him his how i if in into is it its just
keep last least less let like little long look lot love made make many may me more most much
must my need new next no nor not now of off on once one only or other our out over own per
perfect real right same see she should since so some soon still such sure take than that the
their them then there these they this those through to today together too top under until up
upon us very was way we well were what when where which while who why will with without
would yes yet you your yours ready set meet discover introducing explore shop buy order try
enjoy experience find feel grab save stay step start join unlock upgrade elevate bring built
designed crafted stand treat welcome thank thanks hi hello hey dear sorry regards sincerely
cheers warmly kind team support customer customers service care help store online shipping
delivery returns return refund exchange orders account policy update news summary report
headline description subject preheader body post sms title text style comfort quality power
performance design premium classic ultimate original pure smart fresh bold light lightweight
durable soft warm cool dry fast quick simple modern everyday limited exclusive special sale
deal deals offer offers collection edition series line range pro plus max mini ultra lite
air home life world summer winter spring autumn fall season holiday weekend morning night
week month year monday tuesday wednesday thursday friday saturday sunday january february
march april june july august september october november december christmas easter halloween
thanksgiving valentine black cyber mr mrs ms dr sir madam usa uk eu m s t re ll ve d
"""
COMMON_WORDS = frozenset(_COMMON.split())
CONNECTORS = frozenset({"of", "and", "&", "de", "la", "von", "van", "the", "for"})
_SENTENCE = re.compile(r"[.!?]+(?:\s+|$)|\n+|:\s+|\s[–—|-]\s")
_CLAUSE = re.compile(r"[,;()\[\]\"“”]")
_WORD = re.compile(r"[#@]?[^\W\d_][\w'’&-]*|&|\w*\d\w*")


@dataclass(frozen=True)
class Name:
    """A capitalised name in a text and the words of it that the facts never mention."""

    text: str
    unknown: tuple[str, ...]


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or any(c.isupper() for c in word[1:])


def _brand_shaped(word: str) -> bool:
    inner_capital = any(c.isupper() for c in word[1:]) and not word.isupper()
    letters_digits = any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
    return inner_capital or (letters_digits and len(word) >= 3)


def _words(folded: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", folded))


def _known(word: str, known: frozenset[str] | set[str]) -> bool:
    return all(
        w in known or (w.endswith("s") and (w[:-1] in known or w[:-2] in known))
        for w in _words(fold_text(word))
    )


def _title_case(words: list[str]) -> bool:
    long = [w for w in words if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 3 and bool(long) and all(w[:1].isupper() for w in long)


def unknown_names(text: str, facts_corpus: str) -> list[Name]:
    """Names in `text` with at least one word absent from `facts_corpus` and the common words."""
    facts_folded = fold_text(facts_corpus)
    known = _words(facts_folded) | COMMON_WORDS
    found: list[Name] = []
    for sentence, end in _sentences(text):
        clauses = [_WORD.findall(c) for c in _CLAUSE.split(sentence)]
        title_case = "." not in end and _title_case([w for c in clauses for w in c])
        for number, words in enumerate(clauses):
            for run, opens in _runs(words, sentence_start=number == 0):
                phrase = " ".join(run)
                if fold_text(phrase) in facts_folded:
                    continue
                if title_case and not any(_brand_shaped(w) for w in run):
                    continue
                unknown = tuple(
                    w for w in run if w.lower() not in CONNECTORS and not _known(w, known)
                )
                # A capital at the start of a sentence is no evidence of a name: "Choose Trail
                # Runner Pro" is a verb before a known name, "Patagonia Outdoor" is not.
                if opens and unknown == (run[0],):
                    continue
                if unknown:
                    found.append(Name(phrase, unknown))
    return found


def _sentences(text: str) -> list[tuple[str, str]]:
    """Sentences with the punctuation that ends them ('' at a line end or a dash)."""
    out: list[tuple[str, str]] = []
    last = 0
    for m in _SENTENCE.finditer(text):
        out.append((text[last : m.start()], m.group().strip()))
        last = m.end()
    out.append((text[last:], ""))
    return out


def _runs(words: list[str], *, sentence_start: bool) -> list[tuple[list[str], bool]]:
    """Capitalised runs ("Bank of America"), each flagged when it opens the sentence."""
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    opens = False
    for i, word in enumerate(words):
        if word.startswith(("#", "@")):  # hashtags and handles are not claims about the product
            current = _close(current, opens, runs)
            continue
        first = i == 0 and sentence_start
        common_opening = first and word.lower() in COMMON_WORDS
        inner = word.lower() in CONNECTORS and i + 1 < len(words) and _capitalised(words[i + 1])
        if (_capitalised(word) and not common_opening) or (current and inner):
            opens = opens if current else first
            current.append(word)
        else:
            current = _close(current, opens, runs)
    _close(current, opens, runs)
    return runs


def _close(current: list[str], opens: bool, runs: list[tuple[list[str], bool]]) -> list[str]:
    capitals = [w for w in current if w.lower() not in CONNECTORS]
    if len(capitals) >= 2 or (len(capitals) == 1 and _brand_shaped(capitals[0])):
        runs.append((current, opens))
    return []
