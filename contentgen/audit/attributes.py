"""The attributes the bias audit swaps, and the counterfactual pairs built for each.

A pair is two requests that differ only in the attribute: the same scenario, order facts,
policy, product, channel, tone and seed, with the customer's name and pronouns (customer
service) or the audience descriptor (marketing) swapped. Pairs are drawn from a seeded
`random.Random`, so the same seed gives the same pairs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from contentgen.audit.names import ANGLO, GENDERS, ORIGINS, OTHER_ORIGINS, PRONOUNS
from contentgen.audit.scenarios import (
    AUDIENCE_PHRASES,
    CUSTOMER_SCENARIOS,
    MARKETING_CHANNELS,
    PRODUCTS,
    CustomerScenario,
)
from contentgen.tasks.customer_service import CustomerServiceRequest
from contentgen.tasks.marketing import MarketingRequest
from contentgen.types import BaseRequest


@dataclass(frozen=True)
class CounterfactualPair:
    """Two requests that differ only in one attribute; `swap` says what was swapped."""

    attribute: str
    index: int
    seed: int
    swap: tuple[str, str]
    requests: tuple[BaseRequest, BaseRequest]


PairBuilder = Callable[[random.Random, int], tuple[tuple[str, str], BaseRequest, BaseRequest]]


@dataclass(frozen=True)
class Attribute:
    """One swappable attribute: its task, its two groups (A, B) and how a pair is built."""

    name: str
    task: str
    groups: tuple[str, str]
    description: str
    build: PairBuilder

    def pairs(self, count: int, seed: int) -> list[CounterfactualPair]:
        """`count` pairs, the same ones for the same seed (each attribute draws on its own)."""
        rng = random.Random(f"{seed}:{self.name}")
        out = []
        for index in range(count):
            pair_seed = rng.randrange(2**31)
            swap, a, b = self.build(rng, pair_seed)
            out.append(CounterfactualPair(self.name, index, pair_seed, swap, (a, b)))
        return out


def _customer(
    scenario: CustomerScenario, first: str, last: str, gender: str, order: str, seed: int
) -> CustomerServiceRequest:
    words = PRONOUNS[gender]
    message = scenario.message.format(
        first=first,
        last=last,
        order=order,
        title=words["title"],
        they=words["they"],
        They=words["they"].capitalize(),
        them=words["them"],
        their=words["their"],
        parent=words["parent"],
    )
    context = {"order_id": order, "item": scenario.item, "status": scenario.status}
    return CustomerServiceRequest(
        message=message, context=context, policy=scenario.policy, seed=seed
    )


def _order(rng: random.Random) -> str:
    return f"A-{rng.randrange(1000, 10000)}"


def _gender_pair(rng: random.Random, seed: int) -> tuple[tuple[str, str], BaseRequest, BaseRequest]:
    scenario, order = rng.choice(CUSTOMER_SCENARIOS), _order(rng)
    origin = ORIGINS[rng.choice(sorted(ORIGINS))]
    last = rng.choice(origin.surnames)
    female, male = rng.choice(origin.female), rng.choice(origin.male)
    a = _customer(scenario, female, last, "female", order, seed)
    b = _customer(scenario, male, last, "male", order, seed)
    return (f"{female} {last}", f"{male} {last}"), a, b


def _origin_pair(rng: random.Random, seed: int) -> tuple[tuple[str, str], BaseRequest, BaseRequest]:
    scenario, order = rng.choice(CUSTOMER_SCENARIOS), _order(rng)
    gender = rng.choice(GENDERS)
    anglo, other = ORIGINS[ANGLO], ORIGINS[rng.choice(OTHER_ORIGINS)]
    first_a, last_a = rng.choice(anglo.given(gender)), rng.choice(anglo.surnames)
    first_b, last_b = rng.choice(other.given(gender)), rng.choice(other.surnames)
    a = _customer(scenario, first_a, last_a, gender, order, seed)
    b = _customer(scenario, first_b, last_b, gender, order, seed)
    return (f"{first_a} {last_a}", f"{first_b} {last_b}"), a, b


def _audience(groups: tuple[str, str]) -> PairBuilder:
    def build(rng: random.Random, seed: int) -> tuple[tuple[str, str], BaseRequest, BaseRequest]:
        product, channel = rng.choice(PRODUCTS), rng.choice(MARKETING_CHANNELS)
        phrase = rng.choice(AUDIENCE_PHRASES)
        a, b = (phrase.format(group=g) for g in groups)
        made = [
            MarketingRequest(product=product, channel=channel, audience=x, variants=1, seed=seed)
            for x in (a, b)
        ]
        return (a, b), made[0], made[1]

    return build


ATTRIBUTES: Mapping[str, Attribute] = MappingProxyType(
    {
        a.name: a
        for a in (
            Attribute(
                "customer_gender",
                "customer_service",
                ("female", "male"),
                "customer's given name, title and pronouns (same origin and surname)",
                _gender_pair,
            ),
            Attribute(
                "customer_origin",
                "customer_service",
                ("anglo", "non-anglo"),
                "customer's given name and surname: Anglo vs Arabic, South Asian, Hispanic, "
                "Chinese or West African (same gender)",
                _origin_pair,
            ),
            Attribute(
                "audience_gender",
                "marketing",
                ("women", "men"),
                'audience descriptor "women" vs "men" (same product, channel and phrasing)',
                _audience(("women", "men")),
            ),
            Attribute(
                "audience_age",
                "marketing",
                ("seniors", "students"),
                'audience descriptor "seniors" vs "students" (same product, channel, phrasing)',
                _audience(("seniors", "students")),
            ),
        )
    }
)
ATTRIBUTE_NAMES: tuple[str, ...] = tuple(ATTRIBUTES)
