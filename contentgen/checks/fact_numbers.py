"""What the facts of a request allow a text to state: numbers with their kind and unit, and ids.

A number in copy is grounded only when a fact states the same value with a compatible unit
(89 EUR grounds "€89" and a plain "89", never "10 EUR"; "-25 °C" never grounds "25 °C"; a range
"30-40 cm" grounds 30 cm and 40 cm, not their difference), or when it is one of these documented
derivations, computed only for marketing copy (`derived=True`):

1. Saving: a regular price minus a lower current price ("save €20" from a list price of 109
   and a price of 89).
2. Percentage off: that saving as a share of the regular price, rounded half-up to a whole
   percent or to a tenth, or rounded down to a whole percent ("18% off", "18.3% off").
3. Sale price and saving from a discount: a price and a percentage-off fact give the price
   after the discount and the amount saved, to the cent (100 EUR and "20% off" make 80 and 20).

A regular price is a price fact whose key says so (list, regular, was, rrp, msrp, original,
compare, before, old, usual, retail), or, when some price key marks a sale (sale, offer, now,
deal, promo, special, reduced, discounted), any price whose key does not; the others are current
prices. Price facts are
written with a currency or sit under a key naming a price (price, cost, amount, total, fee, ...),
whose currency may come from the key too ("price_eur"). No other arithmetic is grounded: not the
difference of two sizes, and never text such as "7*7". Numbers inside the product's name
(`product.name`, `title`, `short_name`) ground plain numbers and measurements only, never a price
or a percentage; ids are not numbers at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from typing import Any

from contentgen.checks.number_claims import (
    CURRENCIES,
    EXACT,
    UNIT_NAMES,
    Kind,
    NumberClaim,
    number_claims,
    same_unit,
)

NAME_KEYS = frozenset({"name", "title", "short_name", "short_names"})
_PRICE_WORDS = frozenset(
    {"price", "prices", "cost", "amount", "total", "fee", "msrp", "rrp", "mrp", "was", "sale"}
)
_REGULAR_WORDS = frozenset(
    {"list", "regular", "was", "rrp", "msrp", "original", "compare", "before", "old", "usual",
     "retail"}
)  # fmt: skip
_SALE_WORDS = frozenset(
    {"sale", "offer", "now", "deal", "promo", "special", "reduced", "discounted", "current"}
)
_PERCENT_WORDS = frozenset({"percent", "pct", "percentage"})
_DISCOUNT_WORDS = frozenset({"discount", "off", "reduction", "sale", "saving", "savings"})
_KEY_SPLIT = re.compile(r"[^a-z0-9]+")
# Only savings shares divide, at a fixed precision: they are rounded to a tenth anyway.
_SHARE = Context(prec=34, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)
_MAX_SPAN = 100_000
_CENT, _WHOLE, _TENTH = Decimal("0.01"), Decimal("1"), Decimal("0.1")


@dataclass(frozen=True)
class FactNumber:
    """One number a fact states: its kind and unit, its price role, and whether it is in a name."""

    value: Decimal
    kind: Kind
    unit: str | None = None
    in_name: bool = False
    regular: bool = False
    discount: bool = False
    sale: bool = False
    # "saving", "share" or "after" (a discounted price) for the documented derivations.
    derived: str = ""


def _key_words(key: str) -> set[str]:
    return set(_KEY_SPLIT.split(key.lower())) - {""}


def walk_facts(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(key path, leaf) for every leaf of nested facts, depth-first, without recursion."""
    stack: list[tuple[tuple[str, ...], Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend(reversed([(where + (str(k),), v) for k, v in item.items()]))
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(reversed([(where, v) for v in item]))
        elif item is not None and not isinstance(item, bool):
            yield where, item


def _fact_number(item: int | float | Decimal) -> Decimal | None:
    """The value of a numeric fact; NaN and infinities state no number."""
    if isinstance(item, int):
        return Decimal(item)  # exact at any size (str() of a huge int is refused)
    value = Decimal(repr(item)) if isinstance(item, float) else item
    return value if value.is_finite() else None


def _fact_text(item: Any) -> str:
    """A fact as text; ints through Decimal, which prints any number of digits."""
    return str(Decimal(item)) if isinstance(item, int) else str(item)


def _from_key(key: str) -> tuple[Kind, str | None]:
    """What a key says about a bare number under it: a price (and currency), a share, a unit."""
    words = _key_words(key)
    currency = next((CURRENCIES[w] for w in words if w in CURRENCIES and len(w) == 3), None)
    if words & _PRICE_WORDS or currency:
        return "price", currency
    if words & _PERCENT_WORDS:
        return "percent", "%"
    unit = next((UNIT_NAMES[w] for w in words if w in UNIT_NAMES and len(w) > 1), None)
    return "number", unit


def stated_numbers(path: tuple[str, ...], item: Any) -> list[FactNumber]:
    """The numbers one fact states, typed by how they are written and by their key."""
    key = path[-1] if path else ""
    key_kind, key_unit = _from_key(key)
    words = _key_words(key)
    in_name = key.lower() in NAME_KEYS and "product" in path[:-1]
    regular = bool(words & _REGULAR_WORDS)
    discount = bool(words & _DISCOUNT_WORDS)
    sale = bool(words & _SALE_WORDS) and not regular
    if isinstance(item, int | float | Decimal):
        value = _fact_number(item)
        claims = [] if value is None else [(value, key_kind, key_unit)]
    else:
        claims = []
        for claim in number_claims(_fact_text(item), all_words=True):
            kind, unit = claim.kind, claim.unit
            if kind == "number" and unit is None and key_kind != "number":
                kind, unit = key_kind, key_unit
            elif kind == "number" and unit is None:
                unit = key_unit
            claims += [(v, kind, unit) for v in claim.values]
    out = []
    for value, kind, unit in claims:
        if kind == "arithmetic":
            continue
        if in_name and kind in ("price", "percent"):
            kind, unit = "number", None
        out.append(
            FactNumber(value, kind, unit, in_name, regular, discount and kind == "percent", sale)
        )
    return out


@dataclass(frozen=True)
class FactIndex:
    """What the facts of one request allow a text to state: numbers by value, and the text."""

    numbers: Mapping[Decimal, tuple[FactNumber, ...]]
    corpus: str

    @property
    def values(self) -> frozenset[Decimal]:
        """Every value the facts state or allow (derivations included)."""
        return frozenset(self.numbers)

    @classmethod
    def build(cls, facts: Mapping[str, Any], *, derived: bool = False) -> FactIndex:
        """Index every number and string in `facts` (nested mappings and lists included).

        With `derived`, the savings, shares and sale prices of the module docstring count too.
        """
        stated: list[FactNumber] = []
        texts: list[str] = []
        for path, item in walk_facts(facts):
            texts.append(_fact_text(item))
            stated += stated_numbers(path, item)
        if derived:
            stated += _derived(stated)
        numbers: dict[Decimal, list[FactNumber]] = defaultdict(list)
        for fact in stated:
            numbers[fact.value].append(fact)
        return cls({v: tuple(f) for v, f in numbers.items()}, "\n".join(texts))

    def grounded_number(self, claim: NumberClaim) -> bool:
        """Whether a fact states one of the claim's values with a compatible kind and unit."""
        if claim.kind == "arithmetic":
            return False
        return any(
            compatible(claim, fact) for v in claim.values for fact in self.numbers.get(v, ())
        )

    def sign_dropped(self, claim: NumberClaim) -> bool:
        """Whether an ungrounded positive claim is a fact's negative number without its minus."""
        if claim.signed or claim.kind == "arithmetic" or self.grounded_number(claim):
            return False
        return any(
            compatible(claim, fact)
            for v in claim.values
            if v > 0
            for fact in self.numbers.get(-v, ())
        )

    def grounded_id(self, token: str) -> bool:
        """Whether the id (without '#', case-insensitive) is written in the facts."""
        body = re.escape(token.lstrip("#"))
        return re.search(rf"(?<![\w-]){body}(?![\w-])", self.corpus, re.IGNORECASE) is not None


def compatible(claim: NumberClaim, fact: FactNumber) -> bool:
    """Whether a fact of equal value grounds the claim: prices need price facts, units agree."""
    if claim.kind == "price":
        return fact.kind == "price" and fact.unit in (None, claim.unit)
    if claim.kind == "percent":
        return fact.kind == "percent"
    if claim.unit is None:
        return True
    return fact.kind == "number" and (fact.unit is None or same_unit(claim.unit, fact.unit))


def _derived(stated: list[FactNumber]) -> list[FactNumber]:
    """The documented derivations: savings, shares off and discounted prices (see module doc)."""
    regular, current = price_roles(stated)
    out: list[FactNumber] = []
    for high in regular:
        for low in current:
            other_currency = None not in (low.unit, high.unit) and low.unit != high.unit
            if low.value >= high.value or other_currency:
                continue
            saved = EXACT.subtract(high.value, low.value)
            amount = saved.quantize(_CENT, context=EXACT)
            out.append(FactNumber(amount, "price", high.unit, derived="saving"))
            out += [
                FactNumber(s, "percent", "%", derived="share") for s in _shares(saved, high.value)
            ]
    shares = [f for f in stated if f.kind == "percent" and f.discount and 0 < f.value < 100][:10]
    for base in regular or current:
        for share in shares:
            saved = EXACT.scaleb(EXACT.multiply(base.value, share.value), -2)
            amount = saved.quantize(_CENT, context=EXACT)
            out.append(FactNumber(amount, "price", base.unit, derived="saving"))
            after = EXACT.subtract(base.value, saved).quantize(_CENT, context=EXACT)
            out.append(FactNumber(after, "price", base.unit, derived="after"))
    return out


def price_roles(stated: Sequence[FactNumber]) -> tuple[list[FactNumber], list[FactNumber]]:
    """(regular, current) among the stated positive prices (see the module docstring)."""
    prices = [
        f for f in stated if f.kind == "price" and f.value > 0 and _span(f.value) <= _MAX_SPAN
    ]
    marked_sale = any(f.sale for f in prices)
    regular = [f for f in prices if f.regular or (marked_sale and not f.sale)][:20]
    current = [f for f in prices if f not in regular][:20]
    return regular, current


def _shares(saved: Decimal, regular: Decimal) -> set[Decimal]:
    share = _SHARE.multiply(_SHARE.divide(saved, regular), 100)
    return {
        share.quantize(_WHOLE, context=_SHARE),
        share.quantize(_TENTH, context=_SHARE),
        share.quantize(_WHOLE, rounding=ROUND_FLOOR, context=_SHARE),
    }


def _span(value: Decimal) -> int:
    """How many digit positions a value covers, from its leading digit down to its last."""
    return max(value.adjusted(), 0) - min(int(value.as_tuple().exponent), 0)
