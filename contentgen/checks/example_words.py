"""Example words: a template example's details that turn up in copy about another product.

Small models copy the few-shot example word by word: "Waterproof Fjellvik Casserole", a baby
carrier "ready for any trail", "Rain on the forecast?" over a notebook. The example's words are
read from the rendered examples (`EvalInput.examples`: each turn's delimited facts and its
answer), never from a list. A word of the example is *distinctive* when it is none of:

- a word of this request (its facts, keys included, and its rendered prompt: audience, tone and
  the template's own wording), or a function word;
- everyday copy vocabulary (contentgen.checks.vocabulary: words the project's reference copy uses
  for products of at least 40% of its categories, such as "ready", "tough", "perfect");
- a word of an example sentence that mentions a detail this product shares ("waterproof
  membrane": then "feet stay dry" follows from a fact of this product too); when the product is
  of the example's own kind (a word of the example's name or category in this request's facts)
  every word of the answer is allowed, and only the example's other facts stay distinctive.

Copy is rejected for one distinctive word of the example's *details* (`example_detail`: a
material or feature of another product, "nubuck", "waterproof"), for two different distinctive
words of its answer, name or category (`example_words`: "rain" and "forecast", "#hiking" and
"#outdoors"), or for three words in a row of the answer that hold a distinctive one
(`example_phrase`: "for any trail").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, text_fields
from contentgen.checks.fact_numbers import NAME_KEYS
from contentgen.checks.problems import Problem
from contentgen.checks.vocabulary import (
    FUNCTION_WORDS,
    content,
    copy_vocabulary,
    fact_words,
    folded,
    word_spans,
)
from contentgen.safety.untrusted import CLOSE, OPEN
from contentgen.types import Task

PHRASE_WORDS = 3  # a run this long of an example sentence, holding a distinctive word, is copied
ANSWER_WORDS = 2  # distinct distinctive words of an example answer that make copying likely
KIND_KEYS = frozenset({*NAME_KEYS, "category", "product_type", "type"})
_BLOCK = re.compile(rf"^{re.escape(OPEN)}\w*\n(.*?)^{re.escape(CLOSE)}$", re.S | re.M)
_FACT_LINE = re.compile(r"^\s*-\s*([^:\n]+):\s*(.*)$")
_LABEL = re.compile(r"^[A-Z][a-z]+(?: [a-z]+)?:[ \t]*", re.M)  # "Headline: ", "Body: "
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class Example:
    """One rendered few-shot turn: its facts by key, and its answer split into sentences."""

    facts: dict[str, str]
    sentences: tuple[str, ...]

    @classmethod
    def parse(cls, prompt: str, answer: str) -> Example:
        """Read the delimited facts of the turn's prompt and the sentences of its answer."""
        facts: dict[str, str] = {}
        for block in _BLOCK.finditer(prompt):
            for line in block.group(1).splitlines():
                m = _FACT_LINE.match(line)
                if m and m.group(2).strip():
                    key = m.group(1).strip()
                    facts[key] = f"{facts[key]}, {m.group(2)}" if key in facts else m.group(2)
        body = _LABEL.sub("", answer)
        return cls(facts, tuple(s for s in _SENTENCE.split(body) if s.strip()))


@dataclass(frozen=True)
class Distinctive:
    """What of the examples this request's copy must not repeat."""

    fact_words: frozenset[str]
    answer_words: frozenset[str]
    phrases: frozenset[tuple[str, ...]]
    source: str

    @classmethod
    def of(cls, examples: Iterable[Example], own: set[str]) -> Distinctive:
        """The distinctive words and phrases of `examples` for a request with words `own`."""
        allowed = own | FUNCTION_WORDS | copy_vocabulary()
        facts: set[str] = set()
        answer: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        names = []
        for example in examples:
            names += [v for k, v in example.facts.items() if k.lower() in NAME_KEYS]
            fact_words = content(folded(" ".join(example.facts.values())))
            kind = content(
                folded(" ".join(v for k, v in example.facts.items() if k.lower() in KIND_KEYS))
            )
            same_kind = bool(kind & own)
            # The example's name and category words ("hiking", "boot") say less than its details
            # ("nubuck", "waterproof"): a jacket's copy may say "#hiking", a tent's "car boot".
            facts |= fact_words - kind - allowed
            if same_kind:
                continue  # the same kind of product: what the example says of it may fit here
            answer |= kind - allowed
            shared = fact_words & own
            for sentence in example.sentences:
                words = folded(sentence)
                if shared & set(words):
                    continue
                answer |= content(words) - allowed
                for i in range(len(words) - PHRASE_WORDS + 1):
                    gram = tuple(words[i : i + PHRASE_WORDS])
                    if (set(gram) - allowed) & content(gram):
                        phrases.add(gram)
        return cls(
            frozenset(facts), frozenset(answer - facts), frozenset(phrases), "; ".join(names)
        )


class ExampleWordsCheck(Detector):
    """Gate 'example_words': words and phrases of the template's example, not of this product."""

    name = "example_words"
    tasks = frozenset({Task.MARKETING})

    def problems(self, item: EvalInput) -> list[Problem]:
        """Distinctive example details, word pairs and phrases, per field."""
        if not item.examples:
            return []
        examples = [Example.parse(prompt, answer) for prompt, answer in item.examples]
        found = Distinctive.of(examples, fact_words(item, prompt=True))
        fields = text_fields(item)
        words = {f: folded(v) for f, v in fields.items()}
        answer_hits = {w for ws in words.values() for w in ws if w in found.answer_words}
        problems: list[Problem] = []
        for field, value in fields.items():
            seen = words[field]
            for word in dict.fromkeys(w for w in seen if w in found.fact_words):
                problems.append(self._problem("example_detail", field, value, word, found.source))
            if len(answer_hits) >= ANSWER_WORDS:
                for word in dict.fromkeys(w for w in seen if w in answer_hits):
                    problems.append(
                        self._problem("example_words", field, value, word, found.source)
                    )
            grams = {tuple(seen[i : i + PHRASE_WORDS]) for i in range(len(seen) - PHRASE_WORDS + 1)}
            for gram in sorted(grams & found.phrases):
                problems.append(
                    self.problem("example_phrase", field, " ".join(gram), limit=found.source)
                )
        return problems

    def _problem(self, kind: str, field: str, value: str, word: str, source: str) -> Problem:
        for folded_word, start, end in word_spans(value):
            if folded_word == word:
                evidence = value[max(0, start - 20) : min(len(value), end + 20)].strip()
                return self.problem(kind, field, evidence, limit=source, start=start, end=end)
        return self.problem(kind, field, word, limit=source)
