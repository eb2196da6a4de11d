"""Policy: a customer-service reply promises only what the request's policy (or order facts) allow.

A promise is a sentence offering a refund, a discount or credit, free shipping or returns, a
replacement, or a delivery/resolution time, unless the sentence negates it ("we cannot offer a
refund"). A category is allowed when the policy or the order context mentions it in a sentence
without a negation; a policy that only ever negates it ("no refunds on sale items") forbids it,
and one that never mentions it does not allow it either. Beyond the category: a "full"/"100%"
refund exceeds a policy that limits refunds ("a 50% refund", "partial refunds"); every
percentage and every number of a timeline ("within 3 days") must be written in the policy or
the context.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, leaves
from contentgen.checks.fact_numbers import FactIndex
from contentgen.checks.number_claims import number_claims
from contentgen.checks.problems import Problem
from contentgen.types import Task

CATEGORIES: Mapping[str, re.Pattern[str]] = {
    "refund": re.compile(
        r"\brefund\w*|\bmoney back\b|\breimburs\w*|\bpay you back\b|\brefundable\b"
    ),
    "discount": re.compile(
        r"\bdiscount\w*|\b\d+\s?% off\b|\bcoupon\w*|\bvoucher\w*|\bpromo(?:tion(?:al)?)? code\b"
        r"|\bgift card\b|\bstore credit\b|\bcredit note\b|\bgoodwill\b|\bcompensat\w*"
    ),
    "free_shipping": re.compile(
        r"\bfree (?:shipping|delivery|returns?|postage|of charge|replacement|upgrade)\b"
        r"|\bat no (?:extra |additional )?cost\b|\bno (?:extra )?charge\b|\bprepaid\b"
        r"|\bfree express\b|\bexpress (?:shipping|delivery) (?:at no|for free)\b"
    ),
    "replacement": re.compile(
        r"\breplace(?:ment|d)?\b|\bre-?ship\w*|\bsend (?:you )?(?:a )?(?:new|another|second)\b"
        r"|\bexchange\w*"
    ),
}
_TIMELINE = re.compile(
    r"\b(?:within|in|under) (?:the next )?(?:\d+|one|two|three|four|five|six|seven|ten|24|48)"
    r"(?:\s?-\s?\d+)? (?:business |working )?(?:hours?|days?|weeks?)\b"
)
# Only a promise next to an action ("we will ship it today"; not "you need it by Friday").
_SOON = re.compile(
    r"\b(?:today|tomorrow|overnight|next[- ]day|same[- ]day|immediately|right away)\b"
    r"|\b(?:by|before) (?:tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|the end of (?:the )?(?:day|week))\b"
)
_ACTION = re.compile(
    r"(?:\b(?:will|shall|we)\b|['’]ll\b).{0,40}\b(?:ship\w*|deliver\w*|arriv\w*|refund\w*|send|sent"
    r"|dispatch\w*|process\w*|credit\w*|resolv\w*|replac\w*)\b"
)
_FULL = re.compile(r"\b(?:full|in full|entire|whole|complete)\b|\b100\s?%")
_PARTIAL = re.compile(r"\bpartial\b|\b(?:[1-9]\d?(?:\.\d+)?)\s?%|\bhalf\b")
_NEGATION = re.compile(
    r"\b(?:no|not|non|cannot|can't|can’t|never|unable|isn't|isn’t|aren't|aren’t|won't|won’t"
    r"|don't|don’t|doesn't|doesn’t|excluded|ineligible|final sale)\b|n['’]t\b"
)
_NOT_NEGATIONS = re.compile(r"\b(?:at |with )?no (?:extra |additional )?(?:cost|charge)\b")
NEGATION_WINDOW = 6  # words before a keyword that may negate it
_SENTENCES = re.compile(r"[^.!?\n;]+[.!?;]?")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(text.lower()) if s.strip()]


def _spans(text: str) -> list[tuple[str, str, int, int]]:
    """(sentence as written, lower-cased, start, end) for every sentence or clause of `text`."""
    return [
        (m.group().strip(), m.group().strip().lower(), m.start(), m.end())
        for m in _SENTENCES.finditer(text)
        if m.group().strip()
    ]


def _negated(sentence: str, start: int) -> bool:
    """Whether a negation comes just before the keyword ("we cannot offer a refund") or after it."""
    window = _NOT_NEGATIONS.sub(" ", " ".join(sentence[:start].split()[-NEGATION_WINDOW:]))
    return bool(_NEGATION.search(window)) or bool(
        re.match(r"[\w ]{0,25}\b(?:is|are) not\b|[\w ]{0,12}n['’]t\b", sentence[start:])
    )


def allowed(policy_text: str) -> dict[str, bool | None]:
    """Per category: True when allowed, False when only ever negated, None when not mentioned."""
    verdict: dict[str, bool | None] = dict.fromkeys(CATEGORIES)
    for sentence in _sentences(policy_text):
        for category, pattern in CATEGORIES.items():
            for m in pattern.finditer(sentence):
                negated = _negated(sentence, m.start()) or sentence[: m.start()].endswith("non-")
                verdict[category] = bool(verdict[category]) or not negated
    return verdict


class PolicyCheck(Detector):
    """Gate 'policy': refunds, discounts, free shipping, replacements and timelines not allowed."""

    name = "policy"
    tasks = frozenset({Task.CUSTOMER_SERVICE})

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every promise in the reply that the policy and order context do not allow."""
        sources = _sources(item.facts)
        permits = allowed(sources)
        index = FactIndex.build({"policy": sources})
        limited = bool(_PARTIAL.search(sources.lower())) and not _FULL.search(sources.lower())
        found: list[Problem] = []
        for written, sentence, start, end in _spans(item.text):
            where = {"start": start, "end": end}
            for category, pattern in CATEGORIES.items():
                for m in pattern.finditer(sentence):
                    if _negated(sentence, m.start()):
                        continue
                    if not permits[category]:
                        kind = "forbidden" if permits[category] is False else "not_in_policy"
                        found.append(self.problem(kind, "reply", written, limit=category, **where))
                    elif category == "refund" and _FULL.search(sentence) and limited:
                        found.append(
                            self.problem("exceeds_policy", "reply", written, limit="full", **where)
                        )
                    break
            found += self._numbers(sentence, index)
        return found

    def _numbers(self, sentence: str, index: FactIndex) -> list[Problem]:
        found = []
        timelines = [m.group() for m in _TIMELINE.finditer(sentence)]
        if _ACTION.search(sentence) and not _negated(sentence, len(sentence)):
            timelines += [m.group() for m in _SOON.finditer(sentence)]
        for timeline in timelines:
            claims = number_claims(timeline)
            if not claims or not all(index.grounded_number(c) for c in claims):
                if not claims and timeline in index.corpus.lower():
                    continue
                found.append(self.problem("timeline", "reply", timeline))
        for claim in number_claims(sentence):
            if claim.kind == "percent" and not index.grounded_number(claim):
                found.append(self.problem("percentage", "reply", claim.text))
        return found


def _sources(facts: Mapping[str, Any]) -> str:
    """What may license a promise: the policy and the order context (never the customer's ask)."""
    policy = facts.get("policy")
    context = facts.get("context")
    parts = [policy] if isinstance(policy, str) and policy.strip() != "(none given)" else []
    parts += leaves(context) if isinstance(context, Mapping) else []
    return "\n".join(parts)
