"""The grounding map: which input facts each sentence of an output uses, with spans in both.

Facts are the request's fact fields flattened into leaves ("product.features[1]" -> "chest
pocket"). A short fact (a name, a feature, a price) is found in a sentence when enough of its
meaningful words appear close together (all of them for facts of one or two words, 60% for
longer ones; numbers by value). A long fact (an article, a customer's message, a policy) is
aligned block by block: runs of three or more shared words with two meaningful ones, or, for a
paraphrase, the fact sentence sharing most of the output sentence's meaningful words. A match
lying inside a longer match in the same sentence (the brand inside the product name), or on the
same words as a fuller match (the product type written alone, which also partly matches the
product name), is dropped: the other fact explains those words.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from typing import Any

from contentgen.explain.tokens import Token, sentence_spans, tokens

SHORT_WORDS = 12  # facts with more words are aligned as passages
MIN_BLOCK = 3  # words in a shared run of a long fact
PARAPHRASE_SHARE = 0.5  # meaningful words of the sentence found in one fact sentence
PARTIAL_SHARE = 0.6  # meaningful words of a fact of 3+ words that must appear


@dataclass(frozen=True)
class Fact:
    """One leaf of the request's facts: where it is ('product.features[1]') and its text."""

    path: str
    text: str


@dataclass(frozen=True)
class GroundingLink:
    """One use of a fact in a sentence: the span in the output and the span in the fact's text."""

    fact: str
    output_start: int
    output_end: int
    fact_start: int
    fact_end: int
    kind: str  # "words" | "number" | "passage" | "paraphrase"
    score: float  # the share of the fact's (or the sentence's) meaningful words matched


@dataclass(frozen=True)
class SentenceGrounding:
    """One sentence of the output and the facts it uses."""

    start: int
    end: int
    text: str
    links: tuple[GroundingLink, ...]


@dataclass(frozen=True)
class GroundingMap:
    """Every sentence of an output with its links, and the facts it was compared with."""

    sentences: tuple[SentenceGrounding, ...]
    facts: tuple[Fact, ...]

    @property
    def used(self) -> tuple[str, ...]:
        """The paths of the facts some sentence uses, in fact order."""
        seen = {link.fact for s in self.sentences for link in s.links}
        return tuple(f.path for f in self.facts if f.path in seen)

    @property
    def unused(self) -> tuple[str, ...]:
        """The paths of the facts no sentence uses."""
        used = set(self.used)
        return tuple(f.path for f in self.facts if f.path not in used)

    @property
    def grounded_share(self) -> float:
        """The share of sentences that use at least one fact (1.0 for an empty output)."""
        if not self.sentences:
            return 1.0
        return sum(1 for s in self.sentences if s.links) / len(self.sentences)

    def as_dict(self) -> dict[str, Any]:
        """The map as JSON-ready data."""
        return {
            "sentences": [asdict(s) for s in self.sentences],
            "facts": [asdict(f) for f in self.facts],
            "unused": list(self.unused),
            "grounded_share": round(self.grounded_share, 4),
        }


def fact_leaves(facts: Mapping[str, Any], prefix: str = "") -> list[Fact]:
    """The text and number leaves of nested facts, with their paths, in order."""
    found: list[Fact] = []
    for key, value in facts.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        found += _leaves(value, path)
    return found


def _leaves(value: Any, path: str) -> list[Fact]:
    if isinstance(value, Mapping):
        return fact_leaves(value, path)
    if isinstance(value, list | tuple):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, f"{path}[{i}]")]
    if isinstance(value, bool) or value is None:
        return []
    text = str(value).strip()
    return [Fact(path, text)] if text else []


def grounding_map(
    text: str, facts: Mapping[str, Any], *, labels: Collection[str] = ()
) -> GroundingMap:
    """Ground each sentence of `text` in `facts` (`labels`: field titles that start a line,
    e.g. "Headline", which are left out of the sentence)."""
    leaves = fact_leaves(facts)
    indexed = [(fact, tokens(fact.text)) for fact in leaves]
    sentences = []
    for start, end in sentence_spans(text):
        start = _after_label(text, start, end, labels)
        words = tokens(text[start:end], start)
        links = [link for fact, fw in indexed for link in _links(fact, fw, words, text)]
        sentences.append(SentenceGrounding(start, end, text[start:end], tuple(_outermost(links))))
    return GroundingMap(tuple(sentences), tuple(leaves))


def _after_label(text: str, start: int, end: int, labels: Collection[str]) -> int:
    for label in labels:
        head = f"{label}:"
        if text[start:end].lower().startswith(head.lower()):
            rest = text[start + len(head) : end]
            return start + len(head) + (len(rest) - len(rest.lstrip()))
    return start


def _links(
    fact: Fact, fact_words: Sequence[Token], words: Sequence[Token], text: str
) -> list[GroundingLink]:
    meaningful = [w for w in fact_words if w.content]
    if not meaningful or not words:
        return []
    if len(fact_words) > SHORT_WORDS:
        return _passage_links(fact, fact_words, words)
    link = _short_link(fact, fact_words, meaningful, words)
    return [link] if link is not None else []


def _short_link(
    fact: Fact, fact_words: Sequence[Token], meaningful: Sequence[Token], words: Sequence[Token]
) -> GroundingLink | None:
    """The tightest window of the sentence holding enough of the fact's meaningful words."""
    wanted = {w.norm for w in meaningful}
    need = len(wanted) if len(wanted) <= 2 else math.ceil(PARTIAL_SHARE * len(wanted))
    reach = len(fact_words) + 3  # the fact's words may be spread a little, not scattered
    best: tuple[int, int, int] | None = None  # (-matched, width, first)
    for first, word in enumerate(words):
        if word.norm not in wanted:
            continue
        seen: set[str] = set()
        for last in range(first, min(len(words), first + reach)):
            if words[last].norm in wanted:
                seen.add(words[last].norm)
                if len(seen) >= need:
                    key = (-len(seen), last - first, first)
                    if best is None or key < best:
                        best = key
    if best is None:
        return None
    matched, width, first = -best[0], best[1], best[2]
    window = words[first : first + width + 1]
    hits = {w.norm for w in window}
    in_fact = [w for w in fact_words if w.norm in hits and w.content]
    kind = "number" if all(w.norm.startswith("#") for w in meaningful) else "words"
    return GroundingLink(
        fact=fact.path,
        output_start=window[0].start,
        output_end=window[-1].end,
        fact_start=in_fact[0].start,
        fact_end=in_fact[-1].end,
        kind=kind,
        score=round(matched / len(wanted), 4),
    )


def _passage_links(
    fact: Fact, fact_words: Sequence[Token], words: Sequence[Token]
) -> list[GroundingLink]:
    """Shared runs of words with a long fact; else the fact sentence the sentence paraphrases."""
    left, right = [w.norm for w in words], [w.norm for w in fact_words]
    blocks = SequenceMatcher(None, left, right, autojunk=False).get_matching_blocks()
    links = []
    for a, b, size in blocks:
        if size >= MIN_BLOCK and sum(w.content for w in words[a : a + size]) >= 2:
            links.append(
                GroundingLink(
                    fact=fact.path,
                    output_start=words[a].start,
                    output_end=words[a + size - 1].end,
                    fact_start=fact_words[b].start,
                    fact_end=fact_words[b + size - 1].end,
                    kind="passage",
                    score=round(size / len(words), 4),
                )
            )
    return links or _paraphrase_link(fact, fact_words, words)


def _paraphrase_link(
    fact: Fact, fact_words: Sequence[Token], words: Sequence[Token]
) -> list[GroundingLink]:
    mine = {w.norm for w in words if w.content}
    if len(mine) < 3:
        return []
    best: tuple[float, int, int] | None = None
    for start, end in sentence_spans(fact.text):
        theirs = {w.norm for w in fact_words if start <= w.start < end and w.content}
        share = len(mine & theirs) / len(mine)
        if len(mine & theirs) >= 3 and (best is None or share > best[0]):
            best = (share, start, end)
    if best is None or best[0] < PARAPHRASE_SHARE:
        return []
    return [
        GroundingLink(
            fact=fact.path,
            output_start=words[0].start,
            output_end=words[-1].end,
            fact_start=best[1],
            fact_end=best[2],
            kind="paraphrase",
            score=round(best[0], 4),
        )
    ]


def _outermost(links: Sequence[GroundingLink]) -> list[GroundingLink]:
    """Links not inside a longer link's output span (nor a better-matched one's on the same
    span), ordered by position."""

    def covers(other: GroundingLink, link: GroundingLink) -> bool:
        if other is link or not (
            other.output_start <= link.output_start and link.output_end <= other.output_end
        ):
            return False
        longer = (other.output_end - other.output_start) > (link.output_end - link.output_start)
        return longer or other.score > link.score

    kept = [link for link in links if not any(covers(other, link) for other in links)]
    return sorted(kept, key=lambda k: (k.output_start, k.output_end, k.fact))
