"""Versioned brand kits (TOML): banned terms, disclaimers, preferred wording, tone; and matching.

Banned terms are matched on a folded copy of the text, so obfuscated spellings are caught:
Unicode compatibility folding as NFKC does (full-width letters, ligatures; done as NFKD so that
accents come apart and are dropped), case folding, zero-width characters dropped, look-alike
Cyrillic/Greek letters mapped to Latin, leetspeak digits and signs accepted in place of letters
("fr3e", "fr€€"), and letters spelled out with separators ("f.r.e.e", "f r e e"). A match must
start and end on a word boundary, so "carefree" and "freedom" are not flagged while "free",
"FREE" and "risk-free" are; simple plurals ("miracles") count. Hyphenated compounds that are
legitimate ("gluten-free") go in `[banned] allow`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from contentgen.errors import ConfigError

SECTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"banned": ("terms", "allow"), "tone": ("words", "avoid_words")}
)
# [visual] (colours, fonts, logo for creatives) is read by contentgen.creatives.brand_visuals.
TOP_LEVEL = ("version", "name", "banned", "disclaimers", "preferred", "tone", "visual")

# Look-alike letters from other scripts, after case folding (Unicode confusables, the common ones).
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g", "ı": "i", "ɑ": "a",
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k",
        "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    }
)  # fmt: skip
# What may stand in for a letter in an obfuscated spelling.
_LEET: Mapping[str, str] = MappingProxyType(
    {"a": "4@", "b": "8", "e": "3€", "g": "96", "i": "1!|", "l": "1|", "o": "0", "s": "5$",
     "t": "7+", "z": "2"}
)  # fmt: skip
_SEP = r"[\s.\-_*·•~^:,/\\]"
_CH = r"(?:[^\W_]|[@$€!|+])"
_SPELLED = re.compile(rf"(?<!{_CH}){_CH}(?:{_SEP}+{_CH}(?!{_CH}))+(?!{_CH})")


@dataclass(frozen=True)
class Folded:
    """A text folded for matching, with each folded character's span in the original text."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def _fold_char(ch: str) -> str:
    if unicodedata.category(ch) == "Cf":  # zero-width joiners, soft hyphens, BOMs
        return ""
    out = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold())
    out = "".join(c for c in out if not unicodedata.combining(c))
    return out.translate(_CONFUSABLES)


def fold(text: str) -> Folded:
    """Fold `text` for matching: compatibility forms, case, accents, zero-width, look-alikes."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        piece = _fold_char(ch)
        pieces.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([i + 1] * len(piece))
    return Folded("".join(pieces), tuple(starts), tuple(ends))


def fold_text(text: str) -> str:
    """Just the folded text (see `fold`)."""
    return "".join(_fold_char(ch) for ch in text)


def _letter(ch: str, obfuscated: bool) -> str:
    if ch.isspace() or ch == "-":
        return ""  # a word separator in the term itself; the caller decides what it matches
    if obfuscated and ch in _LEET:
        return "[" + re.escape(ch + _LEET[ch]) + "]"
    if not ch.isalnum():  # "100%" is also written "100 %"
        return r"\s?" + re.escape(ch)
    return re.escape(ch)


@lru_cache(maxsize=4096)
def term_pattern(term: str, obfuscated: bool = True) -> re.Pattern[str]:
    """The regex that finds `term` as whole words in folded text (optionally obfuscated)."""
    folded = re.sub(r"[\s\-]+", " ", fold_text(term).strip())
    if not re.search(r"[^\W_]", folded):
        raise ValueError(f"term {term!r} has no letters or digits to match")
    plural = "(?:" + _letter("e", obfuscated) + "?" + _letter("s", obfuscated) + ")?"
    body = "".join(_letter(c, obfuscated) if c != " " else _SEP + "*" for c in folded)
    return re.compile(rf"(?<![^\W_])(?:{body}){plural}(?![^\W_])")


def _spelled_out(folded: str) -> list[tuple[int, int, str]]:
    """Runs of single characters split by separators ("f r e e"), as (start, end, joined)."""
    return [(m.start(), m.end(), re.sub(_SEP, "", m.group())) for m in _SPELLED.finditer(folded)]


@dataclass(frozen=True)
class TermMatch:
    """One occurrence of a kit term in a text: the term and the text as written."""

    term: str
    found: str
    start: int
    end: int


def find_terms(
    text: str,
    terms: tuple[str, ...],
    *,
    obfuscated: bool = True,
    allow: tuple[str, ...] = (),
) -> list[TermMatch]:
    """Every occurrence of `terms` in `text`, skipping spans covered by an `allow` phrase."""
    folded = fold(text)
    allowed = [
        (m.start(), m.end())
        for phrase in allow
        for m in term_pattern(phrase, False).finditer(folded.text)
    ]
    spelled = _spelled_out(folded.text) if obfuscated else []
    spans: list[tuple[str, int, int]] = []
    for term in terms:
        pattern = term_pattern(term, obfuscated)
        spans.extend((term, m.start(), m.end()) for m in pattern.finditer(folded.text))
        if obfuscated:
            spans.extend(
                (term, start, end) for start, end, joined in spelled if pattern.fullmatch(joined)
            )
    matches: list[TermMatch] = []
    for term, a, b in spans:
        if any(x < b and a < y for x, y in allowed):
            continue
        start, end = folded.starts[a], folded.ends[b - 1]
        matches.append(TermMatch(term, text[start:end], start, end))
    return sorted(matches, key=lambda m: (m.start, m.term))


def _squash(text: str) -> str:
    """Text reduced to folded words, for tolerant containment checks of legal wording."""
    return " ".join(re.findall(r"[^\W_]+", fold_text(text)))


@dataclass(frozen=True)
class BrandKit:
    """A loaded, validated brand kit; `version` is stored with every brand verdict."""

    version: str
    name: str = ""
    banned: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    disclaimers: Mapping[str, str] = field(default_factory=dict)
    preferred: Mapping[str, str] = field(default_factory=dict)
    tone_words: tuple[str, ...] = ()
    avoid_words: tuple[str, ...] = ()
    source: str = ""

    def banned_in(self, text: str) -> list[TermMatch]:
        """Banned terms in `text`, including obfuscated spellings."""
        return find_terms(text, self.banned, allow=self.allow)

    def required_disclaimers(self, category: str | None) -> dict[str, str]:
        """The disclaimers a product of `category` (case-insensitive) must carry."""
        if not category:
            return {}
        wanted = category.strip().casefold()
        return {c: t for c, t in self.disclaimers.items() if c.casefold() == wanted}

    def missing_disclaimers(self, text: str, category: str | None) -> dict[str, str]:
        """Required disclaimers absent from `text` (case, spacing and punctuation ignored)."""
        body = _squash(text)
        return {
            c: t for c, t in self.required_disclaimers(category).items() if _squash(t) not in body
        }

    def preferred_in(self, text: str) -> list[TermMatch]:
        """Words the kit asks to replace (keys of `[preferred]`) found in `text`."""
        return find_terms(text, tuple(self.preferred), obfuscated=False)

    def tone_in(self, text: str) -> list[TermMatch]:
        """On-brand tone words found in `text`."""
        return find_terms(text, self.tone_words, obfuscated=False)

    def avoid_in(self, text: str) -> list[TermMatch]:
        """Off-brand tone words found in `text`."""
        return find_terms(text, self.avoid_words, obfuscated=False)


def _fail(source: str, problem: str, valid: tuple[str, ...] | None = None) -> ConfigError:
    hint = f" (valid keys: {', '.join(valid)})" if valid else ""
    return ConfigError(f"brand kit {source}: {problem}{hint}")


def _check_keys(table: Mapping[str, Any], valid: tuple[str, ...], where: str, source: str) -> None:
    for key in table:
        if key not in valid:
            raise _fail(source, f"unknown key {key!r} in {where}", valid)


def _strings(value: Any, where: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(source, f"{where} must be a list of non-empty strings, got {value!r}")
    for term in value:
        if not re.search(r"[^\W_]", fold_text(term)):
            raise _fail(source, f"{where} entry {term!r} has no letters or digits to match")
    return tuple(v.strip() for v in value)


def _string_table(value: Any, where: str, source: str) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise _fail(source, f'[{where}] must be a table of "key" = "text" entries')
    for key, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise _fail(source, f"[{where}] {key!r} must be a non-empty string, got {text!r}")
    return MappingProxyType({k.strip(): v.strip() for k, v in value.items()})


def _section(data: Mapping[str, Any], name: str, source: str) -> Mapping[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise _fail(source, f"{name!r} must be a table ([{name}])", SECTIONS.get(name))
    return table


def parse_brand_kit(data: Mapping[str, Any], source: str = "<memory>") -> BrandKit:
    """Validate parsed TOML data into a BrandKit; ConfigError names the bad key and valid ones."""
    _check_keys(data, TOP_LEVEL, "the top level", source)
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise _fail(
            source, f'needs a version string at the top, e.g. version = "2026-11"; got {version!r}'
        )
    name = data.get("name", "")
    if not isinstance(name, str):
        raise _fail(source, f"name must be a string, got {name!r}")
    banned = _section(data, "banned", source)
    _check_keys(banned, SECTIONS["banned"], "[banned]", source)
    tone = _section(data, "tone", source)
    _check_keys(tone, SECTIONS["tone"], "[tone]", source)
    preferred = _string_table(data.get("preferred", {}), "preferred", source)
    for avoid in preferred:
        _strings([avoid], "[preferred] key", source)
    return BrandKit(
        version=version.strip(),
        name=name.strip(),
        banned=_strings(banned.get("terms", []), "[banned] terms", source),
        allow=_strings(banned.get("allow", []), "[banned] allow", source),
        disclaimers=_string_table(data.get("disclaimers", {}), "disclaimers", source),
        preferred=preferred,
        tone_words=_strings(tone.get("words", []), "[tone] words", source),
        avoid_words=_strings(tone.get("avoid_words", []), "[tone] avoid_words", source),
        source=source,
    )


def read_brand_kit_file(path: str | Path) -> dict[str, Any]:
    """The TOML tables of the brand kit file at `path`, or a ConfigError naming the problem."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"brand kit file {path} does not exist; set brand_kit in contentgen.toml or "
            "CONTENTGEN_BRAND_KIT to an existing file (see examples/brand_kit.toml)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"brand kit {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"brand kit {path} is not valid TOML: {exc}") from None


def load_brand_kit(path: str | Path) -> BrandKit:
    """Read and validate a brand kit TOML file."""
    data = read_brand_kit_file(path)
    return parse_brand_kit(data, str(path))
