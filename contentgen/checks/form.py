"""Form (rubric U5 and the publishable bar): the shape each channel's readers expect.

Marketing copy only. Five kinds of Problem:

- `one_block` (email body): `MIN_SENTENCES` or more sentences with no paragraph break (a blank
  line). Readers scan an email; a wall of text is rewritten before it is sent.
- `no_call_to_action` (email body): the last sentence asks for nothing. A call to action starts
  with an imperative ("Order yours today.", "Go on, treat yourself.", "Don't miss it.") or sends
  the reader somewhere to buy ("... in our online shop.", "Your basket is waiting."); a price
  alone ("It is €79.") or a fact ("A 2-year warranty comes as standard.") is not one. A short
  sign-off may follow it ("Order yours today. Happy riding!").
- `no_hashtag` (social post): the post does not end with a hashtag (the rubric: "a social post
  ends with one or two hashtags").
- `lowercase_headline` (search ad headline, push title, email subject): starts with a lower-case
  letter ("linen shirts in burgundy").
- `stray_capital` (every field but those headlines, which may be in title case): a word of the
  brief's facts capitalised inside a sentence where the brief writes it in lower case ("the
  Case tops up on a wireless charging Pad" for the fact "wireless charging case"; rubric L4).
  Its record carries the word in lower case as its `fix`, which the engine applies.
  The product's name and brand, and facts the brief capitalises ("FSC-certified", "Bluetooth
  5.3"), are left alone. The blind review graded such copy unusable or a light edit every time.
"""

from __future__ import annotations

import re

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, leaves, product_facts, text_fields, word_set
from contentgen.checks.problems import Problem
from contentgen.types import Task

MIN_SENTENCES = 4  # a body this long needs at least one paragraph break
HEADLINE_FIELDS = ("headline", "title", "subject")
# "linen shirts ..." (a lower-case first word), not "25% off the ..." or "iPhone cases".
_LOWER_START = re.compile(r"^[\W_]*[a-z]+(?=[\s\W]|$)")
_ENDS_WITH_TAG = re.compile(r"#\w+[^\w#]*$")
SIGN_OFF_WORDS = 4  # "Happy riding!" may follow the call to action
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")  # not the point of "24.90"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A capitalised word after a lower-case word or a comma, inside a sentence ("the Case tops up").
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+\b")
_PROPER_KEYS = ("name", "brand", "title", "short_name")
_IMPERATIVES = word_set(
    "order discover explore find take treat add view see grab get make pick shop come buy browse "
    "visit reserve book try claim choose click tap head check join sign hurry upgrade bring give "
    "meet say start enjoy go let pop swing stock snap secure save reply call put pack charge wear "
    "plan follow ask tell pair"
)
# A lead-in before the imperative ("Go on,", "So,", "Now", "Why not").
_LEAD_IN = re.compile(
    r"^(?:(?:go on|so|now|then|and|today|why not|ready\?|yes|psst|quick|hurry|don't wait"
    r"|(?:it's |it is )?time to)[,:!]?\s+)+",
    re.I,
)
_DESTINATION = re.compile(
    r"\b(?:basket|cart|checkout|online shop|our shop|in store|our store|web ?shop|order (?:now|"
    r"today|online)|shop now|buy now|pre-?order|link in bio)\b",
    re.I,
)


class FormCheck(Detector):
    """Gate 'form': an email body in one block or without a call to action, a social post
    without a hashtag, a headline in lower case."""

    name = "form"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """The form problems of the output's channel."""
        fields = text_fields(item)
        found = [
            self.problem("lowercase_headline", name, fields[name][:40])
            for name in HEADLINE_FIELDS
            if _LOWER_START.match(fields.get(name, ""))
        ]
        if item.channel == "social_post" and not _ENDS_WITH_TAG.search(fields.get("post", "")):
            found.append(self.problem("no_hashtag", "post", fields.get("post", "")[-60:]))
        if item.channel == "email":
            found += self._email(fields.get("body", "").strip())
        capitals = [
            (name, match)
            for name, value in fields.items()
            if name not in HEADLINE_FIELDS
            for match in _MID_SENTENCE_CAPITAL.finditer(value)
        ]
        if capitals:  # most copy has none: the brief's words are read only when it does
            lower = _lower_case_fact_words(item)
            found += [
                self.problem("stray_capital", name, word, start=m.start(), end=m.end(),
                             fix=word.lower())
                for name, m in capitals
                if (word := m.group(0)).lower() in lower
            ]  # fmt: skip
        return found

    def _email(self, body: str) -> list[Problem]:
        if not body:
            return []  # a missing body is the channel check's
        found: list[Problem] = []
        sentences = [s.strip() for s in _SENTENCE_END.split(body) if s.strip()]
        if len(sentences) >= MIN_SENTENCES and not _PARAGRAPH_BREAK.search(body):
            found.append(self.problem("one_block", "body", body[:80], limit=MIN_SENTENCES - 1))
        if sentences and not _ends_asking(sentences):
            found.append(self.problem("no_call_to_action", "body", sentences[-1]))
        return found


def _lower_case_fact_words(item: EvalInput) -> frozenset[str]:
    """The words the brief's facts write only in lower case (none of the name or brand)."""
    product = product_facts(item)
    facts = " ".join(leaves({k: v for k, v in product.items() if k not in _PROPER_KEYS}))
    proper = " ".join(str(product.get(k, "")) for k in _PROPER_KEYS)
    capitalised = {w.lower() for w in re.findall(r"\b[A-Z]\w*", facts + " " + proper)}
    return frozenset(w for w in re.findall(r"\b[a-z]{2,}\b", facts) if w not in capitalised)


def _ends_asking(sentences: list[str]) -> bool:
    """Whether the last sentence asks, or the one before does and a short sign-off follows."""
    if is_call_to_action(sentences[-1]):
        return True
    sign_off = len(sentences[-1].split()) <= SIGN_OFF_WORDS
    return sign_off and len(sentences) > 1 and is_call_to_action(sentences[-2])


def is_call_to_action(sentence: str) -> bool:
    """Whether a sentence asks the reader to act: an imperative, or a place to buy."""
    text = _LEAD_IN.sub("", sentence.strip().strip("\"'“”")).lower().replace("’", "'")
    words = re.findall(r"[a-z']+", text)
    if not words:
        return False
    if words[0] in _IMPERATIVES or (words[0] == "don't" and len(words) > 1):
        return True
    return bool(_DESTINATION.search(text))
