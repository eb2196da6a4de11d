"""Material words: where a text names a material, and whether copy's material can be the facts'.

The lexicon is data/materials.toml (textile fibres after Regulation (EU) No 1007/2011, leathers,
woods, metals, plastics, rubbers, glass, ceramics, stone, paper; its header names the sources and
the words left out on purpose). A mention is skipped when it is negated ("PVC-free", "without
leather"), compared ("lighter than steel"), an imitation ("wood-effect", "leather-look") or a set
phrase that names no material of the product ("a glass of", "bed linen", "heart of gold"). A
class word ("wood", "metal", "fabric") is a claim only where it is said of the product ("made of
solid wood", "its metal frame"), not of something else ("screws into hard wood").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Mention:
    """One material named in a text: the material (or class), its classes, and where."""

    name: str
    classes: frozenset[str]
    is_class: bool
    text: str
    start: int
    end: int
    colour: bool = False  # a metal copy also uses as a colour ("a soft silver")
    claim: bool = True  # said of the product ("made of wool"), not of something else
    implies: frozenset[str] = frozenset()  # materials it is made of (vermeil: gold, silver)


@dataclass(frozen=True)
class _Entry:
    name: str
    classes: frozenset[str]
    is_class: bool
    colour: bool = False
    implies: frozenset[str] = frozenset()


_NEGATED_AFTER = re.compile(r"[\s-]?(?:free|less|effect|look|like|style|print|coloured|toned)\b")
_NEGATED_BEFORE = frozenset(
    [
        "no",
        "not",
        "non",
        "without",
        "zero",
        "never",
        "than",
        "like",
        "unlike",
        "instead",
        "faux",
        "imitation",
        "mock",
        "vegan",
    ]
)
_IDIOMS = re.compile(
    r"\b(?:(?:a|the|your|every|one|first|last) glass of|silver (?:lining|screen|medal|anniversary)"
    r"|gold (?:standard|medal|star|award|rush|mine)|heart of gold|nerves of steel"
    r"|(?:bed|table) linen|under canvas|light as a feather|feather-?weight|clean slate"
    r"|paper[- ]thin|on paper|paperwork|cotton wool|rubber stamp|white gold|rose gold"
    r"|pine (?:scent|needles)|(?:cedar|sandal)wood (?:scent|notes)|woods? (?:scent|notes)"
    r"|out of the woods|plastic (?:bag|bottle|packaging|waste)s?)\b",
    re.IGNORECASE,
)
# A class word is claimed for the product after "made of", "its", "solid"..., or before a part.
_CLAIM_BEFORE = re.compile(
    r"(?:\b(?:made|crafted|built|constructed|cut|woven|knitted|cast|moulded|molded|formed)"
    r"(?: out)? (?:of|from|with|in)(?: \w+){0,2}"
    r"|\b(?:its|their|our|this|in|of|solid|pure|genuine|real|finest|fine|natural|recycled"
    r"|premium|quality|sturdy|durable|soft|smooth|tough|breathable|polished|brushed)(?: \w+)?)"
    r"[\s-]*$",
    re.IGNORECASE,
)
_CLAIM_AFTER = re.compile(
    r"[\s-]+(?:upper|shell|body|frame|case|casing|finish|top|lining|handle|strap|sole|cover"
    r"|exterior|construction|housing|base|legs?|build|design|fabric|surface|trim|panels?"
    r"|buttons?|zip|lid|blade)s?\b",
    re.IGNORECASE,
)
_NO_PLURAL = frozenset({"glass", "down", "pine", "slate", "cork", "canvas"})


@cache
def lexicon() -> dict[str, _Entry]:
    """Every written form of a material or class (lower case, hyphens as spaces) -> its entry."""
    raw = resources.files("contentgen.checks").joinpath("data/materials.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    parents: dict[str, list[str]] = data.get("parents", {})

    def closure(classes: Iterable[str]) -> frozenset[str]:
        out, stack = set(), list(classes)
        while stack:
            c = stack.pop()
            if c not in out:
                out.add(c)
                stack.extend(parents.get(c, []))
        return frozenset(out)

    forms: dict[str, _Entry] = {}
    for name, spec in data["terms"].items():
        implies = frozenset(spec.get("implies", []))
        entry = _Entry(name, closure(spec["classes"]), False, bool(spec.get("colour")), implies)
        for form in [name.replace("_", " "), *spec.get("also", [])]:
            forms[_norm(form)] = entry
    for name, words in data["classes"].items():
        for word in words:
            forms[_norm(word)] = _Entry(name, closure([name]), True)
    return forms


def _norm(text: str) -> str:
    return text.lower().replace("-", " ")


@cache
def secondary_classes() -> frozenset[str]:
    """Classes of parts many products have unstated (foam, rubber): never held against facts."""
    raw = resources.files("contentgen.checks").joinpath("data/materials.toml").read_text("utf-8")
    return frozenset(tomllib.loads(raw).get("secondary", []))


@cache
def _pattern() -> re.Pattern[str]:
    forms = sorted(lexicon(), key=len, reverse=True)
    alternatives = "|".join(
        re.escape(f).replace(r"\ ", r"[\s-]") + ("" if f in _NO_PLURAL else "(?:e?s)?")
        for f in forms
    )
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w])", re.IGNORECASE)


def mentions(text: str) -> Iterator[Mention]:
    """The materials `text` names as materials of something (negations and idioms skipped)."""
    idioms = [m.span() for m in _IDIOMS.finditer(text)]
    table = lexicon()
    for m in _pattern().finditer(text):
        if any(s <= m.start() < e for s, e in idioms):
            continue
        if _NEGATED_AFTER.match(text, m.end()):
            continue
        before = re.findall(r"[\w']+", text[max(0, m.start() - 30) : m.start()].lower())[-2:]
        if any(w in _NEGATED_BEFORE for w in before):
            continue
        entry = _lookup(table, _norm(m.group()))
        if entry is not None:
            claim = not entry.is_class or _claimed(text, m.start(), m.end())
            start, end = m.span()
            yield Mention(
                entry.name, entry.classes, entry.is_class, m.group(), start, end,
                colour=entry.colour, claim=claim, implies=entry.implies,
            )  # fmt: skip


def _claimed(text: str, start: int, end: int) -> bool:
    """Whether the class word at start:end is said of the product, not of something else."""
    return bool(_CLAIM_BEFORE.search(text[max(0, start - 40) : start])) or bool(
        _CLAIM_AFTER.match(text, end)
    )


def _lookup(table: dict[str, _Entry], form: str) -> _Entry | None:
    form = " ".join(form.split())
    for candidate in (form, form.removesuffix("s"), form.removesuffix("es")):
        if candidate in table:
            return table[candidate]
    return None


def conflicts(copy: Iterable[Mention], facts: Iterable[Mention]) -> list[Mention]:
    """Copy's mentions that no material of the facts allows (none when the facts name none).

    A specific material ("wool") must be one of the facts' ("organic cotton percale" has none);
    a class word ("wooden", "fabric") must have a member among them; a specific material is let
    through when the facts name only its class ("merino" for facts that just say "wool").
    Secondary parts (foam, rubber) never conflict, nor does a metal that is also a colour
    ("silver") unless the facts name a metal.
    """
    fact_list = list(facts)
    if not fact_list:
        return []
    skip = secondary_classes()
    terms = {f.name for f in fact_list if not f.is_class}
    terms |= {implied for f in fact_list for implied in f.implies}
    specific = {c for f in fact_list if not f.is_class for c in f.classes}
    generic = {c for f in fact_list if f.is_class for c in f.classes}
    found = []
    for m in copy:
        if not m.claim or m.classes & skip or (m.colour and "metal" not in specific | generic):
            continue
        if m.is_class:
            ok = m.name in specific or m.name in generic
        else:
            ok = m.name in terms or bool((m.classes & generic) - specific)
        if not ok:
            found.append(m)
    return found
