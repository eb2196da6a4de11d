"""Product briefs: category-appropriate facts drawn with a seeded Faker and the category lists."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from contentgen.checks.purpose import MADE_FOR
from contentgen.datasets.copywriting.resources import (
    Category,
    ProductType,
    categories,
    rules,
)
from contentgen.errors import ValidationError

TONES: tuple[str, ...] = ("friendly", "professional", "playful", "urgent", "luxury")
_BRAND_HEADS = ("Nord", "Fjell", "Alta", "Bruk", "Lumo", "Vela", "Kestr", "Oak", "Haven", "Tor",
                "Sol", "Brae", "Lind", "Mar", "Ash", "Wren", "Elm", "Cobal", "Riv", "Sten")  # fmt: skip
_BRAND_TAILS = ("vik", "en", "ora", "wick", "ly", "mark", "stead", "ello", "ia", "berg", "um",
                "ford", "lane", "io", "and")  # fmt: skip
_SALE_PERCENTS = (10, 15, 20, 25, 30, 40)
BENEFIT_SHARE = 0.7  # briefs that state benefits; the rest are facts only, as many users send


@dataclass(frozen=True)
class Brief:
    """One product and what the copy may say about it: the facts, audience and category."""

    id: str
    category: str
    product_type: str
    name: str
    brand: str
    material: str
    features: tuple[str, ...]
    specs: tuple[tuple[str, str], ...]  # (spec key, value with unit)
    price: Decimal
    sale: Decimal | None
    colours: tuple[str, ...]
    sizes: str | None
    certifications: tuple[str, ...]
    warranty_years: int | None
    audience: str
    department: str
    # What each feature, the material and each certification does for the buyer, as a marketer's
    # brief states it (features, advantages, benefits); empty for a facts-only brief.
    benefits: tuple[tuple[str, str], ...] = ()

    def benefit(self, fact: str) -> str | None:
        """The brief's stated benefit of one feature, material or certification, if any."""
        return dict(self.benefits).get(fact)

    def facts(self, category: Category) -> dict[str, Any]:
        """The product facts as a request's `product` mapping (what the prompt shows)."""
        facts: dict[str, Any] = {
            "name": self.name,
            "brand": self.brand,
            "category": category.label,
            "product_type": self.product_type,
            # what the audience uses it for: the copy's "made for ..." says this and no other
            MADE_FOR: next(a.hook for a in category.audiences if a.name == self.audience),
            "price_eur": f"{(self.sale if self.sale is not None else self.price):.2f}",
        }
        if self.sale is not None:  # the regular price, under a key contentgen reads as such
            facts["list_price_eur"] = f"{self.price:.2f}"
        facts["material"] = self.material
        facts["features"] = list(self.features)
        facts["specs"] = {category.specs[key].label: value for key, value in self.specs}
        if self.colours:
            facts["colours"] = list(self.colours)
        if self.sizes:
            facts["sizes"] = self.sizes
        if self.certifications:
            facts["certifications"] = list(self.certifications)
        if self.warranty_years:
            facts["warranty"] = f"{self.warranty_years} year" + (
                "s" if self.warranty_years > 1 else ""
            )
        if self.benefits:
            facts["benefits"] = dict(self.benefits)
        return facts

    def record(self, category: Category) -> dict[str, Any]:
        """The JSON record of this brief (briefs.jsonl)."""
        return {
            "id": self.id,
            "category": self.category,
            "department": self.department,
            "audience": self.audience,
            "product": self.facts(category),
        }


def _faker(seed: int) -> Any:
    from faker import Faker
    from faker_commerce import Provider

    fake = Faker("en_GB")
    fake.add_provider(Provider)
    fake.seed_instance(seed)
    return fake


def _brand(rng: random.Random, fake: Any) -> str:
    """A brand-like name: an invented compound most of the time, a Faker surname otherwise."""
    if rng.random() < 0.3:
        surname = str(fake.last_name())
        if len(surname) >= 4 and surname.isalpha():  # short or hyphenated names read as words
            return surname
    return rng.choice(_BRAND_HEADS) + rng.choice(_BRAND_TAILS)


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    whole = rng.randint(low // 10, max(low // 10, high // 10)) * 10 - 1
    whole = max(whole, low)
    cents = rng.choice(("00", "00", "00", "90", "95"))
    return Decimal(f"{whole}.{cents}")


def _sale(rng: random.Random, price: Decimal) -> Decimal | None:
    if rng.random() >= 0.35:
        return None
    percent = rng.choice(_SALE_PERCENTS)
    if price == price.to_integral_value() and rng.random() < 0.5:
        return (price * (100 - percent) / 100).quantize(Decimal("0.01"))  # exact whole percent
    rounded = (price * (100 - percent) / 100).to_integral_value() - 1
    return Decimal(f"{rounded}.90") if rounded > 0 else None


def _fits(kind: str, name: str, material: str) -> bool:
    """Whether a certification or feature may go with `material` (data/rules.toml)."""
    rule = rules().get(kind, {}).get(name, {})
    low = material.lower()
    if rule.get("any") and not any(word in low for word in rule["any"]):
        return False
    return not any(word in low for word in rule.get("none", ()))


def _one(index: int, cat: Category, rng: random.Random, fake: Any) -> Brief:
    ptype: ProductType = rng.choice(cat.types)
    brand = _brand(rng, fake)
    model = rng.choice(cat.models)
    material = rng.choice(ptype.materials)
    allowed = [f for f in ptype.features if _fits("features", f, material)]
    features = rng.sample(allowed, k=min(len(allowed), rng.choice((2, 3, 3))))
    spec_keys = rng.sample(ptype.specs, k=min(len(ptype.specs), rng.choice((1, 2, 2))))
    specs = tuple((key, rng.choice(cat.specs[key].values)) for key in spec_keys)
    price = _price(rng, *cat.price)
    colours = tuple(rng.sample(cat.colours, k=rng.randint(1, 3))) if cat.colours else ()
    fitting = [c for c in ptype.certs if _fits("certs", c, material)]
    drawn = rng.sample(fitting, k=rng.randint(0, min(2, len(fitting))))
    certs = tuple(c for c in drawn if c != material)  # "vegan leather" made of vegan leather
    return Brief(
        id=f"brief-{index:05d}",
        category=cat.key,
        product_type=ptype.noun,
        name=f"{brand} {model} {ptype.title}",
        brand=brand,
        material=material,
        features=tuple(features),
        specs=specs,
        price=price,
        sale=_sale(rng, price),
        colours=colours,
        sizes=rng.choice(cat.sizes) if cat.sizes and rng.random() < 0.8 else None,
        certifications=certs,
        warranty_years=rng.choice(cat.warranty_years) if cat.warranty_years else None,
        audience=rng.choice(cat.audiences).name,
        department=cat.department,
    )


def generate_briefs(
    count: int, seed: int = 0, benefit_share: float = BENEFIT_SHARE
) -> Iterator[Brief]:
    """`count` briefs spread evenly over the categories (round robin), reproducible from `seed`."""
    if count < 1:
        raise ValidationError("briefs", f"must be at least 1, got {count}")
    rng = random.Random(seed)
    fake = _faker(seed)
    cats = categories()
    names: set[str] = set()
    for index in range(count):
        cat = cats[index % len(cats)]
        brief = _one(index, cat, rng, fake)
        while brief.name in names:  # every product name is unique across the corpus
            brief = _one(index, cat, rng, fake)
        names.add(brief.name)
        # A stream of its own, so the briefs' facts stay those of corpora built before benefits.
        yield with_benefits(brief, cat, random.Random(f"{seed}:benefits:{index}"), benefit_share)


def with_benefits(
    brief: Brief, cat: Category, rng: random.Random, share: float = BENEFIT_SHARE
) -> Brief:
    """`brief` stating one benefit per feature, material and certification (`share` of them)."""
    if rng.random() >= share:
        return brief
    stated = [(f, rng.choice(cat.features[f].so)) for f in brief.features]
    stated.append((brief.material, rng.choice(cat.materials[brief.material])))
    stated += [(c, rng.choice(cat.certs[c])) for c in brief.certifications if cat.certs.get(c)]
    return replace(brief, benefits=tuple(stated))
