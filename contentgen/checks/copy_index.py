"""A copy-detection index over reference documents: MinHash LSH to find candidates, then an exact
word-shingle comparison to confirm them.

Documents are cut into passages (so a short output can match part of a long source), each
passage gets a MinHash signature of its word 3-grams (datasketch), and the signatures go into a
`MinHashLSH` with 2-row bands, which finds passages sharing roughly a third of their shingles or
more. A candidate is a copy only when the exact comparison agrees: enough shared shingles that
cover half of the output's or of the passage's, or one long verbatim run. Signatures are plain
arrays, so a registered corpus is hashed once and saved without pickle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from contentgen.checks.shingles import (
    Shingle,
    Word,
    longest_run,
    passages,
    shingle_bytes,
    shingles,
    words,
)
from contentgen.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

SEED = 1  # the MinHash permutations; saved signatures are only valid for this seed and scheme
SCHEME = "affine32"
# Candidates are confirmed in the order of their estimated shared share, at most this many, and
# only from this estimate up: well below the 0.5 rule, as 64 permutations estimate +-0.1.
MAX_CONFIRMED = 16
MIN_ESTIMATE = 0.3
PASSAGE_CACHE = 4096  # tokenised candidate passages kept (oldest dropped first)


@dataclass(frozen=True)
class ReferenceDoc:
    """One reference document: the corpus it belongs to, its id there, and its text."""

    corpus: str
    doc_id: str
    text: str


@dataclass(frozen=True)
class CopySettings:
    """How text is compared and what counts as a copy (the defaults are the measured ones)."""

    shingle_words: int = 3
    num_perm: int = 64
    bands: int = 32  # LSH bands of num_perm // bands rows each
    passage_words: int = 80
    min_shared: int = 5  # shingles in common before anything is called a copy (>= 7 words)
    min_containment: float = 0.5  # the share of the output's or the passage's shingles shared
    long_run_words: int = 20  # a verbatim run this long is a copy whatever its share
    house_phrase_docs: int = 5  # a tuning corpus's shingle in this many answers is its style


@dataclass(frozen=True)
class CopyMatch:
    """A confirmed copy: the source passage and where the shared words are in both texts."""

    corpus: str
    doc_id: str
    source: str  # the source's words from the first to the last shared shingle
    source_start: int  # the shared region's span in the source document
    source_end: int
    output_start: int  # the shared region's span in the output
    output_end: int
    shared: int  # shingles in common
    containment: float  # the larger of shared / output shingles and shared / passage shingles
    longest_run: int  # the longest verbatim run, in words

    def as_dict(self) -> dict[str, Any]:
        """The match as JSON-ready data."""
        return asdict(self)


class CopyIndex:
    """Reference passages with their MinHash signatures in an LSH index, queried per output."""

    def __init__(
        self,
        docs: Sequence[ReferenceDoc],
        spans: np.ndarray,
        signatures: np.ndarray,
        settings: CopySettings | None = None,
        house_phrases: Mapping[str, frozenset[Shingle]] | None = None,
    ) -> None:
        LeanMinHash, MinHashLSH = _datasketch("LeanMinHash", "MinHashLSH")
        self.settings = settings or CopySettings()
        self.docs = list(docs)
        self.spans = spans
        self.signatures = signatures
        self.house_phrases = dict(house_phrases or {})
        s = self.settings
        self._lsh = MinHashLSH(num_perm=s.num_perm, params=(s.bands, s.num_perm // s.bands))
        self._blank = _blank_sketch(s)
        self._passages: dict[int, tuple[list[Word], list[tuple[str, ...]]]] = {}
        with self._lsh.insertion_session() as session:
            for key, row in enumerate(signatures):
                sketch = LeanMinHash(seed=SEED, hashvalues=row, scheme=SCHEME)
                session.insert(key, sketch, check_duplication=False)

    @classmethod
    def build(cls, docs: Sequence[ReferenceDoc], settings: CopySettings | None = None) -> CopyIndex:
        """Cut `docs` into passages, sign them and index them."""
        settings = settings or CopySettings()
        spans, signatures = sign_documents(docs, settings)
        return cls(docs, spans, signatures, settings)

    def __len__(self) -> int:
        return len(self.signatures)

    def find(
        self, text: str, limit: int | None = None, own: frozenset[str] = frozenset()
    ) -> list[CopyMatch]:
        """The reference passages `text` copies, the closest first (at most one per document).

        With `limit`, confirming stops once that many documents matched (candidates are tried
        in the order of their estimated overlap, so these are the likeliest sources). A shingle
        made only of `own` words (the request's facts and function words) is never evidence:
        two texts that name the same product and features share those words, not a passage.
        """
        found = words(text)
        if not found:
            return []
        best: dict[int, CopyMatch] = {}
        for key in self._candidates(found):
            doc = int(self.spans[key][0])
            match = self._confirm(found, key, own)
            if match is not None and (doc not in best or closeness(match) > closeness(best[doc])):
                best[doc] = match
            if limit is not None and len(best) >= limit:
                break
        return sorted(best.values(), key=closeness, reverse=True)

    def _candidates(self, found: Sequence[Word]) -> list[int]:
        """The LSH candidates most likely to be copied, by the share of shingles their
        signatures suggest is shared (so a corpus of similar copy cannot flood the check)."""
        import numpy as np

        s = self.settings
        estimates: dict[int, float] = {}
        for window in passages(found, s.passage_words):
            part = shingles(found[window.first : window.last], s.shingle_words)
            sketch = self._blank.copy()
            sketch.update_batch(shingle_bytes(part))
            keys = np.fromiter(self._lsh.query(sketch), dtype=np.int64)
            if not len(keys):
                continue
            jaccard = (self.signatures[keys] == sketch.hashvalues).mean(axis=1)
            mine, theirs = len(set(part)), self.spans[keys, 3]
            # |A and B| = J (|A| + |B|) / (1 + J), over the smaller set: the containment rule.
            share = jaccard * (mine + theirs) / ((1 + jaccard) * np.minimum(mine, theirs))
            for key, value in zip(keys.tolist(), share.tolist(), strict=True):
                estimates[key] = max(estimates.get(key, 0.0), value)
        likely = [k for k, v in estimates.items() if v >= MIN_ESTIMATE]
        return sorted(likely, key=lambda k: -estimates[k])[:MAX_CONFIRMED]

    def _passage(self, key: int) -> tuple[list[Word], list[tuple[str, ...]]]:
        """A passage's words (spans in its document) and shingles, cached: a corpus of similar
        copy makes the same passages candidates again and again."""
        cached = self._passages.get(key)
        if cached is None:
            doc_index, start, end = (int(v) for v in self.spans[key][:3])
            text = self.docs[doc_index].text[start:end]
            found = words(text, start)
            cached = (found, shingles(found, self.settings.shingle_words))
            if len(self._passages) >= PASSAGE_CACHE:
                self._passages.pop(next(iter(self._passages)))
            self._passages[key] = cached
        return cached

    def _confirm(
        self, output: Sequence[Word], key: int, own: frozenset[str] = frozenset()
    ) -> CopyMatch | None:
        s = self.settings
        doc = self.docs[int(self.spans[key][0])]
        source, theirs = self._passage(key)
        mine = shingles(output, s.shingle_words)
        # Containment among the shingles that can be evidence at all: not only the request's own
        # words, and not a house phrase of the source's corpus.
        house = self.house_phrases.get(doc.corpus, frozenset())
        mine_set = {x for x in mine if not own.issuperset(x) and x not in house}
        theirs_set = {x for x in theirs if not own.issuperset(x) and x not in house}
        shared = mine_set & theirs_set
        share = len(shared) / max(1, min(len(mine_set), len(theirs_set)))
        copied = len(shared) >= s.min_shared and share >= s.min_containment
        # A run of n words shares n - k + 1 shingles: fewer cannot make a long verbatim run.
        if not copied and len(shared) < s.long_run_words - s.shingle_words + 1:
            return None
        run = longest_run(output, source)
        if not copied and run.words < s.long_run_words:
            return None
        out_start, out_end = _region(output, mine, shared, s.shingle_words)
        src_start, src_end = _region(source, theirs, shared, s.shingle_words)
        return CopyMatch(
            corpus=doc.corpus,
            doc_id=doc.doc_id,
            source=doc.text[src_start:src_end],
            source_start=src_start,
            source_end=src_end,
            output_start=out_start,
            output_end=out_end,
            shared=len(shared),
            containment=round(share, 4),
            longest_run=run.words,
        )


def closeness(match: CopyMatch) -> tuple[float, int]:
    """How close a copy is, for ranking matches: containment, then the longest verbatim run."""
    return (match.containment, match.longest_run)


def _region(
    tokens: Sequence[Word], found: Sequence[tuple[str, ...]], shared: set[tuple[str, ...]], k: int
) -> tuple[int, int]:
    """The span from the first to the last word of the shared shingles."""
    hits = [i for i, s in enumerate(found) if s in shared]
    last = min(len(tokens), hits[-1] + k) - 1
    return tokens[hits[0]].start, tokens[last].end


def _datasketch(*names: str) -> list[Any]:
    """Classes of datasketch (the `eval` extra), or a ConfigError saying how to install it."""
    try:
        import datasketch
    except ImportError:
        raise ConfigError(
            "the copying check needs datasketch: pip install 'contentgen[eval]'"
        ) from None
    return [getattr(datasketch, name) for name in names]


def _blank_sketch(settings: CopySettings) -> Any:
    (minhash,) = _datasketch("MinHash")
    # Building the permutations is the slow part of a MinHash: copies of a blank one reuse them.
    return minhash(num_perm=settings.num_perm, seed=SEED, scheme=SCHEME)


def sign_documents(
    docs: Iterable[ReferenceDoc], settings: CopySettings
) -> tuple[np.ndarray, np.ndarray]:
    """Passage rows (document index, start, end, distinct shingles) and their MinHash
    signatures, row by row."""
    import numpy as np

    (minhash,) = _datasketch("MinHash")
    spans: list[tuple[int, int, int, int]] = []
    batches: list[list[bytes]] = []
    for index, doc in enumerate(docs):
        found = words(doc.text)
        for window in passages(found, settings.passage_words):
            part = found[window.first : window.last]
            batch = shingle_bytes(shingles(part, settings.shingle_words))
            spans.append((index, part[0].start, part[-1].end, len(batch)))
            batches.append(batch)
    sketches = minhash.generator(batches, num_perm=settings.num_perm, seed=SEED, scheme=SCHEME)
    signatures = np.array([m.hashvalues for m in sketches], dtype=np.uint32)
    return (
        np.array(spans, dtype=np.int64).reshape(-1, 4),
        signatures.reshape(-1, settings.num_perm),
    )
