"""The copying check: an output that copies a reference corpus, verbatim or nearly, is rejected.

The references are the corpora registered with `contentgen corpus add` (competitors' copy, the
brand's own published copy) and the answers the shipped copywriter and any configured tuned
adapter were trained on. A phrase found in five or more of a tuning corpus's answers is the house
style the model was taught, not one answer's words, and is never evidence. Each
finding is a Problem record whose evidence is the source's matched words, with the corpus and
document id as its reference and the copied span's offsets in the output; the verdict's detail
also lists the matches in full (`matches`). The index loads on the first output checked.
Words of the request's own facts are never evidence of copying: an adapter's tuning corpus
describes other products with the same features in the same house style ("... has a cable
management tray and a height-adjustable frame, for ..."), and an SMS that says so copies nothing.
A channel's fields are compared one by one: a push whose title is a house phrase of the corpus
("Your new sidekick is here") and whose body says the brief's own benefit copies no passage, and
its label ("Body:") joins no words into one.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.checks.base import EvalInput
from contentgen.checks.copy_index import CopyIndex, CopyMatch, CopySettings, closeness
from contentgen.checks.detector import fact_values, leaves, product_facts, word_set
from contentgen.checks.problems import Problem, verdict
from contentgen.checks.shingles import words
from contentgen.errors import ConfigError
from contentgen.types import ALL_TASKS, Evaluation, Task

if TYPE_CHECKING:
    from contentgen.config import Settings

log = logging.getLogger(__name__)
NAME = "copying"
COPIED = "copied_text"
SHOWN_MATCHES = 3  # a verdict names the closest sources, not every one
FUNCTION_WORDS = word_set(
    "a an the and or but nor so for with without of to in on at by from into as is are was be "
    "it its this that these those has have had your you our we us their they them can will"
)


def match_problem(match: CopyMatch, field: str = "text") -> Problem:
    """The Problem record of one confirmed match (evidence: the source's matched words)."""
    return Problem(
        check=NAME,
        kind=COPIED,
        field=field,
        evidence=match.source,
        limit=f"{match.corpus}/{match.doc_id}",
        start=match.output_start,
        end=match.output_end,
    )


def own_words(item: EvalInput) -> frozenset[str]:
    """The words a marketing output may share with any reference without copying it: its
    request's facts (the product's name, features and stated benefits, the audience), its fields'
    labels and function words; none for other tasks, whose facts (a news article) are what a
    copy would be copied from."""
    if not product_facts(item):
        return frozenset()
    facts = (w.text for leaf in leaves(fact_values(item)) for w in words(leaf))
    labels = (w.text for name in item.fields or {} for w in words(name))
    return FUNCTION_WORDS | frozenset(facts) | frozenset(labels)


class CopyingEvaluator:
    """Fails outputs that copy a reference passage; the matched source is the evidence."""

    name: str = NAME
    tasks: frozenset[Task] = ALL_TASKS
    gate: bool = True

    def __init__(self, index: CopyIndex | Callable[[], CopyIndex], *, gate: bool = True) -> None:
        self._index = index if isinstance(index, CopyIndex) else None
        self._load = None if isinstance(index, CopyIndex) else index
        self._lock = threading.Lock()
        self.gate = gate

    @property
    def index(self) -> CopyIndex:
        """The reference index (built on first use when given as a loader)."""
        if self._index is None:
            with self._lock:
                if self._index is None and self._load is not None:
                    self._index = self._load()
                    log.info("copying check: %d reference passages indexed", len(self._index))
        assert self._index is not None
        return self._index

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item: failed, with the matches, when it copies a reference."""
        index = self.index
        return [self._one(index, item) for item in items]

    def _one(self, index: CopyIndex, item: EvalInput) -> Evaluation:
        own = own_words(item)
        found: dict[str, tuple[str, CopyMatch]] = {}
        for field, offset, text in field_texts(item):
            for match in index.find(text, limit=SHOWN_MATCHES, own=own):
                shifted = replace(match, output_start=match.output_start + offset,
                                  output_end=match.output_end + offset)  # fmt: skip
                key = f"{match.corpus}/{match.doc_id}"
                if key not in found or closeness(shifted) > closeness(found[key][1]):
                    found[key] = (field, shifted)
        closest = sorted(found.values(), key=lambda fm: closeness(fm[1]), reverse=True)
        closest = closest[:SHOWN_MATCHES]
        return verdict(
            self.name,
            [match_problem(m, field) for field, m in closest],
            matches=[m.as_dict() for _, m in closest],
            references=len(index),
        )


def field_texts(item: EvalInput) -> list[tuple[str, int, str]]:
    """(field, offset in the text, words) for each field of a channel's output, each compared on
    its own: a label is structure, and a shingle across two fields ("is here / Body: The") joins
    words nobody wrote together. Unstructured text, or fields not found in it, as one."""
    if not item.fields:
        return [("text", 0, item.text)]
    parts, start = [], 0
    for field, value in item.fields.items():
        at = item.text.find(value, start) if isinstance(value, str) and value else -1
        if at < 0:
            return [("text", 0, item.text)]
        parts.append((field, at, value))
        start = at + len(value)
    return parts


def load_reference_index(settings: Settings, copy: CopySettings | None = None) -> CopyIndex:
    """The index over the registered corpora, the shipped copywriter's training answers and
    those of any tuned adapter or model `settings` configures."""
    from contentgen.checks.corpora import CorpusStore, adapter_corpus_files, read_corpora

    copy = copy or CopySettings()
    extra: dict[Path, str] = {}
    for name, path in [*shipped_references(), *adapter_corpus_files(settings.generators)]:
        extra.setdefault(path, name)  # the shipped copywriter may also be named by its folder
    pairs = [(name, path) for path, name in extra.items()]
    found = read_corpora(CorpusStore(settings.data_dir), pairs, copy)
    return CopyIndex(found.docs, found.spans, found.signatures, copy, found.house_phrases)


def shipped_references() -> list[tuple[str, Path]]:
    """The shipped adapters' training answers, where the copying check can run (datasketch is
    in the `eval` extra): the default route writes with them, so they are always a reference."""
    from contentgen.checks.corpora import shipped_corpus_files

    if importlib.util.find_spec("datasketch") is None:
        return []
    return shipped_corpus_files()


def copying_evaluator(settings: Settings) -> CopyingEvaluator | None:
    """The copying check when there is something to compare with, else None (cheap to ask)."""
    from contentgen.checks.corpora import CorpusStore, adapter_corpus_files

    configured = CorpusStore(settings.data_dir).names() or adapter_corpus_files(settings.generators)
    if configured and importlib.util.find_spec("datasketch") is None:  # say so now, not later
        raise ConfigError(
            f"reference corpora are registered in {settings.data_dir}, or a tuned adapter is "
            "configured, and the copying check needs datasketch: pip install 'contentgen[eval]' "
            "(or `contentgen corpus remove`)"
        )
    if not configured and not shipped_references():
        return None
    return CopyingEvaluator(lambda: load_reference_index(settings))
