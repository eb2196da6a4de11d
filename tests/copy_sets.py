"""The copy-detection evaluation set, shared by tests/unit/test_copying_recall.py and
benchmarks/copying.py: reference documents, planted near-copies of them, held-out originals.

References: marketing copy from the copywriting corpus builder (seed 0) and the docstring
paragraphs of every other module of Python's standard library. Planted copies: reference
documents copied verbatim, with their sentences reordered, and with one or two words swapped for
other words of the corpus. Held-out originals: the docstring paragraphs of the remaining
standard-library modules (real prose, written independently of the references), less those that
share a verbatim run of 8 or more words with a reference: the standard library copies some
paragraphs between modules (bz2/lzma/gzip, wave/sunau), and those are copies, not originals.
Everything is deterministic for a seed and a Python version.
"""

from __future__ import annotations

import ast
import random
import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from contentgen.checks.copy_index import ReferenceDoc
from contentgen.checks.shingles import shingles, words

KINDS = ("verbatim", "reordered", "swap1", "swap2")
ORIGINAL_RUN = 8  # a held-out paragraph sharing this many consecutive words is not original
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class Planted:
    """A planted near-copy: how it was made, the document it copies, and its text."""

    kind: str
    source: ReferenceDoc
    text: str


def _docstring_paragraphs(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            for block in re.split(r"\n\s*\n", ast.get_docstring(node) or ""):
                text = " ".join(block.split())
                if len(text.split()) >= 15 and not text.startswith((">>>", "..")):
                    found.append(text)
    return found


def stdlib_paragraphs() -> tuple[list[str], list[str]]:
    """Docstring paragraphs of the standard library's top-level modules: (even files, odd files)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    halves: tuple[list[str], list[str]] = ([], [])
    for number, path in enumerate(sorted(root.glob("*.py"))):
        halves[number % 2].extend(_docstring_paragraphs(path))
    return list(dict.fromkeys(halves[0])), list(dict.fromkeys(halves[1]))


def marketing_copy(briefs: int, seed: int = 0) -> list[str]:
    """The marketing texts the copywriting corpus builder writes for `briefs` products, one per
    channel (written directly, without rendering the corpus's SFT prompts)."""
    from contentgen.datasets.copywriting.briefs import generate_briefs
    from contentgen.datasets.copywriting.marketing import CHANNEL_NAMES, variant_tones, write
    from contentgen.datasets.copywriting.resources import category
    from contentgen.datasets.copywriting.sft import channel_text

    texts = []
    for brief in generate_briefs(briefs, seed):
        for channel in CHANNEL_NAMES:
            (tone,) = variant_tones(brief, 1, seed)
            texts.append(
                channel_text(
                    channel, write(brief, category(brief.category), channel, tone, seed, 0)
                )
            )
    return texts


def references(briefs: int = 100) -> tuple[list[ReferenceDoc], list[str]]:
    """(reference documents, held-out original paragraphs)."""
    docs_half, held = stdlib_paragraphs()
    docs = [ReferenceDoc("copy", f"copy-{i}", t) for i, t in enumerate(marketing_copy(briefs))]
    docs += [ReferenceDoc("docs", f"doc-{i}", t) for i, t in enumerate(docs_half)]
    seen = {s for d in docs for s in shingles(words(d.text), ORIGINAL_RUN)}
    originals = [t for t in held if not seen.intersection(shingles(words(t), ORIGINAL_RUN))]
    return docs, originals


def _reordered(text: str, rng: random.Random) -> str:
    parts = [p for p in _SENTENCE_END.split(text) if p.strip()]
    if len(parts) < 2:  # one sentence: swap its halves
        tokens = text.split()
        half = len(tokens) // 2
        return " ".join(tokens[half:] + tokens[:half])
    shuffled = parts[:]
    while shuffled == parts:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


def _swapped(text: str, count: int, vocabulary: list[str], rng: random.Random) -> str:
    tokens = text.split(" ")
    slots = [i for i, t in enumerate(tokens) if t.isalpha() and len(t) > 3]
    for i in rng.sample(slots, min(count, len(slots))):
        tokens[i] = rng.choice([w for w in vocabulary if w != tokens[i].lower()])
    return " ".join(tokens)


def planted_copies(docs: list[ReferenceDoc], per_kind: int, seed: int = 0) -> list[Planted]:
    """`per_kind` near-copies of each kind, of reference documents drawn with `seed`."""
    rng = random.Random(seed)
    vocabulary = sorted({w for d in docs for w in re.findall(r"[a-z]{4,}", d.text)})
    found = []
    for kind in KINDS:
        for doc in rng.sample(docs, per_kind):
            if kind == "verbatim":
                text = doc.text
            elif kind == "reordered":
                text = _reordered(doc.text, rng)
            else:
                text = _swapped(doc.text, int(kind[-1]), vocabulary, rng)
            found.append(Planted(kind, doc, text))
    return found
