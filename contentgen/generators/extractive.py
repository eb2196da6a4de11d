"""`builtin:extractive`: a deterministic extractive news summariser in pure Python (no torch).

Sentences are scored by TF-IDF cosine similarity to the article's centroid (title words count
double), blended with a lead-position prior because news puts the gist first; the best sentences
that fit `target_words` are returned in article order. It never invents text: every sentence
it outputs is a sentence of the article (a headline is a shortened prefix of one).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field

from contentgen.errors import ValidationError
from contentgen.generator import Generator
from contentgen.generator_options import GeneratorOptions
from contentgen.generators.sentences import Sentence, split_sentences, terms
from contentgen.types import SUMMARY_STYLES, Candidate, ModelInfo, Prompt, Task

HEADLINE_MAX_WORDS = 12
REDUNDANCY = 0.6
_DATELINE = re.compile(r"^[A-Z][A-Z .'&/-]+,\s+[A-Z][a-z]+\.?\s+\d{1,2}\s+-\s+")
# A comma inside a number ("3,424,729") is not a clause end; cutting there would change the fact.
_CLAUSE_END = re.compile(r"[,;:](?=\s)|\s-\s|\s\((?=\w)")
_ATTRIBUTION = re.compile(r"\s+said\s+(?:it|they|that)\s+")
_WEAK_ENDINGS = frozenset(
    """a an the of to for in on at by with and or but from as that which its their his her it is
    was be are were has have had will would said""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Summary:
    """An extractive summary and the article sentences (by index) it is made of."""

    text: str
    sentences: tuple[int, ...]

    @property
    def words(self) -> int:
        """How many words the summary has."""
        return len(re.sub(r"^- ", "", self.text, flags=re.MULTILINE).split())


def summarize(
    article: str,
    *,
    title: str | None = None,
    target_words: int = 40,
    style: str = "brief",
    lead_weight: float = 0.35,
) -> Summary:
    """Summarise `article` in at most `target_words` words: 'brief', 'bullets' or 'headline'."""
    if style not in SUMMARY_STYLES:
        raise ValidationError("style", f"unknown style {style!r}", SUMMARY_STYLES)
    if target_words < 1:
        raise ValidationError("target_words", f"must be at least 1, got {target_words}")
    sentences = split_sentences(article)
    if not sentences:
        raise ValidationError("article", "has no sentences to summarise")
    scores = score_sentences(sentences, title, lead_weight)
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    if style == "headline":
        best = sentences[ranked[0]]
        return Summary(shorten(best.text, min(target_words, HEADLINE_MAX_WORDS)), (best.index,))
    chosen = _select(sentences, ranked, target_words)
    if not chosen:  # not even one sentence fits: shorten the best one
        best = sentences[ranked[0]]
        return Summary(shorten(best.text, target_words), (best.index,))
    picked = [sentences[i] for i in sorted(chosen)]
    if style == "bullets":
        return Summary("\n".join(f"- {s.text}" for s in picked), tuple(s.index for s in picked))
    return Summary(" ".join(s.text for s in picked), tuple(s.index for s in picked))


def score_sentences(
    sentences: Sequence[Sentence], title: str | None = None, lead_weight: float = 0.35
) -> list[float]:
    """Cosine similarity to the TF-IDF centroid, blended with a 1/(1+position) lead prior."""
    bags = [Counter(terms(s.text)) for s in sentences]
    df = Counter(term for bag in bags for term in bag)
    n = len(bags)
    idf = {term: math.log((1 + n) / (1 + count)) + 1 for term, count in df.items()}
    vectors = [_weights(bag, idf) for bag in bags]
    centroid: Counter[str] = Counter()
    for vector in vectors:
        centroid.update(vector)
    if title:
        title_bag = Counter(terms(title))
        centroid.update({t: 2 * w for t, w in _weights(title_bag, idf, default=1.0).items()})
    scores = []
    for sentence, vector in zip(sentences, vectors, strict=True):
        score = (1 - lead_weight) * _cosine(vector, centroid) + lead_weight / (1 + sentence.index)
        if sentence.words < 5:  # datelines, sign-offs and fragments rarely carry the story
            score *= 0.5
        scores.append(score)
    return scores


def _select(sentences: Sequence[Sentence], ranked: Sequence[int], budget: int) -> list[int]:
    chosen: list[int] = []
    used = 0
    bags = {i: _weights(Counter(terms(sentences[i].text)), {}) for i in ranked}
    for i in ranked:
        size = sentences[i].words
        if used + size > budget:
            continue
        if any(_cosine(bags[i], bags[j]) > REDUNDANCY for j in chosen):
            continue
        chosen.append(i)
        used += size
    return chosen


def shorten(sentence: str, max_words: int) -> str:
    """The words of `sentence`, in order, cut to at most `max_words` at a clause end if possible.

    Drops a leading dateline and a "said it" attribution ("Acme said it bought" -> "Acme
    bought"), never adds a word.
    """
    text = _DATELINE.sub("", sentence).strip().rstrip(".")
    text = _ATTRIBUTION.sub(" ", text, count=1)
    tokens = text.split()
    if len(tokens) <= max_words:
        return text
    best = None
    for match in _CLAUSE_END.finditer(text):
        prefix = text[: match.start()].strip()
        if max_words / 2 <= len(prefix.split()) <= max_words:
            best = prefix
    if best:
        return best
    cut = tokens[:max_words]
    while len(cut) > 3 and cut[-1].lower().strip(",;:") in _WEAK_ENDINGS:
        cut.pop()
    return " ".join(cut).rstrip(",;:")


def _weights(
    bag: Mapping[str, int], idf: Mapping[str, float], default: float = 1.0
) -> dict[str, float]:
    return {t: (1 + math.log(c)) * idf.get(t, default) for t, c in bag.items()}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) < len(b) else (b, a)
    dot = sum(w * large.get(t, 0.0) for t, w in small.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


class ExtractiveOptions(GeneratorOptions):
    """The options of builtin:extractive."""

    lead_weight: float = Field(
        0.35, ge=0, le=1, description="how much an early sentence counts (0: position ignored)"
    )
    batch_size: int = Field(64, ge=1, description="prompts per generate() call")


class ExtractiveSummarizer(Generator):
    """News summaries made only of the article's own sentences (deterministic, no model)."""

    id: ClassVar[str] = "builtin:extractive"
    version: ClassVar[str] = "0.1"
    modality = "text"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task("news_summary")})
    description: ClassVar[str] = "Deterministic extractive summary (TF-IDF + lead prior); no model."
    Options = ExtractiveOptions
    settings: ExtractiveOptions

    def model_info(self) -> ModelInfo:
        """No model: the algorithm and its one parameter."""
        return ModelInfo(
            model_id="extractive-tfidf-lead",
            revision=self.version,
            backend="pure python",
            extra={"lead_weight": self.settings.lead_weight},
        )

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """One summary per prompt (repeated `prompt.n` times: the method is deterministic)."""
        out = []
        for prompt in prompts:
            data = prompt.data
            article = data.get("article")
            if not isinstance(article, str) or not article.strip():
                raise ValidationError(
                    "article", "the extractive summariser needs the article text in Prompt.data"
                )
            summary = summarize(
                article,
                title=data.get("title") or None,
                target_words=int(data.get("target_words") or 40),
                style=str(data.get("style") or "brief"),
                lead_weight=self.settings.lead_weight,
            )
            meta = {
                "method": "extractive",
                "sentences": list(summary.sentences),
                "words": summary.words,
                "finish_reason": "stop",
            }
            out.append([Candidate(text=summary.text, meta=meta) for _ in range(prompt.n)])
        return out
