"""Name fidelity: marketing copy names the product, and spells it as the facts do.

The product is `product.name` (or `title`); `product.short_name` (a string or a list) gives
short forms the copy may use instead. Nine kinds of Problem:

- `misspelt`: a near-miss of a name word ("Nordys" for "Nordis"; difflib similarity >= 0.8, not
  an inflection, not a word of the facts) next to another name word, or capitalised and one
  letter away.
- `wrong_name`: part of the name used as a name with a word of its own in place of the rest
  ("Beachy Hiking Boots" for the "Alpine Hiking Boot") in running text.
- `cut_name`: the name broken off inside the words that name the product's kind (its last
  words that are words of `product_type`): "The Barker Cadence Wireless" for the "Barker
  Cadence Wireless Earbuds" (a "pair of true wireless earbuds"), "Torford Orchard Raised
  Garden" (a "raised garden bed"): the name from its first word on, stopping after the first
  of those words and before the last, not followed by an inflection of the next ("Cobalen
  Folio Dotted Notebooks" names the notebook). A brand-and-model
  short form ("Cloud Nine" for the "Cloud Nine Crib Mattress") and a configured short form pass.
- `dropped_word`: the name with a word left out of its middle, ending on its last word as
  written: "Altavik Desk" for the "Altavik Mira Desk", "Gordon USB-C Hub" for the "Gordon Vector
  USB-C Hub" (a plural, "Altavik Desks", names the range and passes, as do a configured short
  form, a kind's word left out and a name that ends in a plural, "Solia Pruning Shears"; with no
  `product_type` to tell the kind's words from the model's, it is not judged). Its `fix` is the
  full name, which the engine applies.
- `name_case`: the whole name in other letters' case ("The trail runner x" for the "Trail Runner
  X"; a name in capitals, "TRAIL RUNNER X", is a headline's style and passes). Its `fix` is the
  name as written.
- `plural_name`: the whole name made plural ("Gibbons Hygge Duvet Cover Sets" for the "Gibbons
  Hygge Duvet Cover Set"): a name is one product. Its `fix` is the name, which the engine applies.
- `name_repeated`: the full name again in the same or the next sentence of what a reader reads
  as one piece (a push title and its body; each other field on its own, since an ad's
  headline is a label and an email's body names the product again after its subject): the
  blind review marked it clumsy every time ("Meet the Torand Honey Baby Carrier, a baby
  carrier. The Torand Honey Baby Carrier has ..."). The next mention says "it" or the kind.
- `brand_as_name`: a sentence that opens with the brand alone as the product's name and a verb
  ("James has a water-repellent shell" for the James Wildfell Sleeping Bag: graded unusable,
  "reads like a person"). Its `fix` is "The" and the full name, which the engine applies.
- `name_missing`: the fields that carry the message (see NAMING_FIELDS) never name the product:
  neither the name, a short form, two or more consecutive words of the name ("Hiking Boots"
  for the "Alpine Hiking Boot"), nor its first word when that word is the brand (capitalised,
  4+ letters, not a common word). Other fields (a subject line, a preheader) may leave the name
  out.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from contentgen.checks.articles import is_plural
from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, fact_texts, leaves, product_facts, text_fields
from contentgen.checks.names import COMMON_WORDS
from contentgen.checks.problems import Problem
from contentgen.types import Task

SIMILAR = 0.8
# Per channel, the fields of which at least one must name the product.
NAMING_FIELDS: dict[str, tuple[str, ...]] = {
    "search_ad": ("headline", "description"),
    "social_post": ("post",),
    "email": ("body",),
    "sms": ("text",),
    "push": ("title", "body"),
    "product_description": ("description",),
}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def _inflection(word: str, base: str) -> bool:
    """Whether one is the other with an ending ("boots", "commuters", "bookshelves")."""
    short, long = sorted((word, base), key=len)
    return len(long) - len(short) <= 4 and len(long) > len(short) and long.startswith(short[:-1])


def _similar(word: str, base: str) -> bool:
    return SequenceMatcher(None, word, base).ratio() >= SIMILAR


def short_forms(product: dict[str, object] | object) -> list[str]:
    """The product's configured short forms (`short_name`: a string or a list of strings)."""
    if not isinstance(product, dict):
        return []
    value = product.get("short_name") or product.get("short_names") or []
    values = value if isinstance(value, list | tuple) else [value]
    return [v for v in values if isinstance(v, str) and v.strip()]


class NameFidelityCheck(Detector):
    """Gate 'name_fidelity': the product named, and named right."""

    name = "name_fidelity"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """Misspelt or altered names in any field; a missing name where the copy needs one."""
        product = dict(product_facts(item))
        name = str(product.get("name") or product.get("title") or "").strip()
        if not name:
            return []
        name_words = _WORD.findall(name)
        forms = [name, *short_forms(product)]
        known = {w.lower() for leaf in leaves(product) for w in _WORD.findall(leaf)}
        found: list[Problem] = []
        fields = text_fields(item)
        kind = {w.lower() for w in _WORD.findall(str(product.get("product_type") or ""))}
        facts = {w.lower() for fact in fact_texts(product) for w in _WORD.findall(fact)}
        for field, value in fields.items():
            found += self._misspelt(field, value, name_words, known)
            found += self._wrong_name(field, value, name_words, known)
            found += self._cut(field, value, name_words, forms, kind)
            found += self._dropped(field, value, name, name_words, forms, kind)
            found += [
                self.problem("name_case", field, m.group(0), limit=name, start=m.start(),
                             end=m.end(), fix=name)
                for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", value, re.I)
                if m.group(0) != name and not m.group(0).isupper()
            ]  # fmt: skip
            found += [
                self.problem("brand_as_name", field, m.group("brand"), limit=name, start=m.start(),
                             end=m.end("brand"), fix=f"The {name}")
                for m in _brand_alone(value, str(product.get("brand") or ""), kind | facts)
            ]  # fmt: skip
            found += [
                self.problem("plural_name", field, m.group(0), limit=name, start=m.start(),
                             end=m.end(), fix=name)
                for m in re.finditer(rf"(?<!\w){re.escape(name)}(?:e?s)\b", value)
            ]  # fmt: skip
        for group in reading_groups(item.channel or "", list(fields)):
            if _named_back_to_back(name, [fields[f] for f in group]):
                found.append(self.problem("name_repeated", "+".join(group), name, limit=1))
        naming = [f for f in NAMING_FIELDS.get(item.channel or "", ()) if f in fields]
        naming = naming or list(fields)
        if not any(names_product(fields[f], forms, name_words) for f in naming):
            text = " ".join(fields[f] for f in naming)
            found.append(self.problem("name_missing", "+".join(naming), text[:60], limit=name))
        return found

    def _misspelt(
        self, field: str, value: str, name_words: list[str], known: set[str]
    ) -> list[Problem]:
        targets = {w.lower() for w in name_words if len(w) >= 4 and w.isalpha()}
        lowered = {w.lower() for w in name_words}
        words = list(_WORD.finditer(value))
        found = []
        for i, m in enumerate(words):
            word = m.group().lower()
            if len(word) < 4 or word in known or word in COMMON_WORDS:
                continue
            for target in targets:
                if not _similar(word, target) or _inflection(word, target):
                    continue
                near = {w.group().lower() for w in words[max(0, i - 1) : i + 2]} - {word}
                one_off = abs(len(word) - len(target)) <= 1 and word[:2] == target[:2]
                if near & lowered or (m.group()[:1].isupper() and one_off):
                    found.append(
                        self.problem("misspelt", field, m.group(), start=m.start(), end=m.end())
                    )
                    break
        return found

    def _cut(
        self, field: str, value: str, name_words: list[str], forms: list[str], kind: set[str]
    ) -> list[Problem]:
        shorts = {" ".join(_WORD.findall(f)) for f in forms[1:]}
        words = _WORD.findall(value)
        tail = 0  # the name's last words that name its kind ("Wireless Earbuds")
        while tail < len(name_words) and name_words[-1 - tail].lower() in kind:
            tail += 1
        found = []
        for i, word in enumerate(words):
            if word != name_words[0]:
                continue
            k = 1
            while i + k < len(words) and k < len(name_words) and words[i + k] == name_words[k]:
                k += 1
            run = " ".join(words[i : i + k])
            after = words[i + k] if i + k < len(words) else ""
            inside = len(name_words) - tail < k < len(name_words)  # stops inside the kind
            if (
                inside
                and not _inflection(after.lower(), name_words[k].lower())
                and run not in shorts
            ):
                found.append(self.problem("cut_name", field, run, limit=" ".join(name_words)))
        return found

    def _dropped(
        self,
        field: str,
        value: str,
        name: str,
        name_words: list[str],
        forms: list[str],
        kind: set[str],
    ) -> list[Problem]:
        if not kind or is_plural(name_words[-1].lower()):
            return []  # "Solia Pruning Shears" for the Solia Meadow Pruning Shears names the range
        shorts = {tuple(_WORD.findall(f)) for f in forms[1:]}
        words = list(_WORD.finditer(value))
        found = []
        for i, first in enumerate(words):
            if first.group() != name_words[0]:
                continue
            at, end = 0, i  # the name word and the text word matched last
            while end + 1 < len(words):
                later = [
                    j
                    for j in range(at + 1, len(name_words))
                    if name_words[j] == words[end + 1].group()
                ]
                if not later:
                    break
                at, end = later[0], end + 1
            said = tuple(w.group() for w in words[i : end + 1])
            # Only a model word left out is a slip: "Frost Shield Cover" shortens the kind.
            left_out = [w for w in name_words if w not in said]
            model = left_out and not any(w.lower() in kind for w in left_out)
            if at == len(name_words) - 1 and model and said not in shorts:
                start, stop = first.start(), words[end].end()
                found.append(self.problem("dropped_word", field, value[start:stop], limit=name,
                                          start=start, end=stop, fix=name))  # fmt: skip
        return found

    def _wrong_name(
        self, field: str, value: str, name_words: list[str], known: set[str]
    ) -> list[Problem]:
        words = [m.group() for m in _WORD.finditer(value)]
        lowered = [w.lower() for w in words]
        name = [w.lower() for w in name_words]
        capitalised = [w for w in words if len(w) > 3]
        if capitalised and all(w[:1].isupper() for w in capitalised):
            return []  # a Title Case line capitalises every word: no evidence of a name
        found = []
        for start in range(1, len(name)):
            part = name[start:]
            if len(part) == 1 and (len(part[0]) < 5 or part[0] in COMMON_WORDS):
                break  # "Coldy Thermos" for "Nordis Thermos"; a lone "Boot" is no name
            for i in range(1, len(lowered) - len(part) + 1):
                run = lowered[i : i + len(part)]
                if run[:-1] != part[:-1] or not (
                    run[-1] == part[-1] or _inflection(run[-1], part[-1])
                ):
                    continue
                before = words[i - 1]
                used_as_name = all(w[:1].isupper() for w in words[i : i + len(part)])
                if (
                    used_as_name
                    and before[:1].isupper()
                    and before.lower() not in known | COMMON_WORDS
                ):
                    evidence = " ".join(words[i - 1 : i + len(part)])
                    found.append(self.problem("wrong_name", field, evidence))
        return found


def _brand_alone(text: str, brand: str, own: set[str]) -> list[re.Match[str]]:
    """Sentences that open with the brand alone as the product's name, a verb after it ("James
    has a water-repellent shell"); the brand before a word of the product's kind or facts names
    a range ("Burton tote bags with ...") and passes."""
    if not brand.strip():
        return []
    pattern = (
        rf"(?m)(?:^|(?<=[.!?] ))(?P<brand>{re.escape(brand.strip())})\s+(?P<next>[a-z][\w'-]*)"
    )
    return [
        m
        for m in re.finditer(pattern, text)
        if not {(w := m.group("next").lower()), w.removesuffix("s"), w.removesuffix("es"),
                w.split("-")[0]} & own  # fmt: skip
    ]


def reading_groups(channel: str, fields: list[str]) -> list[list[str]]:
    """The fields a reader reads as one piece: a push notification's title and body; every
    other field on its own (an ad's headline is a label, an email body follows its subject)."""
    if channel == "push":
        return [fields]
    return [[f] for f in fields]


def _named_back_to_back(name: str, texts: list[str]) -> bool:
    """Whether the full name comes again in the same or the next sentence of these texts."""
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    sentences = [s for text in texts for s in _SENTENCE.findall(text)]
    mentions = [i for i, s in enumerate(sentences) for _ in pattern.finditer(s)]
    return any(b - a <= 1 for a, b in zip(mentions, mentions[1:], strict=False))


def names_product(text: str, forms: list[str], name_words: list[str]) -> bool:
    """Whether `text` names the product: a form, two or more consecutive name words, its brand."""
    lowered = " ".join(_WORD.findall(text.lower()))
    candidates = [" ".join(_WORD.findall(f.lower())) for f in forms]
    words = [w.lower() for w in name_words]
    candidates += [
        " ".join(words[i : i + n]) for n in range(2, len(words)) for i in range(len(words) - n + 1)
    ]
    brand = name_words[0] if name_words else ""
    if len(brand) >= 4 and brand[:1].isupper() and brand.lower() not in COMMON_WORDS:
        candidates.append(brand.lower())
    return any(
        re.search(rf"(?<!\w){re.escape(c)}(?:s|es|'s|’s)?(?!\w)", lowered) for c in candidates if c
    )
