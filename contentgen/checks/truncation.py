"""Truncation: every field must end as a complete sentence or, for headline-like fields, phrase.

Prose fields (descriptions, bodies, posts, SMS, replies, summaries) end with terminal
punctuation (. ! ? … optionally inside quotes or brackets); trailing hashtags, emoji, a link or
a sign-off line ("Kind regards,\\nThe Team") may follow. Headline-like fields (headline, subject,
preheader, title, a button's call to action; news in the "headline" style; each bullet of a
"bullets" summary) may end
without a full stop. No field ends on a dangling article, conjunction or preposition ("... with
the"), on a comma, colon or dash, inside unbalanced brackets or quotes, or, when the field is
within 10% of its channel's limit, on a word cut short (a strict prefix of a word in the facts:
"Waterpr" for "waterproof"; "plan" before "planner" far from the limit is a word).

A field that stops inside or right after a phrase of the facts (a stated benefit, what the
product is made for) carries a correction: the phrase said whole with its full stop, within the
field's limit (see `completion`). A headline-like field that ends on a dangling word carries
another: the dangling words cut off, where two or more words stay ("Wireless Charging Pads at"
-> "Wireless Charging Pads", a "{kind} at {price}" headline whose price did not fit).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from contentgen.checks.base import EvalInput
from contentgen.checks.benefits import fact_benefits
from contentgen.checks.channels import CHANNELS
from contentgen.checks.completion import completion
from contentgen.checks.detector import (
    Detector,
    fact_values,
    leaves,
    product_facts,
    text_fields,
    word_set,
)
from contentgen.checks.names import COMMON_WORDS
from contentgen.checks.output_guard import URL
from contentgen.checks.problems import Problem

NEAR_LIMIT = 0.9  # a field this close to its channel's limit may have been cut by it
COMPLETED_KINDS = frozenset({"no_sentence_end", "dangling_word", "cut_word"})
TRIMMED_MIN_WORDS = 2  # words a headline must keep when its dangling end is cut off
HEADLINE_FIELDS = frozenset({"headline", "subject", "preheader", "title", "cta"})
# Never the last word of a finished sentence, even before a full stop.
ALWAYS_DANGLING = word_set(
    "a an the your our my their its and or but nor because although than whether"
)
# Fine before a full stop ("what it's made for."), never as the bare end of a field.
OPEN_ENDED = ALWAYS_DANGLING | word_set(
    "with for of to at by from in on into onto via per without is are was were will can has have"
)
_TERMINAL = re.compile(r"[.!?…](?:[\"'”’)\]»]*)$")
_BAD_END = re.compile(r"[,;:&(\-–—/+]$")
_TAIL = re.compile(r"(?:\s*(?:[#@][\w-]+|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]+))+\s*$")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_LAST_WORD = re.compile(r"(?:^|\s)([^\W_]+(?:['’][^\W_]+)*)\W*$")
_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("“", "”"), ("«", "»"))
_STRAIGHT_QUOTE = re.compile(r'(?<!\d)"')
_CLOSING = re.compile(
    r"^(?:best|kind|warm|warmest|many)?\s*(?:regards|wishes|thanks|cheers|sincerely)\b", re.I
)


def _last_word(text: str) -> str:
    words = _WORD.findall(text)
    return words[-1].lower() if words else ""


class TruncationCheck(Detector):
    """Gate 'truncation': fields that stop mid-sentence, mid-phrase or mid-word."""

    name = "truncation"

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every field that does not end complete."""
        style = str(item.facts.get("style") or "")
        fact_leaves = leaves(fact_values(item))
        fact_words = {w.lower() for leaf in fact_leaves for w in _WORD.findall(leaf)}
        # A fact may itself end on such a word ("energy class A"): said whole, it is complete.
        ends_of_facts = tuple(f for f in fact_leaves if _last_word(f) in OPEN_ENDED)
        # A word the copy also uses elsewhere is a word, not a fragment ("a plan" ... "a plan").
        said = Counter(w.lower() for v in text_fields(item).values() for w in _WORD.findall(v))
        words_of_copy = {w for w, n in said.items() if n > 1}
        found: list[Problem] = []
        for field, written in text_fields(item).items():
            value = written.strip()
            if not value:
                continue
            if style == "bullets" and field == "summary":
                for line in filter(None, (ln.strip(" -•*\t") for ln in value.splitlines())):
                    found += self._end(field, line, True, set(), words_of_copy, ends_of_facts)
            else:
                headline = field in HEADLINE_FIELDS or (style == "headline" and field == "summary")
                near_limit = _near_limit(item.channel, field, value)
                cut_from = fact_words if near_limit else set()
                ending = self._end(field, value, headline, cut_from, words_of_copy, ends_of_facts)
                found += [self._completed(p, written, item, fact_leaves) for p in ending]
            found += self._balance(field, value)
        return found

    def _completed(
        self, problem: Problem, written: str, item: EvalInput, fact_leaves: list[str]
    ) -> Problem:
        """The problem with its correction: a prose field that stops in or after a phrase of the
        facts is finished with it; a headline-like field, a label, only loses a dangling end."""
        if problem.kind == "dangling_word" and problem.field in HEADLINE_FIELDS:
            return _trimmed(problem, written)
        if problem.kind not in COMPLETED_KINDS or problem.field in HEADLINE_FIELDS:
            return problem
        phrases = [*fact_leaves, *(said for _, said in fact_benefits(product_facts(item)))]
        done = completion(written, phrases, _limit(item.channel, problem.field))
        if done is None:
            return problem
        return replace(problem, evidence=written[done.start : done.end], start=done.start,
                       end=done.end, fix=done.fix)  # fmt: skip

    def _end(
        self,
        field: str,
        value: str,
        headline: bool,
        cut_from: set[str],
        repeated: set[str],
        ends_of_facts: tuple[str, ...] = (),
    ) -> list[Problem]:
        body = _TAIL.sub("", _without_signoff(value)).rstrip()
        tail = value[-40:]
        links = list(URL.finditer(body))
        if links and links[-1].end() >= len(body.rstrip(".!)")):
            return []  # "Shop now: example.com/boots" ends on its link
        if not body:
            return []
        words = _WORD.findall(body)
        last = words[-1].lower() if words else ""
        terminal = bool(_TERMINAL.search(body))
        if _BAD_END.search(body):
            return [self.problem("unfinished", field, tail)]
        said_fact = body.rstrip(".!?…").endswith(ends_of_facts) if ends_of_facts else False
        if last in (ALWAYS_DANGLING if terminal else OPEN_ENDED) and not said_fact:
            return [self.problem("dangling_word", field, tail)]
        if not terminal and last not in repeated and _cut_word(last, cut_from):
            return [self.problem("cut_word", field, tail)]
        if not terminal and not headline and not _TAIL.search(value):
            return [self.problem("no_sentence_end", field, tail)]
        return []

    def _balance(self, field: str, value: str) -> list[Problem]:
        for opening, closing in _PAIRS:
            if value.count(opening) != value.count(closing):
                return [self.problem("unbalanced", field, value[-40:], limit=opening + closing)]
        if len(_STRAIGHT_QUOTE.findall(value)) % 2:
            return [self.problem("unbalanced", field, value[-40:], limit='""')]
        return []


def _trimmed(problem: Problem, written: str) -> Problem:
    """A headline-like field that ends on a dangling word, with the words cut off after its
    last complete phrase ("Wireless Charging Pads at" -> "Wireless Charging Pads": the price did
    not fit); a label of one word left, or none, is drawn again."""
    kept = written.rstrip()
    while (last := _LAST_WORD.search(kept)) and last.group(1).lower() in OPEN_ENDED:
        kept = kept[: last.start()].rstrip(" ,;:&-–—/+")
    if len(_WORD.findall(kept)) < TRIMMED_MIN_WORDS:
        return problem
    return replace(problem, evidence=written[len(kept) :], start=len(kept), end=len(written),
                   fix="")  # fmt: skip


def _without_signoff(text: str) -> str:
    """The text without its sign-off ("Kind regards,", "The Alpine Team") after the last sentence."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for _ in range(2):
        if len(lines) < 2 or len(lines[-1].split()) > 5:
            break
        last, before = lines[-1], lines[-2]
        signature = all(w[:1].isupper() for w in last.split()) and before.endswith((",", "!", "."))
        if _CLOSING.match(last) or signature:
            lines.pop()
        else:
            break
    return "\n".join(lines)


def _limit(channel: str | None, field: str) -> int | None:
    """The field's character limit in its channel (None when it has none)."""
    spec = CHANNELS.get(channel) if channel else None
    limits = {f.name: f.max_chars for f in spec.fields} if spec else {}
    return limits.get(field)


def _near_limit(channel: str | None, field: str, value: str) -> bool:
    """Whether a field is long enough for its channel's limit to have cut it."""
    limit = _limit(channel, field)
    return limit is not None and len(value) >= NEAR_LIMIT * limit


def _cut_word(last: str, words: set[str]) -> bool:
    """Whether `last` looks like one of `words` cut short ("waterpr" of "waterproof")."""
    if len(last) < 4 or last in words or last in COMMON_WORDS:
        return False  # "back" before "backlit" is a word; "waterpr" is not
    return any(w.startswith(last) and len(w) >= len(last) + 3 for w in words)
