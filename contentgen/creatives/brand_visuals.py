"""The visual half of a brand kit: the `[visual]` table of brand_kit.toml.

    [visual]
    primary = "#1f4d3a"          # panels and the "brand" colour scheme
    accent = "#e8a33d"           # call-to-action buttons
    background = "#f6f3ec"       # the "light" colour scheme
    text = "#1b1b1b"             # body text on light backgrounds
    heading_font = "DejaVu Sans:Bold"   # an installed family[:style], or a font file
    body_font = "DejaVu Sans"
    logo = "logo.png"            # a PNG (transparent is best); paths are relative to the kit
    logo_mark = "mark.png"       # the compact logo (the symbol), used where the logo would
                                 # be drawn too small to read (320x50, 160x600)
    margin = 0.04                # extra margin, as a share of the creative's shorter side
    text_share_limit = 0.2       # the most of a social creative that text may cover

Every key is optional; a kit without the table (or no kit) gets neutral defaults and no logo.
The kit's digest (`sha256`) covers the table, the logo and the font files, and is stored with
every creative.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from contentgen.checks.brandkit import read_brand_kit_file
from contentgen.creatives.colors import RGB, parse_hex, to_hex
from contentgen.creatives.fonts import BODY_FONT, HEADING_FONT, FontFace, resolve_font
from contentgen.errors import ConfigError

COLOUR_KEYS = ("primary", "accent", "background", "text")
KEYS = (
    *COLOUR_KEYS, "heading_font", "body_font", "logo", "logo_mark", "margin", "text_share_limit"
)  # fmt: skip
DEFAULTS: Mapping[str, Any] = {
    "primary": "#1f3a5f",
    "accent": "#f2a541",
    "background": "#ffffff",
    "text": "#1b1b1b",
    "heading_font": HEADING_FONT,
    "body_font": BODY_FONT,
    "margin": 0.0,
}
MAX_MARGIN = 0.2


@dataclass(frozen=True)
class VisualKit:
    """Colours, fonts, logo and margins for creatives, resolved and checked."""

    primary: RGB
    accent: RGB
    background: RGB
    text: RGB
    heading: FontFace
    body: FontFace
    logo: Path | None
    logo_mark: Path | None
    margin: float
    text_share_limit: float | None
    source: str
    sha256: str

    def facts(self) -> dict[str, str]:
        """The kit as stored with a creative: its source, digest, colours and fonts."""
        return {
            "brand_kit": self.source,
            "brand_kit_sha256": self.sha256,
            "colours": " ".join(f"{k}={to_hex(getattr(self, k))}" for k in COLOUR_KEYS),
            "fonts": f"{self.heading.name} ({self.heading.path.name}); "
            f"{self.body.name} ({self.body.path.name})",
            "logo": str(self.logo) if self.logo else "",
            "logo_mark": str(self.logo_mark) if self.logo_mark else "",
        }


def _fail(source: str, problem: str, valid: tuple[str, ...] | None = None) -> ConfigError:
    hint = f" (valid keys: {', '.join(valid)})" if valid else ""
    return ConfigError(f"brand kit {source}: [visual] {problem}{hint}")


def _colour(table: Mapping[str, Any], key: str, source: str) -> RGB:
    value = table.get(key, DEFAULTS[key])
    parsed = parse_hex(value) if isinstance(value, str) else None
    if parsed is None:
        raise _fail(source, f'{key} must be a hex colour such as "#1f3a5f", got {value!r}')
    return parsed


def _share(table: Mapping[str, Any], key: str, source: str, high: float) -> float | None:
    value = table.get(key, DEFAULTS.get(key))
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
        raise _fail(source, f"{key} must be a number from 0 to {high}, got {value!r}")
    return float(value)


def _logo(table: Mapping[str, Any], base: Path | None, source: str, key: str) -> Path | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, f"{key} must be the path of an image file, got {value!r}")
    path = Path(value).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except FileNotFoundError:
        raise _fail(source, f"{key} file {path} does not exist") from None
    except (OSError, UnidentifiedImageError) as exc:
        raise _fail(source, f"{key} {path} is no image Pillow can read: {exc}") from None
    return path


def parse_visuals(
    table: Mapping[str, Any], source: str = "<defaults>", base: Path | None = None
) -> VisualKit:
    """Check a `[visual]` table into a VisualKit; a ConfigError names the bad key."""
    if not isinstance(table, Mapping):
        raise _fail(source, "must be a table ([visual])", KEYS)
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise _fail(source, f"unknown key {unknown[0]!r}", KEYS)
    fonts = {}
    for key in ("heading_font", "body_font"):
        value = table.get(key, DEFAULTS[key])
        if not isinstance(value, str):
            raise _fail(source, f"{key} must be a font file or family name, got {value!r}")
        fonts[key] = resolve_font(value, base, where=f"brand kit {source}: [visual] {key}")
    margin = _share(table, "margin", source, MAX_MARGIN) or 0.0
    logo, mark = _logo(table, base, source, "logo"), _logo(table, base, source, "logo_mark")
    if mark is not None and logo is None:
        raise _fail(source, "logo_mark needs a logo too (the mark stands in for it when small)")
    digest = hashlib.sha256(json.dumps(dict(table), sort_keys=True, default=str).encode())
    for part in (logo, mark, fonts["heading_font"].path, fonts["body_font"].path):
        if part is not None:
            digest.update(_file_digest(str(part)).encode())
    return VisualKit(
        primary=_colour(table, "primary", source),
        accent=_colour(table, "accent", source),
        background=_colour(table, "background", source),
        text=_colour(table, "text", source),
        heading=fonts["heading_font"],
        body=fonts["body_font"],
        logo=logo,
        logo_mark=mark,
        margin=margin,
        text_share_limit=_share(table, "text_share_limit", source, 1.0),
        source=source,
        sha256=digest.hexdigest(),
    )


@lru_cache(maxsize=64)
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_visuals(path: str | Path | None) -> VisualKit:
    """The visual kit of the brand kit file at `path` (None: the neutral defaults)."""
    if path is None:
        return parse_visuals({})
    kit = Path(path).expanduser()
    data = read_brand_kit_file(kit)
    return parse_visuals(data.get("visual", {}), str(kit), kit.parent)
