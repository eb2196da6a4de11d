"""What a marketing brief leaves out, filled in from the project's lexicons.

Catalogue rows list features ("tool-free assembly, corner reinforcements") and seldom say what
they do for the buyer or what the audience wants the product for. Copy written from such a row
lists bare features (the blind review sent every bare feature list back, rubric L3), and a small
model invents a purpose ("made for mornings and afternoons" for a linen shirt). A marketing
request therefore fills in, unless `suggestions = "off"`:

- `benefits`: for each feature, material and certification its brief gives no benefit, one
  benefit the benefit lexicon records for that fact in the product's category
  (contentgen.checks.benefit_lexicon). A fact the lexicon does not know, or knows only in other
  categories with different benefits, gets none; a stated benefit is never replaced.
- `made_for`: what the request's audience uses products of this category for, as the corpus
  lexicon records it (students of apparel: "lectures, libraries and late nights";
  contentgen.checks.purpose.audience_hooks), when the brief does not say and the lexicon knows
  the audience there (in a category it does not know: when the audience has one use anywhere).

The request keeps the filled-in brief, so the checks hold the copy to it and the stored request
shows exactly what the model was given.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from contentgen.checks.benefit_lexicon import for_category
from contentgen.checks.benefits import stated_benefits
from contentgen.checks.detector import fact_texts
from contentgen.checks.purpose import MADE_FOR, audience_uses

SUGGESTION_SOURCES = ("lexicon", "off")


def with_suggestions(product: Mapping[str, Any], audience: str | None) -> dict[str, Any]:
    """The product with lexicon benefits for its unexplained facts and, for a known audience,
    what that audience uses it for."""
    filled = with_suggested_benefits(product)
    if MADE_FOR not in filled and audience:
        use = suggested_use(audience, filled.get("category"))
        if use:
            filled = {**filled, MADE_FOR: use}
    return filled


def with_suggested_benefits(product: Mapping[str, Any]) -> dict[str, Any]:
    """The product with a lexicon benefit for each known fact its brief states none for."""
    given = product.get("benefits")
    if given is not None and not isinstance(given, Mapping):
        return dict(product)  # free text: nothing to merge into, and nothing to override
    stated = stated_benefits(product)
    category = product.get("category")
    name = str(product.get("name") or product.get("title") or "")
    added: dict[str, str] = {}
    for fact in fact_texts(product):
        if fact.lower() in stated:
            continue
        choices = for_category(fact, category)
        if choices:
            added[fact] = choices[_pick(name, fact, len(choices))]
    if not added:
        return dict(product)
    return {**product, "benefits": {**(given or {}), **added}}


def suggested_use(audience: str, category: object) -> str | None:
    """What the audience uses products of the category for, when the lexicon says so (for an
    unknown category, only an audience with one use in every category it knows: a guess
    between several could be wrong)."""
    uses = audience_uses(audience, category)
    return uses[0] if len(uses) == 1 else None


def _pick(name: str, fact: str, count: int) -> int:
    """A stable choice among a fact's benefits, varied from product to product."""
    return zlib.crc32(f"{name}\x1f{fact}".lower().encode()) % count
