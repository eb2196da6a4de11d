"""The words a piece of copy may use for one brief: facts phrased for sentences, by name."""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from typing import Any

from contentgen.checks.articles import fix_articles
from contentgen.datasets.copywriting.briefs import Brief
from contentgen.datasets.copywriting.grammar import (
    cap,
    is_mass,
    is_plural,
    join_list,
    money,
    noun_phrase,
    saving_percent,
    title_case,
)
from contentgen.datasets.copywriting.resources import Category, Feature

_ADJECTIVE_CERTS = ("free", "certified", "tested", "approved", "rated", "insulated", "marked",
                    "friendly", "compostable", "vegan")  # fmt: skip


class _Formatter(string.Formatter):
    """str.format where '{Slot}' is slot 'slot' with a capital first letter."""

    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key not in kwargs and key[:1].isupper():
            lower = key[:1].lower() + key[1:]
            if lower in kwargs:
                return cap(str(kwargs[lower]))
        return kwargs[key]


_FORMAT = _Formatter()


def fill(template: str, slots: Mapping[str, str]) -> str | None:
    """`template` with its slots filled, or None when the brief lacks one of them."""
    try:
        return fix_articles(_FORMAT.format(template, **slots))  # "A {value} drop": "An 8 mm drop"
    except (KeyError, IndexError):
        return None


def _feature_slots(
    prefix: str, feature: Feature, rng: random.Random, stated: str | None = None
) -> dict[str, str]:
    rng.choice(feature.so)  # drawn all the same: every later choice keeps its stream
    slots = {
        f"{prefix}_np": noun_phrase(feature.text),
        f"{prefix}_s": "" if is_plural(feature.text) else "s",
    }
    if stated:  # a benefit the brief does not state is never written: copy stays grounded
        slots[f"{prefix}_so"] = stated
    if feature.adj:
        slots[f"{prefix}_adj"] = feature.adj
    return slots


def feature_slots(
    feature: Feature, rng: random.Random, stated: str | None = None
) -> dict[str, str]:
    """Slots for one feature sentence: f_np, f_s, and f_so when the brief states its benefit."""
    return _feature_slots("f", feature, rng, stated)


def _agreement(brief: Brief, category: Category) -> dict[str, str]:
    ptype = next(t for t in category.types if t.noun == brief.product_type)
    plural = is_plural(ptype.title)
    return {
        "it": "they" if plural else "it",
        "them": "them" if plural else "it",
        "is": "are" if plural else "is",
        "has": "have" if plural else "has",
        "s": "" if plural else "s",
        "nouns": ptype.plural,
        "title_nouns": title_case(ptype.plural),
    }


def _price_slots(brief: Brief) -> dict[str, str]:
    if brief.sale is None:
        return {"price": money(brief.price)}
    slots = {
        "price": money(brief.sale),
        "sale_price": money(brief.sale),
        "was": money(brief.price),
        "saving": money(brief.price - brief.sale),
    }
    percent = saving_percent(brief.price, brief.sale)
    if percent is not None:
        slots["pct"] = f"{percent}%"
    return slots


def base_slots(brief: Brief, category: Category, rng: random.Random) -> dict[str, str]:
    """Every slot of `brief`; choices among equivalent phrasings are made with `rng`."""
    audience = next(a for a in category.audiences if a.name == brief.audience)
    slots: dict[str, str] = {
        "name": brief.name,
        "brand": brief.brand,
        "noun": brief.product_type,
        "a_noun": noun_phrase(brief.product_type),
        "audience": brief.audience,
        "hook": audience.hook,
        **_agreement(brief, category),
        **_price_slots(brief),
    }
    features = [category.features[f] for f in brief.features]
    rng.shuffle(features)
    for number, feature in enumerate(features, start=1):
        slots |= _feature_slots(f"f{number}", feature, rng, brief.benefit(feature.text))
    nouns = slots["nouns"].split()
    adjectives = [f.adj for f in features if f.adj and f.adj not in nouns]
    if adjectives:
        slots["adj"] = adjectives[0]
    material = brief.material
    slots |= {"mat": material, "mat_np": noun_phrase(material)}
    rng.choice(category.materials[material])  # drawn all the same, as for features
    if stated := brief.benefit(material):
        slots["mat_so"] = stated
    if is_mass(material) and not is_plural(material):
        slots["made_from"] = f"made from {material}"
    else:
        slots["mat_part"] = noun_phrase(material)  # "an aluminium shell": a part it has
    if brief.specs:
        key, value = rng.choice(brief.specs)
        if category.specs[key].short != "{value}":  # a bare "20 cm" says nothing on its own
            slots["spec_short"] = category.specs[key].short.format(value=value)
    if brief.certifications:
        cert = rng.choice(brief.certifications)
        rng.choice(category.certs[cert])  # drawn all the same, as for features
        slots["cert"] = cert
        if stated := brief.benefit(cert):
            slots["cert_so"] = stated
        if cert.lower().endswith(_ADJECTIVE_CERTS):
            slots["cert_adj"] = cert
        elif cert.lower().startswith("energy class"):
            slots["cert_class"] = cert  # "it is in energy class A", not "it has an ..."
        else:
            slots["cert_np"] = noun_phrase(cert)
    if brief.warranty_years:
        slots["a_warranty"] = noun_phrase(f"{brief.warranty_years}-year warranty")
    if brief.colours:
        slots["colours"] = join_list(list(brief.colours), "or")
        slots["colour"] = brief.colours[0]
    if brief.sizes:
        slots["sizes"] = brief.sizes
    tags = list(category.hashtags)
    rng.shuffle(tags)
    slots["tags"] = " ".join(f"#{t}" for t in tags[: rng.choice((1, 2, 2))])
    return slots
