"""News items: the facts of a short business or local story, its article, headline and briefs."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contentgen.datasets.copywriting.resources import categories, news_bank
from contentgen.datasets.copywriting.slots import fill

NEWS_KINDS: tuple[str, ...] = (
    "store_opening", "acquisition", "results", "hiring", "recall", "partnership", "appointment",
    "local_event",
)  # fmt: skip
HEADLINE_WORDS = 12  # what templates/news_summary/headline.j2 asks for
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_QUARTERS = ("first", "second", "third", "fourth")
_ROLES = ("chief executive", "managing director", "head of retail", "finance director")
_REASONS = ("a faulty part", "a loose part", "a labelling error", "a possible defect")
_PURPOSES = ("develop reusable packaging", "open shared pick-up points", "train apprentices",
             "sell each other's products online", "cut delivery emissions")  # fmt: skip
_EVENTS = ("farmers' market", "food festival", "book fair", "craft fair", "summer fair")
_SITES = ("warehouse", "distribution centre", "head office", "factory")
_DEMAND = ("steady", "stronger than expected", "weaker than expected")
_MONTHS = ("January", "March", "April", "June", "September", "October")
_HOURS = ("9:00", "10:00", "8:30")


@dataclass(frozen=True)
class NewsItem:
    """A news story: its facts, the article written from them, headline, brief and bullets."""

    id: str
    kind: str
    facts: Mapping[str, str]
    article: str
    headline: str
    brief: str
    bullets: tuple[str, ...]
    target_words: int

    def record(self) -> dict[str, Any]:
        """The JSON record (news.jsonl)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "facts": dict(self.facts),
            "article": self.article,
            "headline": self.headline,
            "brief": self.brief,
            "bullets": list(self.bullets),
            "target_words": self.target_words,
        }


def _facts(rng: random.Random, fake: Any) -> dict[str, str]:
    company, target = fake.company(), fake.company()
    while target == company:
        target = fake.company()
    up = rng.random() < 0.6
    products = rng.choice([t.plural for c in categories() for t in c.types])
    return {
        "company": company,
        "target": target,
        "town": fake.city(),
        "weekday": rng.choice(_WEEKDAYS),
        "quote_person": fake.name(),
        "role": rng.choice(_ROLES),
        "jobs": str(rng.randint(12, 400)),
        "area": f"{rng.randint(4, 40) * 50:,}",
        "amount": str(rng.randint(3, 450)),
        "quarter": rng.choice(_QUARTERS),
        "staff": str(rng.randint(40, 2400)),
        "revenue": str(rng.randint(12, 900)),
        "direction": "up" if up else "down",
        "change": str(rng.randint(2, 24)),
        "demand": rng.choice(_DEMAND),
        "site": rng.choice(_SITES),
        "units": f"{rng.randint(5, 400) * 100:,}",
        "products": products,
        "reason": rng.choice(_REASONS),
        "month": rng.choice(_MONTHS),
        "purpose": rng.choice(_PURPOSES),
        "years": str(rng.randint(2, 15)),
        "event": rng.choice(_EVENTS),
        "stalls": str(rng.randint(20, 160)),
        "visitors": f"{rng.randint(5, 200) * 100:,}",
        "hour": rng.choice(_HOURS),
    }


def _slots(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _grounded(options: list[str], allowed: set[str], facts: Mapping[str, str]) -> list[str]:
    """The options filled, keeping only those that use no fact the article leaves out."""
    return [str(fill(o, facts)) for o in options if _slots(o) <= allowed]


def _item(index: int, kind: str, rng: random.Random, fake: Any) -> NewsItem:
    spec = news_bank()["kinds"][kind]
    target_words = rng.choice((30, 40))
    while True:  # long company names can make every headline or brief too long: draw again
        facts = _facts(rng, fake)
        template = rng.choice(spec["article"])
        allowed = _slots(template)
        headlines = [
            h
            for h in _grounded(spec["headline"], allowed, facts)
            if len(h.split()) <= HEADLINE_WORDS
        ]
        briefs = [
            b for b in _grounded(spec["brief"], allowed, facts) if len(b.split()) <= target_words
        ]
        if headlines and briefs:
            break
    headline = rng.choice(headlines)
    bullets = [_grounded(lines, allowed, facts) for lines in spec["bullets"]]
    return NewsItem(
        id=f"news-{index:05d}",
        kind=kind,
        facts={k: v for k, v in facts.items() if k in allowed},
        article=str(fill(template, facts)),
        headline=headline[:1].upper() + headline[1:],
        brief=rng.choice(briefs),
        bullets=tuple(f"- {line}" for line in rng.choice([b for b in bullets if len(b) == 3])),
        target_words=target_words,
    )


def generate_news(count: int, rng: random.Random, fake: Any) -> Iterator[NewsItem]:
    """`count` news items, the story kinds taken in turn."""
    for index in range(count):
        yield _item(index, NEWS_KINDS[index % len(NEWS_KINDS)], rng, fake)
