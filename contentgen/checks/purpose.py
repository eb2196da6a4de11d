"""Purpose (rubric U6, L1): what the copy says the product is made for.

Marketing copy only. A small model opens copy with a purpose it invents: "made for mornings and
afternoons" (a linen shirt), "Built for days between work and the bedroom" (a desk), "made for
long weeks on the property" (a desk for home workers). Of the 441 blind-graded outputs of the
fourth and fifth copywriter rounds (benchmarks/results/blind_review_adapter_v4, _v5), the 156
with such a phrase were graded 3 publishable, 22 light edit and 131 unusable. Of all 2,160
blind-graded outputs (benchmarks/results/blind_review*) this check rejects 150: 136 graded
unusable, 13 light edit and 1 publishable ("ready for any season" for a duvet cover).

A purpose phrase is "made / built / designed / created / crafted / perfect / ideal / ready for X"
or "your new favourite for X", X running to the end of its clause. Its content words (Snowball
stems, as the benefits check reads them) fit when, beyond the product's name, kind, category and
facts and the request's audience ("made for light sleepers"), at least half of the words left
come from one of:

- what the audience uses such products for, as the corpus lexicon records it per category
  (data/audience_hooks.json, written by scripts/build_benefit_lexicon.py: students of apparel,
  "lectures, libraries and late nights", so "Made for lectures and late nights" fits); for a
  category the lexicon does not know, the audience's uses in any category;
- a benefit the brief states for one of the product's facts, or the benefit lexicon records for
  it ("ready for soil in minutes": tool-free assembly of a raised bed).

- what the brief itself says the product is made for (its `made_for` fact, which a marketing
  request fills in from the same lexicon: contentgen.tasks.brief_suggestions). Where the brief
  says it, only this audience's own uses count beside it, not every audience's: "made for long
  evenings on the go" (a use the lexicon records for another audience of the category) for a hub
  whose brief says "working from hotels and airports" was graded unusable all 3 times.

Anything else is `unfit_purpose`. For an audience the lexicon does not know, in a brief with no
`made_for`, nothing is judged: what such an audience uses a product for is not recorded.

A field that states its purpose twice in words it shares ("The bed is built for beginners. It is
designed with beginners in mind."; "your new favourite for long evenings with a good book. It is
made for long evenings with a good book.") is `repeated_purpose`, for any audience: "designed with
X in mind" counts as a purpose phrase here. Of all blind-graded outputs, the 17 that did so were
all graded unusable; the copywriting corpus stacked two purposes in a third of its emails until
its email openings stopped doing so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from contentgen.checks import benefit_lexicon
from contentgen.checks.base import EvalInput
from contentgen.checks.benefits import content_stems, fact_benefits
from contentgen.checks.data_files import read_json
from contentgen.checks.detector import Detector, fact_texts, product_facts, text_fields
from contentgen.checks.problems import Problem
from contentgen.types import Task

MADE_FOR = "made_for"  # the brief fact that says what the audience uses the product for
MIN_FIT = 0.5  # of a purpose's own words, the share a hook or a benefit must hold
HOOKS_FILE = "audience_hooks.json"
# A comma ends the purpose only where a new clause starts after it ("made for a well-balanced,
# productive study" is one purpose; "made for students, and it costs 49 EUR" is not).
_CLAUSE_START = (
    r"and|but|so|which|while|thanks|with|it|its|it's|the|this|that|at|for|from|in|now|all|only|"
    r"priced|order|shop|yours|get|grab|discover|explore|available|just"
)
_PURPOSE = re.compile(
    r"\b(?:(?:made|built|designed|created|crafted|perfect|ideal|ready)\s+for"
    r"|your\s+new\s+favourite\s+for)\s+"
    rf"(?P<purpose>(?:[^.,;:!?\n]|,(?!\s*(?:(?:{_CLAUSE_START})\b|[\d€$£])))+)",
    re.I,
)
_IN_MIND = re.compile(r"\bwith\s+(?P<purpose>[^.,;:!?\n]+?)\s+in\s+mind\b", re.I)
_OWN_KEYS = ("name", "title", "brand", "product_type", "category")


class PurposeCheck(Detector):
    """Gate 'purpose': a purpose the copy gives the product that nothing in the request supports."""

    name = "purpose"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """One Problem per unfit purpose phrase, per field (none for an audience the lexicon
        does not know in a brief that says nothing of what the product is for)."""
        fields = text_fields(item)
        phrases = [(field, m) for field, value in fields.items() for m in _PURPOSE.finditer(value)]
        if not phrases:  # most copy states no purpose: nothing to stem
            return []
        found = [self.problem("repeated_purpose", f, said) for f, said in _repeated(fields)]
        product = product_facts(item)
        audience = item.facts.get("audience")
        audience = audience if isinstance(audience, str) else ""
        hooks = _purposes(product, audience)
        if not hooks:
            return found
        known = _known_words(product, audience)
        benefits = [says for _, says in fact_benefits(product)]
        supports = [content_stems(text) for text in [*hooks, *benefits]]
        for field, match in phrases:
            left = content_stems(match.group("purpose")) - known
            if left and not any(len(left & s) >= MIN_FIT * len(left) for s in supports):
                found.append(self.problem("unfit_purpose", field, match.group(0).strip()))
        return found


def _purposes(product: Mapping[str, Any], audience: str) -> list[str]:
    """What the copy may say the product is for: what the brief says (its `made_for`) and this
    audience's own uses where the brief says it; else every audience's uses of the category."""
    stated = product.get(MADE_FOR)
    if isinstance(stated, str) and stated.strip():
        return [stated, *audience_uses(audience, product.get("category"))]
    return audience_hooks(audience, product.get("category"))


def _repeated(fields: Mapping[str, str]) -> list[tuple[str, str]]:
    """(field, the second purpose) for each field that states two purposes sharing a word."""
    found = []
    for field, value in fields.items():
        matches = sorted(
            [*_PURPOSE.finditer(value), *_IN_MIND.finditer(value)], key=lambda m: m.start()
        )
        said: list[frozenset[str]] = []
        for match in matches:
            words = content_stems(match.group("purpose"))
            if any(words & before for before in said):
                found.append((field, match.group(0).strip()))
                break
            said.append(words)
    return found


def _known_words(product: Mapping[str, Any], audience: str) -> frozenset[str]:
    """The stems a purpose may always use: the product's own words, facts and the audience."""
    texts = [str(product.get(k, "")) for k in _OWN_KEYS]
    return content_stems(" ".join([*texts, *fact_texts(product), audience]))


def audience_uses(audience: object, category: object) -> list[str]:
    """What the audience uses products of the category for (for a category the lexicon does
    not know, what it uses any product for); empty for an audience it does not know."""
    if not isinstance(audience, str):
        return []
    hooks, wanted = _hooks(), audience.strip().lower()
    label = benefit_lexicon.category_label(category)
    if label in hooks:
        return [hooks[label][wanted]] if wanted in hooks[label] else []
    return list(dict.fromkeys(per[wanted] for per in hooks.values() if wanted in per))


def audience_hooks(audience: object, category: object) -> list[str]:
    """The purposes copy may give a product of the category for this audience: every
    audience's uses of the category when the lexicon knows the audience there (a shirt for
    students may also be for "everyday wear"), else the audience's uses anywhere."""
    label = benefit_lexicon.category_label(category)
    if label in _hooks():
        return list(_hooks()[label].values()) if audience_uses(audience, category) else []
    return audience_uses(audience, category)


@lru_cache(maxsize=1)
def _hooks() -> Mapping[str, Mapping[str, str]]:
    """data/audience_hooks.json: category label -> audience -> hook."""
    return {
        label: {name.lower(): hook for name, hook in per.items()}
        for label, per in read_json(HOOKS_FILE).items()
    }
