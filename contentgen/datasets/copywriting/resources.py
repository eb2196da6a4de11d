"""The hand-written language resources (TOML under `data/`), loaded into typed records."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from contentgen.datasets.copywriting.grammar import title_case
from contentgen.errors import ConfigError

_PACKAGE = "contentgen.datasets.copywriting"


@dataclass(frozen=True)
class Feature:
    """A product feature and what it means for the buyer (clauses that follow 'so')."""

    text: str
    so: tuple[str, ...]
    adj: str | None = None


@dataclass(frozen=True)
class Spec:
    """A measurable spec: its fact label, possible values (units included) and sentences."""

    key: str
    label: str
    values: tuple[str, ...]
    say: tuple[str, ...]
    short: str


@dataclass(frozen=True)
class ProductType:
    """One kind of product in a category and the facts that fit it."""

    noun: str
    plural: str
    title: str
    materials: tuple[str, ...]
    features: tuple[str, ...]
    specs: tuple[str, ...]
    certs: tuple[str, ...]


@dataclass(frozen=True)
class Audience:
    """A target audience and the situation it buys for ('long days on the trail')."""

    name: str
    hook: str


@dataclass(frozen=True)
class Category:
    """A product category: its types, vocabulary and what each fact means for the buyer."""

    key: str
    label: str
    department: str
    hashtags: tuple[str, ...]
    price: tuple[int, int]
    warranty_years: tuple[int, ...]
    models: tuple[str, ...]
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    audiences: tuple[Audience, ...]
    types: tuple[ProductType, ...]
    materials: Mapping[str, tuple[str, ...]]
    features: Mapping[str, Feature]
    specs: Mapping[str, Spec]
    certs: Mapping[str, tuple[str, ...]]


def read_toml(name: str) -> dict[str, Any]:
    """A data file of this package, parsed; a ConfigError names a malformed file."""
    path = resources.files(_PACKAGE).joinpath("data").joinpath(*name.split("/"))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"copywriting resource {name} cannot be read: {exc}") from exc


def _category(raw: dict[str, Any]) -> Category:
    types = tuple(
        ProductType(
            noun=t["noun"],
            plural=t["plural"],
            title=t.get("title") or title_case(t["noun"]),
            materials=tuple(t["materials"]),
            features=tuple(t["features"]),
            specs=tuple(t["specs"]),
            certs=tuple(t["certs"]),
        )
        for t in raw["types"]
    )
    return Category(
        key=raw["key"],
        label=raw["label"],
        department=raw["department"],
        hashtags=tuple(raw["hashtags"]),
        price=(int(raw["price"][0]), int(raw["price"][1])),
        warranty_years=tuple(raw.get("warranty_years", ())),
        models=tuple(raw["models"]),
        colours=tuple(raw.get("colours", ())),
        sizes=tuple(raw.get("sizes", ())),
        audiences=tuple(Audience(a["name"], a["hook"]) for a in raw["audiences"]),
        types=types,
        materials=MappingProxyType({k: tuple(v) for k, v in raw["materials"].items()}),
        features=MappingProxyType(
            {
                k: Feature(k, tuple(v["so"]), v.get("adj"))
                for k, v in raw.get("features", {}).items()
            }
        ),
        specs=MappingProxyType(
            {
                k: Spec(k, v["label"], tuple(v["values"]), tuple(v["say"]), v["short"])
                for k, v in raw.get("specs", {}).items()
            }
        ),
        certs=MappingProxyType({k: tuple(v) for k, v in raw.get("certs", {}).items()}),
    )


@cache
def categories() -> tuple[Category, ...]:
    """Every category, sorted by key."""
    folder = resources.files(_PACKAGE).joinpath("data").joinpath("categories")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))
    return tuple(
        sorted((_category(read_toml(f"categories/{n}")) for n in names), key=lambda c: c.key)
    )


@cache
def category(key: str) -> Category:
    """The category called `key`."""
    for found in categories():
        if found.key == key:
            return found
    raise ConfigError(f"unknown category {key!r} (valid: {', '.join(c.key for c in categories())})")


@cache
def phrases() -> Mapping[str, Any]:
    """Tone phrase banks and channel templates (`data/phrases.toml`, `data/channels.toml`)."""
    return MappingProxyType({**read_toml("phrases.toml"), **read_toml("channels.toml")})


@cache
def rules() -> Mapping[str, Any]:
    """Which certifications and features may go with which materials (`data/rules.toml`)."""
    return MappingProxyType(read_toml("rules.toml"))


@cache
def support_bank() -> Mapping[str, Any]:
    """Customer-service kinds, policies and reply lines (`data/support.toml`)."""
    return MappingProxyType(read_toml("support.toml"))


@cache
def news_bank() -> Mapping[str, Any]:
    """News story kinds with article, headline, brief and bullet lines (`data/news.toml`)."""
    return MappingProxyType(read_toml("news.toml"))


@cache
def style() -> Mapping[str, Any]:
    """The corpus brand kit and customer-service promise patterns (`data/style.toml`)."""
    return MappingProxyType(read_toml("style.toml"))


@cache
def benefits_by_category() -> Mapping[str, Mapping[str, frozenset[str]]]:
    """What each feature, material and certification does for the buyer, by the fact's
    lower-case text and then by category label: the benefit lexicon the corpus writes from."""
    known: dict[str, dict[str, set[str]]] = {}
    for cat in categories():
        lexicon = [*((f.text, f.so) for f in cat.features.values()), *cat.materials.items(),
                   *cat.certs.items()]  # fmt: skip
        for text, says in lexicon:
            known.setdefault(text.lower(), {}).setdefault(cat.label, set()).update(says)
    return MappingProxyType(
        {fact: {label: frozenset(v) for label, v in per.items()} for fact, per in known.items()}
    )
