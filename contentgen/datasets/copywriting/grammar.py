"""English surface helpers for generated copy: articles, lists, capitals, prices and sentences."""

from __future__ import annotations

import re
from decimal import Decimal

from contentgen.checks.articles import vowel_sound

# Head words that name a substance or an activity, not a countable thing: no "a"/"an".
_MASS = frozenset(
    """
    insulation delivery cancelling charging ignition assembly detection rotation construction
    crystal leather wool linen cotton nylon polyester mesh knit suede canvas steel aluminium down
    iron glass silicone rubber cork foam wood beech maple oak ash pine larch tarpaulin softshell
    latex paper felt titanium silver vermeil rope terry fleece bioplastic tpu plastic webbing
    cardboard fill filling percale sateen rattan lambswool polycarbonate packaging pairing
    """.split()  # noqa: SIM905 (a word list reads best as text)
)
_NOT_PLURAL = ("ss", "canvas", "glass", "brass", "harness", "us", "is", "lens")
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "or", "of", "for", "the", "to", "in", "on", "with", "at", "by", "from", "as"}
)


def article(phrase: str) -> str:
    """'a' or 'an' for the sound that `phrase` starts with ("an RFID-blocking pocket")."""
    return "an" if vowel_sound(phrase) else "a"


def is_plural(phrase: str) -> bool:
    """Whether the head (last) word of `phrase` is a plural noun."""
    head = phrase.split()[-1].lower()
    return head in ("feet", "teeth") or (head.endswith("s") and not head.endswith(_NOT_PLURAL))


def is_mass(phrase: str) -> bool:
    """Whether the head word of `phrase` names a substance or activity (no article)."""
    head = re.split(r"[\s-]", phrase.lower())[-1]
    return head in _MASS


def noun_phrase(phrase: str) -> str:
    """`phrase` with the article it needs: 'a waterproof membrane', 'merino wool', 'backlit keys'."""
    head = phrase.split(" of ")[0]  # "pair of shears": the pair is what is counted
    if is_plural(head) or is_mass(head):
        return phrase
    return f"{article(phrase)} {phrase}"


def join_list(items: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def cap(text: str) -> str:
    """First character upper-cased, the rest untouched (keeps 'USB-C', 'iPhone' intact)."""
    return text[:1].upper() + text[1:]


def title_case(text: str) -> str:
    """Headline capitals: every word capitalised except short function words inside."""
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        if i and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(cap(part) for part in word.split("-")))
    return " ".join(out)


def money(amount: Decimal) -> str:
    """'€149' for whole euros, '€24.90' otherwise."""
    whole = amount == amount.to_integral_value()
    return f"€{int(amount)}" if whole else f"€{amount:.2f}"


def saving_percent(price: Decimal, sale: Decimal) -> int | None:
    """The discount as a whole percentage, or None when it is not a whole number."""
    share = (price - sale) * 100 / price
    return int(share) if share == share.to_integral_value() else None


_END = re.compile(r"[.!?…]['\"’”)]?$")


def ends_sentence(text: str) -> bool:
    """Whether `text` ends with sentence punctuation."""
    return bool(_END.search(text.strip()))


def finish(sentence: str) -> str:
    """`sentence` with a capital first letter and a full stop unless it already ends one."""
    sentence = cap(sentence.strip())
    return sentence if ends_sentence(sentence) else f"{sentence}."
