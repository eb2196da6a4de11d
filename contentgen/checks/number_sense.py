"""Number sense: a number the facts state is used in the sense the facts give it.

The `numbers` gate checks that a value is grounded; this one checks how the copy reads it
(marketing copy only):

1. A price stays a price. A number that only price facts state is written with its currency
   ("It weighs 779.90" for a 779.90 EUR list price fails: `price_without_currency`) and never
   after a verb of the table below ("runs on the 19.90€ price point": `price_as_measure`), nor as
   the effect of a feature ("Thanks to the opal glass, €79.": `price_as_effect`).
2. A saving is a saving. An amount or share right after "save", "saving" or "discount", or right
   before "off" or "saved", is a documented saving or share off (`contentgen.checks.fact_numbers`)
   or a saving fact, never a price: "Order now and save €119." for a 119 EUR shirt fails
   (`not_a_saving`).
3. A regular price is labelled. When the facts hold a regular price above the current one, the
   sentence that gives the regular price says which it is (was, instead of, previously, reduced,
   down from, from ... to, regular, list price, RRP, original, before, save, off, "→", "~~"):
   "€239.20, €299.00." fails (`unlabelled_regular_price`), and so do "now €299" for the regular
   price and "instead of €239.20" for the current one (`swapped_prices`).
4. A price without a reduction is not "now" one. When the facts give one price (no regular
   price above a current one, no discount), "It is now €79" or "Now only €79" announces a price change the
   facts do not give (`implied_discount`, the rubric's invented discount), and so does the one
   price given as a former one ("It is reduced from €159 to €159", "was €79"); "available now
   for €79" and "Order now. €79." say no such thing.
5. A price shows its cents in full: "€71.2" is `price_cents`, corrected to "€71.20" (a `fix`
   the engine applies).
6. A weight keeps its fact's meaning. A mass (kg, g, lb, oz) right after a verb of the table
   whose grounding facts all sit under keys that name another quantity fails (`wrong_quantity`):
   "It weighs 3.5 kg" for `baby weight: 3.5-15 kg`, "can move up to 80 kg" for `maximum load:
   80 kg`. Facts under keys that name no quantity ("features") never fail it, nor does a verb
   whose subject is named in the key ("The fabric weighs 180 g" for `fabric weight: 180 g`);
   other units are not judged ("holds a charge for 12 hours" is not a load).

| verb before the number (up to four words before it, same clause) | quantity |
|---|---|
| weighs, weighing, weigh | weight |
| holds, carries, supports, bears, lifts | load, capacity |
| fits, stores | capacity, size |
| moves, travels | motion, size |
| measures, measuring | size |
| lasts, lasting, runs for | time |
| runs on, powered by | power (never a price) |

Fact keys: "weight" alone (or net, item, product, total weight) is the product's weight; load,
payload, or a weight of a baby, child, user, rider or pet, or a maximum weight, is a load;
any other "... weight" (fabric, paper) is its own quantity; capacity, volume, tank: capacity;
length, width, height, depth, size, dimensions, diameter, thickness: size; battery, runtime,
playtime, duration: time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, fact_values, text_fields, word_set
from contentgen.checks.fact_numbers import (
    FactIndex,
    FactNumber,
    compatible,
    price_roles,
    stated_numbers,
    walk_facts,
)
from contentgen.checks.grounding import product_names
from contentgen.checks.number_claims import NumberClaim, number_claims
from contentgen.checks.problems import Problem
from contentgen.types import Task

_VERBS: tuple[tuple[str, frozenset[str]], ...] = (
    (r"weigh(?:s|ing)?(?: in at)?", frozenset({"weight"})),
    (
        r"(?:hold|carr(?:y|ies)|carrying|support|bear|lift)(?:s|ing)?",
        frozenset({"load", "capacity"}),
    ),
    (r"(?:fit|store)(?:s|ing)?", frozenset({"capacity", "size"})),
    (r"(?:move|travel)(?:s|d|ing)?", frozenset({"motion", "size"})),
    (r"measur(?:es|ing|e)", frozenset({"size"})),
    (r"(?:lasts|lasting|runs? for)", frozenset({"time"})),
    (r"(?:runs? on|powered by)", frozenset({"power"})),
)
_VERB = re.compile(
    r"\b(?:" + "|".join(f"(?P<v{i}>{p})" for i, (p, _) in enumerate(_VERBS)) + r")\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:!?()\n]|\.(?:\s|$)")
_SAVING_BEFORE = re.compile(
    r"\b(?:save|saves|saving|savings|discount|reduction)\b"
    r"(?:\s+(?:you|yourself|of|up|to|an?|extra|further|over|nearly|almost|just|only))*\s*$",
    re.IGNORECASE,
)
_SAVING_AFTER = re.compile(r"\s*(?:off\b(?!-)|saved\b|discount\b)", re.IGNORECASE)
_REGULAR_MARK = re.compile(
    r"\b(?:was|were|instead of|previously|reduced|down from|regular(?:ly)?|usual(?:ly)?|normally"
    r"|list price|rrp|msrp|original(?:ly)?|before|compare[sd]?|old price|save|saving|savings"
    r"|off|discount(?:ed)?|sale)\b|→|->|~~|\bfrom\s+\S*\d[\d.,]*\S*(?:\s?(?:eur|usd|gbp))?\s+to\b",
    re.IGNORECASE,
)
_CURRENT_WORDS = word_set("now only just")
_NOW_BEFORE = re.compile(r"\bnow(?:\s+(?:only|just))?\s*$", re.IGNORECASE)
_REGULAR_BEFORE = re.compile(
    r"\b(?:was|instead of|previously|reduced from|down from|regular(?:ly)?|list price|rrp)"
    r"\W{0,3}$",
    re.IGNORECASE,
)
_EFFECT = re.compile(r"^\W*(?:thanks to|because of|due to)\b", re.IGNORECASE)
_PRICE_WORDS = word_set(
    "price prices priced cost costs costing pay for at now was were instead from only just save "
    "saving off"
)
# Words that start another clause or a price: "holds 60 gummies and costs 13.99 EUR".
_GAP_BREAK = word_set("and or but while which that so costs cost priced price pay is are")
_MASS = frozenset({"kg", "g", "mg", "lb", "oz"})
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
_WORD = re.compile(r"[\w'’]+")


@dataclass(frozen=True)
class _Facts:
    """What the facts say about prices and quantities, read once per output."""

    index: FactIndex
    keyed: tuple[tuple[FactNumber, str], ...]
    savings: frozenset[Decimal]
    regular: frozenset[Decimal]
    current: frozenset[Decimal]

    @classmethod
    def read(cls, facts: Mapping[str, Any]) -> _Facts:
        """Index the facts: numbers with their keys, savings, regular and sale prices."""
        keyed: list[tuple[FactNumber, str]] = []
        savings: set[Decimal] = set()
        for path, item in walk_facts(facts):
            for fact in stated_numbers(path, item):
                keyed.append((fact, path[-1] if path else ""))
                if fact.discount or _key_words(path[-1] if path else "") & _SAVING_KEYS:
                    savings.add(fact.value)
        index = FactIndex.build(facts, derived=True)
        derived = [f for found in index.numbers.values() for f in found if f.derived]
        savings |= {f.value for f in derived if f.derived in ("saving", "share")}
        regular, current = price_roles([fact for fact, _ in keyed])
        on_sale = {
            r.value for r in regular if any(c.value < r.value and c.unit in (None, r.unit)
                                            for c in current)
        }  # fmt: skip
        return cls(
            index, tuple(keyed), frozenset(savings), frozenset(on_sale),
            frozenset(c.value for c in current),
        )  # fmt: skip

    def grounding(self, claim: NumberClaim) -> list[tuple[FactNumber, str]]:
        """The stated facts (with their keys) that ground the claim."""
        return [
            (fact, key)
            for fact, key in self.keyed
            if fact.value in claim.values and compatible(claim, fact)
        ]

    def only_prices(self, claim: NumberClaim) -> bool:
        """Whether every fact that grounds the claim's values is a price (derivations included)."""
        found = [
            f for v in claim.values for f in self.index.numbers.get(v, ()) if compatible(claim, f)
        ]
        return bool(found) and all(f.kind == "price" for f in found)


# "€71.2", not "€2.4 billion" (a scaled amount keeps one decimal).
_ONE_DECIMAL = re.compile(r"\d[.,]\d(?!\d)(?!\s*(?:million|billion|thousand|bn|mn|m|k)\b)", re.I)
_SAVING_KEYS = word_set("save saving savings discount off reduction")
_KEY_SPLIT = re.compile(r"[^a-z0-9]+")
_LOAD_WORDS = word_set(
    "max maximum baby babies child children kid kids infant toddler user rider pet dog cat "
    "capacity limit recommended"
)
_OWN_WEIGHT = word_set("weight net item product total own unit approx approximate kg g lb lbs")
_KEY_QUANTITIES = (
    (word_set("capacity volume tank contents"), "capacity"),
    (
        word_set("length width height depth size sizes dimensions dimension diameter thickness"),
        "size",
    ),
    (word_set("battery runtime playtime duration"), "time"),
)


def _key_words(key: str) -> set[str]:
    return set(_KEY_SPLIT.split(key.lower())) - {""}


def key_quantity(key: str) -> str | None:
    """The quantity a fact's key names ("baby weight" -> "load"), or None when it names none."""
    words = _key_words(key)
    if words & {"load", "payload"} or ("weight" in words and words & _LOAD_WORDS):
        return "load"
    if "weight" in words:
        return "weight" if words <= _OWN_WEIGHT else "other_weight"
    return next((quantity for keys, quantity in _KEY_QUANTITIES if words & keys), None)


def _verb_before(text: str, start: int) -> tuple[frozenset[str], list[str]] | None:
    """A table verb's quantities (four words before `start` at most) and the words before it."""
    window_start = max(0, start - 60)
    window = text[window_start:start]
    found = None
    for m in _VERB.finditer(window):
        gap = window[m.end() :]
        words = gap.lower().split()
        if len(words) > 4 or _CLAUSE_BREAK.search(gap) or set(words) & _GAP_BREAK:
            continue
        head = text[: window_start + m.start()]
        title_case = bool(re.match(r"\s+[A-Z]", gap))
        if (
            gap.startswith("-")
            or m.group()[0].isupper()
            and (title_case or head.strip() and not _SENTENCE_END.search(head[-3:]))
        ):
            continue  # "Laser Measures at €13.90", "Carry-On Suitcases": names, not verbs
        index = next(i for i in range(len(_VERBS)) if m.group(f"v{i}"))
        found = (_VERBS[index][1], _last_words(head, 3))
    return found


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence around text[start:end] (decimals do not end one)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    begin = max((e for e in ends if e <= start), default=0)
    finish = min((e for e in ends if e >= end), default=len(text))
    return begin, finish


def _last_words(text: str, n: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)][-n:]


class NumberSenseCheck(Detector):
    """Gate 'number_sense': prices, savings and measurements read in another sense than stated."""

    name = "number_sense"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """Misread prices, savings, unlabelled regular prices and measurements, per field."""
        facts = _Facts.read(fact_values(item))
        names = product_names(item.facts)
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            for claim in number_claims(value, names=names):
                if claim.kind == "arithmetic":
                    continue
                cents = _ONE_DECIMAL.search(claim.text) if claim.kind == "price" else None
                if cents is not None:  # "€71.2": a price is written with both cent digits
                    fixed = f"{claim.text[: cents.end()]}0{claim.text[cents.end() :]}"
                    found.append(self.problem("price_cents", field, claim.text, start=claim.start,
                                              end=claim.end, fix=fixed))  # fmt: skip
                for kind in _misreadings(value, claim, facts):
                    found.append(
                        self.problem(
                            kind,
                            field,
                            _context(value, claim),
                            limit=claim.text,
                            start=claim.start,
                            end=claim.end,
                        )  # fmt: skip
                    )
        return found


def _context(text: str, claim: NumberClaim) -> str:
    """The claim with the words before it, as evidence."""
    return text[max(0, claim.start - 40) : claim.end].strip()


def _misreadings(text: str, claim: NumberClaim, facts: _Facts) -> Iterable[str]:
    """Every way this claim misreads its facts (the kinds of the module docstring)."""
    before = text[: claim.start]
    found = _verb_before(text, claim.start)
    verb, subject = found if found is not None else (None, [])
    price_only = facts.only_prices(claim)
    if claim.kind == "price" or price_only:
        if verb is not None:
            yield "price_as_measure"
        elif claim.kind != "price" and not set(_last_words(before, 3)) & _PRICE_WORDS:
            yield "price_without_currency"
        elif claim.kind == "price" and _is_effect(text, claim):
            yield "price_as_effect"
    saving = _SAVING_BEFORE.search(before) or _SAVING_AFTER.match(text[claim.end :])
    if saving and (claim.kind in ("price", "percent") or price_only):
        if not claim.values & facts.savings:
            yield "not_a_saving"
        return
    if claim.kind == "price" or price_only:
        yield from _price_role(text, claim, facts)
    elif verb is not None and claim.kind == "number" and claim.unit in _MASS | {None}:
        grounds = [(f, k) for f, k in facts.grounding(claim) if f.unit in _MASS]
        quantities = {key_quantity(key) for _, key in grounds}
        named = {w for _, key in grounds for w in _key_words(key)} & set(subject)
        if grounds and None not in quantities and not quantities & verb and not named:
            yield "wrong_quantity"  # "The fabric weighs 220 g" names its fact: not this


def _is_effect(text: str, claim: NumberClaim) -> bool:
    """Whether the price is all that follows a "thanks to ..." phrase in its sentence."""
    begin, finish = _sentence(text, claim.start, claim.end)
    head, tail = text[begin : claim.start], text[claim.end : finish]
    return bool(_EFFECT.match(head)) and head.rstrip().endswith(",") and not tail.strip(" .!?")


def _price_role(text: str, claim: NumberClaim, facts: _Facts) -> Iterable[str]:
    """A regular price must be labelled as one; current and regular prices must not swap."""
    regular = bool(claim.values & facts.regular) and not claim.values & facts.current
    current = bool(claim.values & facts.current) and not claim.values & facts.regular
    before = text[max(0, claim.start - 30) : claim.start]
    if regular:
        begin, finish = _sentence(text, claim.start, claim.end)
        if set(_last_words(before, 2)) & _CURRENT_WORDS and not _REGULAR_BEFORE.search(before):
            yield "swapped_prices"
        elif not _REGULAR_MARK.search(text[begin:finish]):
            yield "unlabelled_regular_price"
    elif current and facts.regular and _REGULAR_BEFORE.search(before):
        yield "swapped_prices"
    elif not facts.regular and not facts.savings and (
        _NOW_BEFORE.search(before) or _REGULAR_BEFORE.search(before)
    ):
        yield "implied_discount"  # "now €79", or the one price as a former one: "reduced from €159"
