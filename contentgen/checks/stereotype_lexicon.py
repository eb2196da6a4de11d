"""Word lists for gendered and stereotyped wording, each with its source, and their matchers.

- `GENDERED_TERMS`: words that mark a person's gender (pronouns, titles, address and family
  terms); a subset of the English lists of Microsoft's GenBit (genbit 2.2.0,
  microsoft/responsible-ai-toolbox-genbit, MIT licence), multi-word and rare entries left out.
- `MASCULINE_CODED` / `FEMININE_CODED`: the word stems of Gaucher, Friesen & Kay (2011),
  "Evidence that gendered wording in job advertisements exists and sustains gender inequality",
  J. Pers. Soc. Psychol. 101(1), as published in Kat Matfield's gender-decoder (MIT licence; the
  PyPI package genderdecoder3 0.5); matched as prefixes, as gender-decoder matches them.
- `GROUPS`: the words that name an audience or customer group, and `TRAITS`: the traits the
  common stereotype of that group holds. Gender traits are the Gaucher stems of the matching
  gender less the stems that are everyday service and product words ("support", "understand",
  "active", "lead", ...), plus a few role and appearance stereotypes; age traits follow the
  "warm but incompetent" older-person stereotype (Cuddy, Norton & Fiske 2005, J. Soc. Issues
  61(2)) and the lazy, naive young-person one. Hand-written, short and reviewable: no
  maintained lexicon of stereotype-congruent traits was found on PyPI (genbit pins nltk 3.6 and
  stanza 1.2 and has gendered words only; langfair needs langchain), so these live here.

A *stereotyped sentence* names a group and, in the same sentence, a trait of that group's
stereotype ("Gentle colours for the emotional woman", "Easy enough even for forgetful seniors").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


def _listed(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


FEMALE_TERMS: frozenset[str] = _listed(
    "she her hers herself woman women lady ladies girl girls gal gals female females feminine "
    "girly ladylike womanly mrs ms miss madam ma'am maam mother mothers mom moms mum mums mommy "
    "daughter daughters wife wives sister sisters aunt aunts niece nieces grandmother "
    "grandmothers grandma granny bride brides girlfriend girlfriends housewife housewives "
    "businesswoman businesswomen chairwoman saleswoman waitress actress queen princess "
    "heroine hostess widow widows"
)
MALE_TERMS: frozenset[str] = _listed(
    "he him his himself man men gentleman gentlemen guy guys boy boys male males masculine "
    "manly macho mr sir sirs mister father fathers dad dads daddy son sons husband husbands "
    "brother brothers uncle uncles nephew nephews grandfather grandfathers grandpa groom "
    "grooms boyfriend boyfriends bloke blokes chap lad lads dude dudes fella fellas "
    "businessman businessmen chairman salesman waiter actor king prince hero widower"
)
GENDERED_TERMS: frozenset[str] = FEMALE_TERMS | MALE_TERMS

FEMININE_CODED: tuple[str, ...] = (
    "agree", "affectionate", "child", "cheer", "collab", "commit", "communal", "compassion",
    "connect", "considerate", "cooperat", "co-operat", "depend", "emotiona", "empath", "feel",
    "flatterable", "gentle", "honest", "interpersonal", "interdependen", "interpersona",
    "inter-personal", "inter-dependen", "inter-persona", "kind", "kinship", "loyal", "modesty",
    "nag", "nurtur", "pleasant", "polite", "quiet", "respon", "sensitiv", "submissive",
    "support", "sympath", "tender", "together", "trust", "understand", "warm", "whin",
    "enthusias", "inclusive", "yield", "share", "sharin",
)  # fmt: skip
MASCULINE_CODED: tuple[str, ...] = (
    "active", "adventurous", "aggress", "ambitio", "analy", "assert", "athlet", "autonom",
    "battle", "boast", "challeng", "champion", "compet", "confident", "courag", "decid",
    "decision", "decisive", "defend", "determin", "domina", "dominant", "driven", "fearless",
    "fight", "force", "greedy", "head-strong", "headstrong", "hierarch", "hostil", "impulsive",
    "independen", "individual", "intellect", "lead", "logic", "objective", "opinion",
    "outspoken", "persist", "principle", "reckless", "self-confiden", "self-relian",
    "self-sufficien", "selfconfiden", "selfrelian", "selfsufficien", "stubborn", "superior",
    "unreasonab",
)  # fmt: skip

# Group name -> the words that name it in copy or a reply (whole words, lower case). Pronouns and
# words with everyday product senses ("older model", "aged leather") are left out.
GROUPS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "women": _listed(
            "woman women lady ladies girl girls gal gals female females wife wives mother "
            "mothers mom moms mum mums housewife housewives"
        ),
        "men": _listed(
            "man men gentleman gentlemen guy guys boy boys male males husband husbands father "
            "fathers dad dads bloke blokes lad lads dude dudes"
        ),
        "older people": _listed(
            "senior seniors elderly pensioner pensioners retiree retirees grandparent "
            "grandparents grandma grandpa granny oldies boomers"
        ),
        "young people": _listed(
            "student students young youth youngsters teen teens teenager teenagers kids "
            "millennial millennials zoomers undergrad undergrads"
        ),
    }
)
# Group name -> stems of the traits its stereotype holds (prefix match on whole words; a stem
# with a space is a phrase). Stems that are also product words ("gentle on skin", "sensitive
# skin", "competitive price", "tough leather", "slow cooker") are left out.
TRAITS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "women": (
            "affectionate", "emotiona", "nurtur", "submissive", "tender", "whin", "nag",
            "modesty", "sympath", "compassion", "flatterable", "dainty", "fragile", "weak",
            "bossy", "gossip", "shopaholic", "homemak", "housework", "chores", "hysteric",
            "catty", "ditzy",
        ),
        "men": (
            "aggress", "ambitio", "assert", "boast", "domina", "fearless", "greedy",
            "headstrong", "head-strong", "hostil", "impulsive", "reckless", "stubborn", "macho",
            "manly", "brawn", "unemotional", "real men", "man up",
        ),
        "older people": (
            "frail", "feeble", "forgetful", "confused", "senile", "doddering", "helpless",
            "lonely", "grumpy", "outdated", "old-fashioned", "technophob", "clueless", "decrepit",
            "set in their ways", "not tech-savvy", "past it", "over the hill",
        ),
        "young people": (
            "lazy", "entitled", "naive", "naïve", "irresponsible", "immature",
            "reckless", "clueless", "party anim", "addicted", "glued to", "spoiled", "snowflake",
            "careless",
        ),
    }
)  # fmt: skip

_WORD = re.compile(r"[a-z][a-z'\-]*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def words(text: str) -> list[str]:
    """The lower-case words of `text`: apostrophes and hyphens kept inside words, "'s" dropped."""
    found = _WORD.findall(text.lower().replace("’", "'"))
    return [w.removesuffix("'s").rstrip("'-") for w in found]


def count_gendered(text: str) -> int:
    """How many words of `text` mark a person's gender (GenBit subset)."""
    return sum(1 for w in words(text) if w in GENDERED_TERMS)


def coded_counts(text: str) -> tuple[int, int]:
    """(masculine-coded, feminine-coded) word counts, prefix-matched as gender-decoder does."""
    found = words(text)
    masculine = sum(1 for w in found if w.startswith(MASCULINE_CODED))
    feminine = sum(1 for w in found if w.startswith(FEMININE_CODED))
    return masculine, feminine


@dataclass(frozen=True)
class StereotypeHit:
    """One stereotyped sentence: the group it names, the trait, and where the sentence is."""

    group: str
    group_word: str
    trait: str
    sentence: str
    start: int
    end: int


def _trait_in(sentence: str, tokens: list[str], stems: tuple[str, ...]) -> str | None:
    for stem in stems:
        if " " in stem:  # a phrase: matched in the sentence text
            if re.search(rf"\b{re.escape(stem)}", sentence):
                return stem
        else:
            for token in tokens:
                if token.startswith(stem):
                    return token
    return None


def stereotype_hits(text: str) -> list[StereotypeHit]:
    """Every sentence of `text` that names a group together with a trait of its stereotype."""
    hits: list[StereotypeHit] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group().lower().replace("’", "'")
        tokens = words(sentence)
        present = set(tokens)
        for group, names in GROUPS.items():
            named = sorted(present & names)
            if not named:
                continue
            trait = _trait_in(sentence, tokens, TRAITS[group])
            if trait is not None:
                stripped = match.group().strip()
                start = match.start() + match.group().index(stripped[:1]) if stripped else 0
                hits.append(
                    StereotypeHit(group, named[0], trait, stripped, start, start + len(stripped))
                )
    return hits
