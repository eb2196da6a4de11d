"""Unsupported claims (rubric U2): superlatives, "new", luxury words and promises no fact supports.

Marketing copy only. Each kind of claim, and what lets it pass:

- `superlative`: "the best on the market", "your best desk", "finest", "greatest", "ultimate",
  "unbeatable", "unmatched", "unrivalled", "unparalleled", "second to none", "world's first",
  "#1", "number one", "world-class", "best-in-class", "top-rated", "industry-leading", "a leading
  manufacturer", "renowned", "masterpiece", "perfect in every way", "perfection", "flawless",
  "lowest price"; "-est" and "most" only as a ranking of the product ("is the lightest",
  "the most comfortable chair on the market"), not "even the smallest kitchens". Idioms that
  claim nothing about the product pass: "at its best", "best of all", "works best with", "the
  one that best fits", "look your best", "best friend", "the best of both worlds", "best
  regards"; so does "perfect for" + an audience.
- `new`: "a new pair of earbuds", "the new addition", "brand-new", "all-new", "latest",
  "newest", "just launched", unless a fact says new or launched. "Your new favourite" (the
  buyer's new possession), "a new habit" (not the product) and phrases of the prompt ("new
  parents") pass: "new" is a claim only with a determiner before it and, within three words
  after it, the product's head noun (last word of its name or type, "pair" of "pair of ..."),
  its brand, or a product noun ("design", "model", "addition").
- `comparison`: "better than a bulky carry-on suitcase", "lighter than other bags", "more
  comfortable than most chairs": a comparison with something the facts do not name. A number
  after "than" is a measure ("more than 20 hours") and passes, as do "rather than", "other
  than" and "than ever", "than before", "than expected", "than usual", "than you".
- `new` also: "Introducing the X" at the start of a sentence, which presents the product as a
  launch (of the 1,889 blind-graded outputs, the 18 with it were graded 15 unusable and 3 light
  edit, none publishable); its `fix` greets it instead: "Meet the X", which the engine makes.
- `luxury`: "luxury", "luxurious", "exquisite", "premium", "high-end", "deluxe", "opulent",
  "lavish", unless the facts hold the word.
- `guarantee`: "guaranteed", "money-back", unless a warranty or guarantee fact.
- `free`: something given free, "no additional cost", "no extra charge", "free of charge", "at
  no cost", "for free", "a free gift", unless a fact says free, included or complimentary ("PFAS-
  free" is a material, not an offer); the 9 blind-graded outputs with it were all unusable.
- `proof`: "best-selling", "bestseller", "award-winning", "clinically proven", "limited stock",
  "limited edition", "while stocks last", "selling fast", "sale ends", unless the facts say so.

Any claim passes when the facts hold its word, or when a negation or a comparison ("not",
"without", "like", "than", "rivals") is among the three words before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, fact_values, text_fields, word_set
from contentgen.checks.fact_numbers import walk_facts
from contentgen.checks.polarity import NEGATIONS
from contentgen.checks.problems import Problem
from contentgen.types import Task

_EST = (
    "lightest|strongest|fastest|softest|warmest|quietest|smallest|thinnest|toughest|cheapest"
    "|brightest|sharpest|safest|cleanest|smartest|easiest|comfiest|cosiest|coziest|sturdiest"
    "|most \\w+"
)
_SUPERLATIVE = re.compile(
    r"\b(?:best(?!-selling|seller| seller)|finest|greatest|ultimate|unbeatable|unmatched"
    r"|unrivall?ed|unparalleled|second to none|world'?s first|world-first|first-ever"
    r"|number[- ]one|no\. ?1|world-class|best-in-class|top-rated|(?:industry|market)-leading"
    r"|leading (?:brand|manufacturer|maker|provider|name)s?|renowned|masterpiece"
    r"|perfect in every \w+|perfection|flawless(?:ly)?|nothing but perfect\w*|lowest prices?"
    rf"|(?:is|are|'s|’s)\s+(?:the|our)\s+(?:{_EST})"
    rf"|(?:the|our)\s+(?:{_EST})(?:\s+\w+){{0,3}}?\s+(?:on the market|ever made|in the world"
    r"|you can buy|money can buy|of all time|in its class))\b|#1\b",
    re.IGNORECASE,
)
# Idioms around "best" that claim nothing about the product.
_BEST_BEFORE = re.compile(
    r"\b(?:at (?:its|their|your|his|her|our)|(?:works?|fits?|suits?|looks?|feels?|sounds?|does"
    r"|do|performs?|look|feel|be|bring out|make|makes|making|what (?:it|they|you|we) do"
    r"|try|trying|doing)(?: (?:your|its|their|the|our))?|all the|to the|one that|ones that"
    r"|which|that)\s+$",
    re.IGNORECASE,
)
_BEST_AFTER = re.compile(
    r"^\s*(?:of all|of both worlds|friends?|regards|wishes|before|practices?|fits?|suits?|suited"
    r"|describes?|matches?|serves?|\w+ed\b|read|kept|worn|left|done|eaten|seen|drunk|spent|,\s*$)",
    re.IGNORECASE,
)
_NEW = re.compile(
    r"\b(?:(?P<det>a|an|the|our|this|these)\s+)?(?P<word>brand[- ]new|all-new|new)\b"
    r"|\b(?:newest|latest|just launched|new arrivals?)\b",
    re.IGNORECASE,
)
# "Introducing the X" at the start of a field or sentence: the product presented as a launch.
_INTRODUCED = re.compile(r"(?:^|(?<=[.!?]\s)|(?<=\n))(Introducing)\s+(?:the|our|a|an)\b")
_PRODUCT_NOUNS = word_set(
    "product products model models design designs version addition collection range edition "
    "release line item innovation innovations generation launch"
)
_LUXURY = re.compile(
    r"\b(?:luxur(?:y|ious|iously)|exquisite(?:ly)?|premium|high-end|deluxe|opulent|lavish)\b",
    re.IGNORECASE,
)
_GUARANTEE = re.compile(r"\b(?:guarantee[ds]?|money-back)\b", re.IGNORECASE)
_PROOF = re.compile(
    r"\b(?:best-?selling|best-?sellers?|award-winning|clinically proven|scientifically proven"
    r"|limited (?:stock|edition|time)|while stocks? lasts?|selling fast|sale ends)\b",
    re.IGNORECASE,
)
# A comparison with something the facts do not name: "better than a bulky carry-on suitcase",
# "lighter than other bags". A number after "than" is a measure ("more than 20 hours").
_COMPARISON = re.compile(
    r"\b(?!(?:rather|other|whether|sooner|later|never|over|under|after|ever)\b)"
    r"(?:better|worse|(?:more|less)\s+[\w-]+|[a-z]{2,}er)\s+than\b"
    r"(?!\s+(?:[€$£]?\d|ever\b|before\b|expected\b|usual\b|you\b))",
    re.IGNORECASE,
)
# Something given free: "There is no additional cost, after €239.20" (9 blind-graded outputs,
# all unusable); no copy of the corpus says it.
_FREE = re.compile(
    r"\b(?:no\s+(?:additional|extra|hidden)\s+(?:costs?|charges?|fees?)|free\s+of\s+charge"
    r"|at\s+no\s+cost|for\s+free|free\s+gift)\b",
    re.IGNORECASE,
)
_COMPARISONS = word_set("like as than rivals rival compared similar unlike")
_WORD = re.compile(r"[\w'’]+")


class UnsupportedClaimsCheck(Detector):
    """Gate 'unsupported_claims': superlatives, "new", luxury and promises no fact supports."""

    name = "unsupported_claims"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """One Problem per unsupported claim, per field."""
        facts = _fact_text(item)
        product = _product_words(item)
        prompt = item.prompt.lower()
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            for kind, start, end in _claims(value, facts, product, prompt):
                if value[start:end] == "Introducing":  # a launch, said as a greeting instead
                    found.append(self.problem(kind, field, value[start:end], start=start,
                                              end=end, fix="Meet"))  # fmt: skip
                    continue
                evidence = value[max(0, start - 30) : end].strip()
                found.append(
                    self.problem(
                        kind, field, evidence, limit=value[start:end], start=start, end=end
                    )  # fmt: skip
                )
        return found


def _product_words(item: EvalInput) -> frozenset[str]:
    """The product's head nouns and brand: what "new" would be claimed of ("bed", "pair")."""
    product = item.facts.get("product")
    if not isinstance(product, Mapping):
        return frozenset()
    heads: list[str] = []
    for key in ("name", "short_name", "product_type", "brand"):
        words = _WORD.findall(str(product.get(key, "")).lower())
        heads += words[-1:] if key != "brand" else words
        if "of" in words[1:]:  # "pair of true wireless earbuds": a pair
            heads.append(words[words.index("of", 1) - 1])
    return frozenset(w for w in heads if len(w) >= 3)


def _fact_text(item: EvalInput) -> str:
    """The facts as lower-case text, keys included ("warranty: 2 years")."""
    return " ".join(
        f"{' '.join(path[-1:])}: {value}" for path, value in walk_facts(fact_values(item))
    ).lower()


def _claims(
    text: str, facts: str, product: frozenset[str], prompt: str
) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of every claim in `text` that the facts do not support."""
    lower = text.lower()
    for m in _SUPERLATIVE.finditer(text):
        if m.group().lower().startswith("best") and _best_idiom(lower, m.start(), m.end()):
            continue
        yield from _unless(lower, m, facts, "superlative")
    launched = re.search(r"\b(?:new|newest|latest|launch\w*)\b", facts) is not None
    for m in _NEW.finditer(text):
        if not launched and _claims_new(lower, m, product, prompt):
            yield from _unless(lower, m, "", "new")
    if not launched:
        yield from (("new", m.start(1), m.end(1)) for m in _INTRODUCED.finditer(text))
    for pattern, kind, allowed in (
        (_COMPARISON, "comparison", None),
        (_LUXURY, "luxury", None),
        (_GUARANTEE, "guarantee", r"\b(?:warrant\w*|guarantee\w*)\b"),
        (_PROOF, "proof", None),
        (_FREE, "free", r"(?<![\w-])(?:free|included|complimentary)(?![\w-])"),
    ):
        if allowed is not None and re.search(allowed, facts):
            continue
        for m in pattern.finditer(text):
            yield from _unless(lower, m, facts, kind)


def _unless(lower: str, m: re.Match[str], facts: str, kind: str) -> Iterator[tuple[str, int, int]]:
    """The claim, unless the facts hold its words or a negation or comparison comes before it."""
    phrase = m.group().lower()
    if facts and re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", facts):
        return
    before = [w.replace("’", "'") for w in _WORD.findall(lower[max(0, m.start() - 40) : m.start()])]
    if any(w in NEGATIONS or w in _COMPARISONS or w.endswith("n't") for w in before[-3:]):
        return
    yield kind, m.start(), m.end()


def _best_idiom(lower: str, start: int, end: int) -> bool:
    """Whether "best" here is an idiom that says nothing about the product ("at its best")."""
    if _BEST_BEFORE.search(lower[max(0, start - 40) : start]):
        return True
    return bool(_BEST_AFTER.match(lower[end : end + 30]))


def _claims_new(lower: str, m: re.Match[str], product: frozenset[str], prompt: str) -> bool:
    """Whether this "new" claims the product is new (see the module docstring)."""
    word = (m.group("word") or "").lower()
    if word != "new":  # brand-new, all-new, newest, latest, just launched
        return not lower[: m.start()].endswith("at the ")  # "by Friday at the latest"
    after = _WORD.findall(re.split(r"[.,;:!?]", lower[m.end() : m.end() + 50])[0])[:3]
    if m.group("det") is None or not after:
        return False
    if f"new {after[0]}" in prompt:
        return False  # the audience's words ("new parents")
    return any(w in product or w in _PRODUCT_NOUNS for w in after)
