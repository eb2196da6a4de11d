"""The copying check's figures: planted near-copies caught, held-out originals left alone.

400 planted copies (verbatim, reordered, one and two words swapped) of documents in a
reference index of marketing copy and standard-library docstrings; over 1,000 held-out original
paragraphs (see tests/copy_sets.py). Recall must be at least 95% (each kind at least 90%) with a
false-positive rate of at most 1%.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from contentgen.checks.copy_index import CopyIndex
from tests.copy_sets import KINDS, planted_copies, references

pytest.importorskip("datasketch")


@pytest.fixture(scope="module")
def evaluation() -> tuple[CopyIndex, list, list[str]]:
    docs, originals = references(briefs=100)
    return CopyIndex.build(docs), planted_copies(docs, per_kind=100, seed=7), originals


def test_planted_copies_are_caught_with_their_source(evaluation) -> None:  # type: ignore[no-untyped-def]
    index, planted, _ = evaluation
    caught: dict[str, list[bool]] = defaultdict(list)
    for copy in planted:
        found = index.find(copy.text)
        caught[copy.kind].append(any(m.doc_id == copy.source.doc_id for m in found))
    rates = {kind: sum(v) / len(v) for kind, v in caught.items()}
    recall = sum(sum(v) for v in caught.values()) / len(planted)
    print(f"\ncopying recall {recall:.3f} over {len(planted)} planted copies: {rates}")
    assert set(rates) == set(KINDS)
    assert recall >= 0.95
    assert min(rates.values()) >= 0.90


def test_held_out_originals_are_rarely_flagged(evaluation) -> None:  # type: ignore[no-untyped-def]
    index, _, originals = evaluation
    assert len(originals) >= 1000
    flagged = [text for text in originals if index.find(text)]
    rate = len(flagged) / len(originals)
    print(f"\ncopying false-positive rate {rate:.4f} ({len(flagged)} of {len(originals)})")
    assert rate <= 0.01


def test_a_copy_inside_a_longer_output_is_found_at_its_place(evaluation) -> None:  # type: ignore[no-untyped-def]
    index, planted, originals = evaluation
    source = next(p.source for p in planted if len(p.source.text.split()) >= 30)
    before, after = originals[0], originals[1]
    text = f"{before} {source.text} {after}"
    (match, *_) = [m for m in index.find(text) if m.doc_id == source.doc_id]
    start = len(before) + 1
    assert start <= match.output_start < match.output_end <= start + len(source.text)
    assert match.source in source.text


def test_near_copies_of_the_shipped_copywriters_answers_are_caught_past_its_house_phrases() -> None:
    from pathlib import Path

    from contentgen.checks.copy_index import CopySettings
    from contentgen.checks.corpora import CorpusStore, read_corpora, shipped_corpus_files

    found = read_corpora(CorpusStore(Path("/nonexistent")), shipped_corpus_files(), CopySettings())
    index = CopyIndex(found.docs, found.spans, found.signatures, house_phrases=found.house_phrases)
    planted = planted_copies(found.docs, per_kind=50, seed=7)
    caught = sum(any(m.doc_id == p.source.doc_id for m in index.find(p.text)) for p in planted)
    print(f"\nshipped copywriter: {caught} of {len(planted)} planted copies caught")
    assert len(found.docs) == 800 and len(found.house_phrases["tuning:copywriter"]) > 500
    assert caught / len(planted) >= 0.95
