"""Brand kit loading (clear ConfigErrors) and obfuscation-proof banned-term matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.checks.brandkit import find_terms, load_brand_kit, parse_brand_kit
from contentgen.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "brand_kit.toml"
BANNED = ("free", "lowest price", "miracle", "guaranteed")


def _found(text: str) -> list[tuple[str, str]]:
    return [(m.term, m.found) for m in find_terms(text, BANNED, allow=("gluten-free",))]


@pytest.mark.parametrize(
    "text, found",
    [
        ("Get yours fr3e today", "fr3e"),
        ("f.r.e.e shipping on all orders", "f.r.e.e"),
        ("it is F R E E this week", "F R E E"),
        ("FREE!!!", "FREE"),
        ("totally fr\u0435\u0435", "fr\u0435\u0435"),  # Cyrillic е twice
        ("\uff46\uff52\uff45\uff45 gift", "\uff46\uff52\uff45\uff45"),  # full-width letters
        ("fr\u200dee gift", "fr\u200dee"),  # zero-width joiner inside the word
        ("fr€€ gift", "fr€€"),
        ("a risk-free trial", "free"),
    ],
)
def test_obfuscated_spellings_of_a_banned_term_are_caught(text: str, found: str) -> None:
    assert _found(text) == [("free", found)]


@pytest.mark.parametrize(
    "text",
    [
        "a carefree weekend",
        "freedom to roam",
        "freestyle laces",
        "gluten-free snacks",
        "f r e e d o m",
    ],
)
def test_words_that_merely_contain_a_banned_term_are_not_flagged(text: str) -> None:
    assert _found(text) == []


def test_multi_word_terms_greek_look_alikes_and_plurals_are_caught() -> None:
    assert _found("the l0west pr1ce in town") == [("lowest price", "l0west pr1ce")]
    assert _found("our l\u03bfwest-price promise") == [
        ("lowest price", "l\u03bfwest-price")
    ]  # Greek ο
    assert _found("small miracles happen") == [("miracle", "miracles")]
    assert _found("Satisfaction GUARANTEED") == [("guaranteed", "GUARANTEED")]


def test_the_example_kit_loads_with_its_version_and_rules() -> None:
    kit = load_brand_kit(EXAMPLE)
    assert kit.version == "2026-11"
    assert "free" in kit.banned and "gluten-free" in kit.allow
    assert kit.required_disclaimers("SUPPLEMENTS")  # category matched case-insensitively
    assert kit.preferred["cheap"] == "affordable"
    assert kit.tone_words and kit.avoid_words


def _kit_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "kit.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, named",
    [
        ('version = "1"\n[baned]\nterms = ["x"]\n', ["'baned'", "banned", "disclaimers", "tone"]),
        ('version = "1"\n[banned]\nterm = ["x"]\n', ["'term'", "[banned]", "terms", "allow"]),
        ('version = "1"\n[tone]\nwords = ["bold"]\navoid = ["x"]\n', ["'avoid'", "avoid_words"]),
        ('[banned]\nterms = ["x"]\n', ["version", "2026-11"]),
        (
            'version = "1"\n[banned]\nterms = "free"\n',
            ["[banned] terms", "list of non-empty strings"],
        ),
        ('version = "1"\n[disclaimers]\nsupplements = 3\n', ["[disclaimers]", "'supplements'"]),
        ('version = "1"\n[banned]\nterms = ["!!"]\n', ["'!!'", "no letters"]),
        ('version = "1"\nbanned = [\n', ["not valid TOML"]),
    ],
)
def test_a_malformed_kit_raises_config_error_naming_the_bad_key(
    tmp_path: Path, body: str, named: list[str]
) -> None:
    with pytest.raises(ConfigError) as info:
        load_brand_kit(_kit_file(tmp_path, body))
    for part in named:
        assert part in str(info.value)


def test_a_missing_kit_file_says_how_to_configure_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CONTENTGEN_BRAND_KIT"):
        load_brand_kit(tmp_path / "nope.toml")


def test_parse_brand_kit_accepts_a_minimal_kit() -> None:
    kit = parse_brand_kit({"version": "v1"})
    assert kit.version == "v1" and kit.banned == () and kit.missing_disclaimers("x", "food") == {}
