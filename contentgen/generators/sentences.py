"""Sentence splitting and word tokens for English news text, in pure Python."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Written capitalised before a name or number ("Dr. Smith", "Jan. 5", "No. 3"), never at a
# sentence end in practice. Company suffixes (Inc., Corp.) are left out on purpose: mid-sentence
# they are followed by a lower-case word, which already prevents a split.
TITLE_ABBREVIATIONS = frozenset(
    """mr mrs ms messrs dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon
    pres supt jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs
    fri sat sun no nos vol vols fig figs art ave blvd rd hwy""".split()  # noqa: SIM905
)
# Abbreviations in any case that do not end sentences.
ABBREVIATIONS = frozenset(["vs", "approx", "cf", "viz", "eg", "ie", "al", "ca", "pp"])
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves said says say told would could may might must shall one two three mln bln pct
    dlrs dlr reuter reuters year years week last first new""".split()  # noqa: SIM905
)

_CANDIDATE = re.compile(r"[.!?]+[\"')\]]*(?=\s+)")
_NEXT_START = re.compile(r"\s+([\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'&-]*|\d+(?:[.,]\d+)*")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=[ \t]{2,}\S)")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}$")
_TRAILER = re.compile(r"\s*\bReuters?\b[\s\x03]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: its text as written (whitespace normalised) and position."""

    index: int
    text: str
    paragraph: int

    @property
    def words(self) -> int:
        """How many words the sentence has."""
        return len(self.text.split())


def clean_article(text: str) -> str:
    """Drop control characters and a trailing 'Reuter' sign-off, keeping paragraph breaks."""
    text = text.replace("\r\n", "\n").replace("\x03", "")
    return _TRAILER.sub("", text.strip())


def split_sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences; paragraph breaks always end one, abbreviations never do."""
    found: list[Sentence] = []
    for p_index, paragraph in enumerate(_PARAGRAPH.split(clean_article(text))):
        flat = " ".join(paragraph.split())
        if not flat:
            continue
        for piece in _split_paragraph(flat):
            found.append(Sentence(len(found), piece, p_index))
    return found


def _split_paragraph(flat: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(flat):
        end = match.end()
        nxt = _NEXT_START.match(flat, end)
        if nxt is None or not _is_boundary(
            flat[start : match.start()], match.group(), nxt.group(1)
        ):
            continue
        pieces.append(flat[start:end].strip())
        start = nxt.start(1)
    tail = flat[start:].strip()
    if tail:
        pieces.append(tail)
    return [p for p in pieces if p]


def _is_boundary(before: str, punct: str, following: str) -> bool:
    if not punct.startswith(".") or punct.startswith(".."):
        return True
    last = before.rsplit(" ", 1)[-1].strip("\"'([")
    if not last:
        return True
    bare = last.rstrip(".")
    if bare.lower() in ABBREVIATIONS:
        return False
    if bare[:1].isupper() and bare.lower() in TITLE_ABBREVIATIONS:
        return False
    if bare.lower() in ("no", "nos") and following[-1:].isdigit():
        return False
    if _INITIALISM.match(last + "."):  # U.S. / U.K. / a.m.
        return False
    # A single capital letter before the dot is an initial ("John F. Kennedy").
    return not (len(last) == 1 and last.isupper())


def words(text: str) -> list[str]:
    """The words of `text`, in order, as written."""
    return _WORD.findall(text)


def terms(text: str) -> list[str]:
    """Lower-cased content words without possessives and with a light plural strip, for scoring."""
    out = []
    for word in words(text):
        w = word.lower().removesuffix("'s").strip("'")
        if w in STOPWORDS or len(w) < 2:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out
