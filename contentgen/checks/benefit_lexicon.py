"""The benefit lexicon: what each known feature, material and certification does for its buyer.

`data/benefit_lexicon.json` is the copywriting corpus's lexicon (370 facts of 24 categories, 2-3
benefits each, by category, since "aluminium shell" does one thing for a suitcase and another for
a USB-C hub), copied by scripts/build_benefit_lexicon.py; a test keeps the copy equal to the
corpus. The `benefits` check judges an unstated benefit against it, and marketing requests fill
in benefits the brief does not state from it (contentgen.tasks.brief_suggestions).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from contentgen.checks.data_files import read_json

LEXICON_FILE = "benefit_lexicon.json"


@lru_cache(maxsize=1)
def by_category() -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    """Each known fact (lower case) with its benefits per category label."""
    return {
        fact: {category: tuple(says) for category, says in per_category.items()}
        for fact, per_category in read_json(LEXICON_FILE).items()
    }


@lru_cache(maxsize=1024)
def known(fact: str) -> tuple[str, ...]:
    """Every benefit the lexicon records for a fact, in any category (empty when unknown)."""
    per_category = by_category().get(fact.strip().lower(), {})
    return tuple(sorted({says for benefits in per_category.values() for says in benefits}))


def category_label(category: object) -> str:
    """A product's category in the lexicons' form: lower case, underscores read as spaces."""
    return category.strip().lower().replace("_", " ") if isinstance(category, str) else ""


def for_category(fact: str, category: object) -> tuple[str, ...]:
    """The fact's benefits in this category; where the category is not the lexicon's, its
    benefits only if every category shares them (else none: a guess could be nonsense)."""
    per_category = by_category().get(fact.strip().lower(), {})
    wanted = category_label(category)
    for label, benefits in per_category.items():
        if label == wanted:
            return benefits
    distinct = set(per_category.values())
    return distinct.pop() if len(distinct) == 1 else ()
