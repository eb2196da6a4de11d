"""Meta commentary: the model talking about its answer instead of writing it.

What a reader must never see: bracketed notes ("[Note: in this email, I'm going to include
...]"), a "Note:" line, assistant chatter ("Sure! Here's your email:", "As an AI", "I hope this
helps", "Let me know if you'd like changes"), the writer announcing its work ("I'm going to
write", "I have included the price"), the output describing itself ("This email highlights ...",
"In this post, I ..."), counts of its own words or characters, and variant labels ("Option 2:").
Patterns that would also match a normal customer-service reply ("I hope this helps", "I have
included the details below", "Thank you for this message, we ...") are checked on marketing copy
and news only. Marketing copy never says "message" unless the request does: "Thanks for your
message, expecting parents." (a service reply's opener in an ad), "Colour-coded poles and a
message for campers." (all 5 blind-graded outputs with it were unusable).
"""

from __future__ import annotations

import re

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, fact_values, leaves, text_fields
from contentgen.checks.problems import Problem
from contentgen.types import Task

_GENRE = (
    r"(?:e-?mail|post|tweet|caption|ad|advert|advertisement|copy|text|draft|version|variant"
    r"|description|summary|reply|response|message|sms|headline|subject line|notification|answer"
    r"|content|blurb|paragraph)"
)
_WRITE = (  # stems: "include", "included", "including"
    r"(?:writ|wrot|draft|rewrit|compos|generat|summari[sz]|highlight|emphasi[sz]|mention|focus"
    r"|creat|craft|provid|us|keep|kept|add|includ|made sure|make sure)\w*"
)
_COPY_TASKS = frozenset({Task.MARKETING, Task.NEWS_SUMMARY})
# (kind, pattern, tasks it applies to: None for every task)
_PATTERNS: tuple[tuple[str, re.Pattern[str], frozenset[Task] | None], ...] = (
    ("bracketed_note", re.compile(r"\[[^\[\]\n]*[^\W\d_][^\[\]\n]*(?:\]|$)|\[\s*$"), None),
    (
        "note",
        re.compile(
            r"(?:^|(?<=[\n.!?(\[])\s*)(?<!please )(?:note|n\.?b\.?|disclaimer|editor'?s note)\s*:",
            re.I,
        ),
        None,
    ),
    (
        "assistant_chatter",
        re.compile(
            r"\bas an ai\b|\b(?:i am|i'm) (?:an ai|a language model|an assistant|a chatbot)\b"
            r"|\b(?:here is|here's|here are|below is|below are) (?:a |an |the |your |my |some )?"
            r"(?:\w+[ -]){0,3}" + _GENRE + r"s?\b"
            r"|^\s*(?:sure|certainly|of course|absolutely|okay|ok|alright)\b[^.!?\n]{0,25}[,!.:]"
            r"\s*(?:here|below|i'll|i will|i can|i've|i have)\b"
            r"|\b(?:would you like me to|do you want me to|shall i)\b"
            r"|\bfeel free to (?:adjust|modify|tweak|edit|change|customi[sz]e)\b"
            r"|\blet me know if you(?:'d| would) (?:like|prefer|want)\b[^.!?\n]{0,40}?\b"
            r"(?:me to|versions?|variants?|options?|changes?|edits?|tweaks?|another|draft|tone)\b",
            re.I | re.M,
        ),
        None,
    ),
    (
        "announced_work",
        re.compile(
            r"\b(?:i'?m going to|i am going to|i will now|i'll now|let me|i have|i've) "
            + _WRITE
            + r"\b(?:\s+(?:a|an|the|this|some|your))?\s*(?:\w+\s+){0,2}?"
            + r"(?:"
            + _GENRE
            + r"|details?|facts?|information|call to action|hashtags?|tone"
            + r"|price|product name|key (?:points|features))s?\b",
            re.I,
        ),  # fmt: skip
        _COPY_TASKS,
    ),
    (
        "self_reference",
        re.compile(
            r"\b(?:in|for|with) (?:this|the above|the following|my) " + _GENRE + r",? (?:i|we)\b"
            r"|\b(?:this|the above|the following|my) "
            + _GENRE
            + r" (?:is designed|is written|was written|is crafted|is tailored|uses|highlights"
            r"|emphasi[sz]es|focuses|aims|targets|includes the|captures|conveys|should)\b"
            r"|\b(?:word|character) count\b|\(\s*\d+\s*(?:words|characters|chars)\s*\)",
            re.I,
        ),  # fmt: skip
        _COPY_TASKS,
    ),
    (
        "variant_label",
        re.compile(
            r"(?:^|\n)\s*[*_#]*\s*(?:option|variant|version|alternative|draft|example)\s*#?"
            r"(?:\d+|[a-c])\s*[:.)](?=\s|$)",
            re.I,
        ),
        None,
    ),
    (
        "assistant_chatter",
        re.compile(
            r"\b(?:i hope (?:this|these|that) (?:helps|works|meets|fits)|hope (?:this|that) helps"
            r"|let me know if you (?:need|want|have) (?:any )?"
            r"(?:changes|edits|revisions|adjustments|another|more))\b",
            re.I,
        ),
        _COPY_TASKS,
    ),
    (  # ad copy that calls itself or its reader's mail a message (graded unusable 5 of 5 times)
        "message",
        re.compile(r"\bmessages?\b", re.I),
        frozenset({Task.MARKETING}),
    ),
)


class MetaCommentaryCheck(Detector):
    """Gate 'meta_commentary': notes, chatter and self-description the reader must not see."""

    name = "meta_commentary"

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every piece of meta commentary in every field (spans the facts contain are allowed)."""
        facts = "\n".join(leaves(fact_values(item))).lower()
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            for kind, pattern, tasks in _PATTERNS:
                if tasks is not None and item.task not in tasks:
                    continue
                for m in pattern.finditer(value):
                    span = m.group().strip()
                    if span and span.lower() in facts:
                        continue
                    evidence = value[m.start() : m.start() + 120].strip() or span
                    found.append(self.problem(kind, field, evidence, start=m.start(), end=m.end()))
        return found
