"""Registered reference corpora (`contentgen corpus add NAME FILES`) and adapters' tuning corpora.

A registered corpus lives in `<data_dir>/corpora/<name>/`: its documents (JSONL), the passage
spans and MinHash signatures (NumPy arrays, never pickle) and `corpus.json`. Signing happens
once, when the corpus is added; the copying check loads the arrays and builds its LSH index on
first use. The tuning corpus of a LoRA adapter in use is found through the adapter's card
(`contentgen_tune.json`, written by `contentgen tune`), which names its training file.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.checks.copy_index import SCHEME, SEED, CopySettings, ReferenceDoc, sign_documents
from contentgen.checks.reference_files import read_documents
from contentgen.checks.shingles import Shingle, shingles, words
from contentgen.errors import UnknownNameError, ValidationError

if TYPE_CHECKING:
    import numpy as np

CORPORA = "corpora"
INFO_FILE = "corpus.json"
DOCS_FILE = "documents.jsonl"
SPANS_FILE = "passages.npy"
SIGNATURES_FILE = "signatures.npy"
ADAPTER_CARD = "contentgen_tune.json"  # feedback.tune_card.CARD_JSON, read here as plain JSON
TRAINED_COPY = "training_copy.jsonl"  # feedback.tune_card.TRAINED_COPY
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass(frozen=True)
class CorpusInfo:
    """A registered corpus: its name, size, the files it was read from and when."""

    name: str
    documents: int
    passages: int
    files: tuple[str, ...]
    created_at: str
    signing: Mapping[str, Any]  # the CopySettings fields the signatures were made with


def check_name(name: str) -> str:
    """A corpus name: lower-case letters, digits, '-' and '_' (a ValidationError otherwise)."""
    if not _NAME.fullmatch(name):
        raise ValidationError(
            "name", f"{name!r} is not a corpus name (lower-case letters, digits, '-', '_')"
        )
    return name


def _signing(settings: CopySettings) -> dict[str, Any]:
    return {
        "shingle_words": settings.shingle_words,
        "num_perm": settings.num_perm,
        "passage_words": settings.passage_words,
        "seed": SEED,
        "scheme": SCHEME,
    }


class CorpusStore:
    """The reference corpora registered in one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / CORPORA

    def names(self) -> list[str]:
        """The registered corpus names, sorted (cheap: one directory listing)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / INFO_FILE).is_file())

    def info(self, name: str) -> CorpusInfo:
        """One corpus's record (UnknownNameError naming the registered ones)."""
        folder = self.root / name
        if not (folder / INFO_FILE).is_file():
            raise UnknownNameError("corpus", name, self.names())
        data = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
        return CorpusInfo(**{**data, "files": tuple(data["files"])})

    def all(self) -> list[CorpusInfo]:
        """Every registered corpus's record."""
        return [self.info(n) for n in self.names()]

    def add(
        self,
        name: str,
        files: Sequence[Path],
        *,
        replace: bool = False,
        settings: CopySettings | None = None,
    ) -> CorpusInfo:
        """Read `files` into corpus `name`, sign its passages and save it (atomically)."""
        check_name(name)
        if not files:
            raise ValidationError("files", "name at least one file to read")
        if name in self.names() and not replace:
            raise ValidationError("name", f"corpus {name!r} exists; remove it or pass replace")
        docs = [doc for path in files for doc in read_documents(name, Path(path))]
        if not docs:
            raise ValidationError("files", "no document of at least 3 words in the files given")
        settings = settings or CopySettings()
        spans, signatures = sign_documents(docs, settings)
        info = CorpusInfo(
            name=name,
            documents=len(docs),
            passages=len(spans),
            files=tuple(Path(p).name for p in files),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            signing=_signing(settings),
        )
        self._write(info, docs, spans, signatures)
        return info

    def _write(
        self, info: CorpusInfo, docs: Sequence[ReferenceDoc], spans: Any, signatures: Any
    ) -> None:
        import numpy as np

        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{info.name}-", dir=self.root))
        try:
            lines = (json.dumps({"id": d.doc_id, "text": d.text}, ensure_ascii=False) for d in docs)
            (tmp / DOCS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
            np.save(tmp / SPANS_FILE, spans, allow_pickle=False)
            np.save(tmp / SIGNATURES_FILE, signatures, allow_pickle=False)
            (tmp / INFO_FILE).write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
            target = self.root / info.name
            if target.exists():
                shutil.rmtree(target)
            tmp.rename(target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def remove(self, name: str) -> None:
        """Delete a registered corpus."""
        self.info(name)
        shutil.rmtree(self.root / name)

    def load(
        self, name: str, settings: CopySettings
    ) -> tuple[list[ReferenceDoc], np.ndarray, np.ndarray]:
        """A corpus's documents, passage spans and signatures (re-signed if made differently)."""
        import numpy as np

        info = self.info(name)
        folder = self.root / name
        docs = [
            ReferenceDoc(name, str(row["id"]), str(row["text"]))
            for row in map(json.loads, (folder / DOCS_FILE).read_text("utf-8").splitlines())
        ]
        if dict(info.signing) != _signing(settings):
            spans, signatures = sign_documents(docs, settings)
            return docs, spans, signatures
        spans = np.load(folder / SPANS_FILE, allow_pickle=False)
        return docs, spans, np.load(folder / SIGNATURES_FILE, allow_pickle=False)


def adapter_corpus_files(generators: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Path]]:
    """(corpus name, reference file) of every tuned adapter or model the generator options name.

    A folder written by `contentgen tune` (an adapter, or a merged model) keeps the answers it was
    trained on (`training_copy.jsonl`); an older one has only a card naming its training file,
    which is used instead, and skipped when it is gone (nothing left to compare with).
    """
    found: dict[Path, str] = {}
    for options in generators.values():
        for key in ("adapter", "model"):
            value = options.get(key)
            if not isinstance(value, str) or not value.strip():
                continue
            folder = Path(value).expanduser()
            data_file = tuning_reference(folder)
            if data_file is not None:
                found.setdefault(data_file, f"tuning:{folder.name}")
    return [(name, path) for path, name in found.items()]


def shipped_corpus_files() -> list[tuple[str, Path]]:
    """(corpus name, reference file) of the adapters shipped with contentgen: the default route
    writes with the copywriter, so what it was trained on is always a reference."""
    from contentgen.modelfiles.adapters import SHIPPED, shipped_dir

    found = []
    for name in SHIPPED:
        data_file = tuning_reference(shipped_dir(name))
        if data_file is not None:
            found.append((f"tuning:{name}", data_file))
    return found


def tuning_reference(folder: Path) -> Path | None:
    """The file of answers a tuned folder was trained on: its own copy, else its card's file."""
    kept = folder / TRAINED_COPY
    if kept.is_file():
        return kept.resolve()
    return _card_data_file(folder / ADAPTER_CARD)


def _card_data_file(card: Path) -> Path | None:
    try:
        data = json.loads(card.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    section = data.get("data") if isinstance(data, dict) else None
    name = section.get("file") if isinstance(section, dict) else None
    if not isinstance(name, str) or not name:
        return None
    path = Path(name).expanduser()
    # `contentgen tune` records the path as given: relative to where it ran, or to the card.
    for candidate in (path,) if path.is_absolute() else (path, card.parent / path):
        if candidate.is_file():
            return candidate.resolve()
    return None


@dataclass(frozen=True)
class References:
    """Reference documents as one set of arrays, with each tuning corpus's house phrases."""

    docs: list[ReferenceDoc]
    spans: np.ndarray
    signatures: np.ndarray
    house_phrases: Mapping[str, frozenset[Shingle]]


def read_corpora(
    store: CorpusStore, extra: Iterable[tuple[str, Path]], settings: CopySettings
) -> References:
    """Every registered corpus plus the tuning corpora `extra` ((name, file) pairs)."""
    import numpy as np

    docs: list[ReferenceDoc] = []
    spans: list[np.ndarray] = []
    signatures: list[np.ndarray] = []
    parts = [store.load(name, settings) for name in store.names()]
    house: dict[str, frozenset[Shingle]] = {}
    for name, path in extra:
        stat = path.stat()
        more, more_spans, more_signatures, phrases = _signed_tuning_file(
            name, path, stat.st_mtime_ns, stat.st_size, settings
        )
        parts.append((list(more), more_spans, more_signatures))
        house[name] = phrases
    for found, part_spans, part_signatures in parts:
        shifted = part_spans.copy()
        shifted[:, 0] += len(docs)
        docs += found
        spans.append(shifted)
        signatures.append(part_signatures)
    if not docs:
        empty = np.zeros((0, 4), np.int64), np.zeros((0, settings.num_perm), np.uint32)
        return References([], *empty, house)
    return References(docs, np.concatenate(spans), np.concatenate(signatures), house)


@lru_cache(maxsize=8)
def _signed_tuning_file(
    name: str, path: Path, mtime_ns: int, size: int, settings: CopySettings
) -> tuple[tuple[ReferenceDoc, ...], np.ndarray, np.ndarray, frozenset[Shingle]]:
    """A tuning corpus read, signed and its house phrases found, once per process and version
    of the file (every engine in a process checks against the same shipped copywriter)."""
    docs = read_documents(name, path)
    spans, signatures = sign_documents(docs, settings)
    spans.flags.writeable = signatures.flags.writeable = False
    return tuple(docs), spans, signatures, house_phrases(docs, settings)


def house_phrases(docs: Sequence[ReferenceDoc], settings: CopySettings) -> frozenset[Shingle]:
    """The shingles found in at least `settings.house_phrase_docs` documents of a tuning corpus:
    a model that writes a phrase it saw in that many answers writes in the house style it was
    taught, and copies no single answer ("It is backed by a 2-year warranty")."""
    seen: Counter[Shingle] = Counter()
    for doc in docs:
        seen.update(set(shingles(words(doc.text), settings.shingle_words)))
    return frozenset(s for s, n in seen.items() if n >= settings.house_phrase_docs)
