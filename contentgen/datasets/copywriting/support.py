"""Customer-service cases: a message, order facts and a policy, with a reply that follows it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contentgen.datasets.copywriting.briefs import Brief
from contentgen.datasets.copywriting.resources import support_bank
from contentgen.datasets.copywriting.slots import fill

CS_TONES: tuple[str, ...] = ("empathetic", "professional", "friendly")
KINDS: tuple[str, ...] = (
    "late_within", "late_overdue", "damaged", "wrong_size", "refund_inside", "refund_outside",
    "cancel_before", "cancel_after", "invoice", "warranty_in", "warranty_expired",
)  # fmt: skip
_WARRANTY_KINDS = ("warranty_in", "warranty_expired")


@dataclass(frozen=True)
class SupportCase:
    """One customer-service case and its reply; `allowed` are the promise kinds it may make."""

    id: str
    brief_id: str
    kind: str
    tone: str
    message: str
    context: Mapping[str, Any]
    policy: str
    reply: str
    allowed: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        """The JSON record (customer_service.jsonl)."""
        return {
            "id": self.id,
            "brief_id": self.brief_id,
            "kind": self.kind,
            "tone": self.tone,
            "message": self.message,
            "context": dict(self.context),
            "policy": self.policy,
            "reply": self.reply,
            "allowed_promises": list(self.allowed),
        }


def _day(date: dt.date) -> str:
    return f"{date.day} {date:%B}"


def _working_days_after(date: dt.date, days: int) -> dt.date:
    while days:
        date += dt.timedelta(days=1)
        if date.weekday() < 5:
            days -= 1
    return date


def _facts(kind: str, brief: Brief, rng: random.Random, fake: Any) -> dict[str, Any]:
    """The numbers and dates of a case, consistent with its kind."""
    today = fake.date_between(start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 11, 30))
    warranty_years = brief.warranty_years or 2
    facts: dict[str, Any] = {
        "order_id": f"NW-{rng.randint(10000, 99999)}",
        "item": brief.name,
        "first_name": fake.first_name(),
        "warranty": f"{warranty_years} year" + ("s" if warranty_years > 1 else ""),
    }
    if kind.startswith("late"):
        window = rng.choice((5, 7, 10))
        since = rng.randint(1, window - 2) if kind == "late_within" else window + rng.randint(2, 8)
        dispatched = today - dt.timedelta(days=since + 2 * (since // 5) + 2)
        facts |= {"window": window, "days_since": since, "dispatched": _day(dispatched)}
        facts["expected"] = _day(_working_days_after(dispatched, window))
    elif kind in ("damaged", "wrong_size", "refund_inside", "refund_outside"):
        window = rng.choice({"damaged": (7, 14), "wrong_size": (30, 60)}.get(kind, (14, 30)))
        since = (
            rng.randint(1, window - 2) if kind != "refund_outside" else window + rng.randint(5, 60)
        )
        facts |= {"window": window, "days_since": since}
        facts["delivered"] = _day(today - dt.timedelta(days=since))
        facts["refund_days"] = rng.choice((5, 10, 14))
    elif kind.startswith("cancel"):
        facts["window"] = rng.choice((14, 30))
        facts["dispatched"] = _day(today - dt.timedelta(days=rng.randint(1, 3)))
    elif kind == "invoice":
        facts["window"] = rng.choice((2, 3, 5))
    else:
        years = rng.randint(0, warranty_years - 1) if kind == "warranty_in" else warranty_years
        purchased = today - dt.timedelta(days=365 * years + rng.randint(30, 300))
        facts["purchased"] = f"{_day(purchased)} {purchased.year}"
    return facts


_LATE = (("order_id", "order_id"), ("item", "item"), ("dispatched", "dispatched"))
_DELIVERED = (("order_id", "order_id"), ("item", "item"), ("delivered", "delivered"))
_WARRANTY = (("order_id", "order_id"), ("item", "item"), ("purchased", "purchased"))
# (context key, fact key) per kind: the order facts the agent sees.
_CONTEXT_KEYS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "late_within": (
        *_LATE,
        ("working_days_since_dispatch", "days_since"),
        ("expected", "expected"),
    ),
    "late_overdue": (*_LATE, ("working_days_since_dispatch", "days_since")),
    "damaged": _DELIVERED,
    "wrong_size": _DELIVERED,
    "refund_inside": _DELIVERED,
    "refund_outside": (*_DELIVERED, ("days_since_delivery", "days_since")),
    "cancel_before": (("order_id", "order_id"), ("item", "item"), ("status", "status")),
    "cancel_after": (*_LATE, ("status", "status")),
    "invoice": (("order_id", "order_id"), ("item", "item")),
    "warranty_in": (*_WARRANTY, ("warranty", "warranty")),
    "warranty_expired": (*_WARRANTY, ("warranty", "warranty")),
}


def _context(kind: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    status = {"cancel_before": "not dispatched yet", "cancel_after": "dispatched"}.get(kind)
    values = {**facts, "status": status}
    return {key: values[fact] for key, fact in _CONTEXT_KEYS[kind]}


def _unredacted(message: str, context: Mapping[str, Any]) -> bool:
    """Whether the engine would pass this message and context to a prompt unchanged."""
    from contentgen.requests_io import prompt_variables
    from contentgen.types import CustomerServiceRequest

    seen = prompt_variables(CustomerServiceRequest(message=message, context=context))
    return seen["message"] == message and seen["context"] == dict(context)


def _case(index: int, brief: Brief, kind: str, rng: random.Random, fake: Any) -> SupportCase:
    bank = support_bank()
    spec = bank["kinds"][kind]
    tone = rng.choice(CS_TONES)
    facts = {k: str(v) for k, v in _facts(kind, brief, rng, fake).items()}
    message = str(fill(rng.choice(spec["messages"]), facts))
    while not _unredacted(message, _context(kind, facts)):  # e.g. a first name read as an address
        facts["first_name"] = str(fake.first_name())
        message = str(fill(rng.choice(spec["messages"]), facts))
    say = lambda options: fill(rng.choice(options), facts)  # noqa: E731
    lines = bank["tones"][tone]
    ack = say(spec.get("ack", lines["ack"]))
    reply = "\n\n".join(
        [str(ack), str(say(spec["resolve"])), f"{say(spec['next'])} {say(lines['close'])}"]
    )
    return SupportCase(
        id=f"cs-{index:05d}",
        brief_id=brief.id,
        kind=kind,
        tone=tone,
        message=message,
        context=_context(kind, facts),
        policy=str(fill(spec["policy"], facts)),
        reply=reply,
        allowed=tuple(spec["allowed"]),
    )


def generate_cases(briefs: list[Brief], rng: random.Random, fake: Any) -> Iterator[SupportCase]:
    """One case per brief, the kinds taken in turn (warranty kinds only where there is one)."""
    for index, brief in enumerate(briefs):
        kind = KINDS[index % len(KINDS)]
        if kind in _WARRANTY_KINDS and not brief.warranty_years:
            kind = "invoice"
        if kind == "wrong_size" and not brief.sizes:  # only sized products can be swapped
            kind = "damaged"
        yield _case(index, brief, kind, rng, fake)
