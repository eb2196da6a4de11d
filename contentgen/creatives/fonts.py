"""Fonts for creatives: a brand kit names a font file or a family ("DejaVu Sans:Bold").

Families are looked up among the installed fonts (Debian's fonts-dejavu-core and
fonts-liberation by default; `make system-deps` installs them), by the family and style names
inside the font files, so no fontconfig is needed. Pillow loads and measures them.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.errors import ConfigError

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
HEADING_FONT = "DejaVu Sans:Bold"
BODY_FONT = "DejaVu Sans"
# Names fonts give their upright, normal-weight style.
_REGULAR = frozenset({"", "regular", "book", "normal", "roman", "medium"})


@dataclass(frozen=True)
class FontFace:
    """One font file and the family and style names inside it."""

    path: Path
    family: str
    style: str

    @property
    def name(self) -> str:
        """'Family:Style', the form a brand kit uses."""
        return f"{self.family}:{self.style}"

    @property
    def bold(self) -> bool:
        """True for a bold (or heavier) face: WCAG counts bold text as large from 14 pt."""
        return any(w in self.style.lower() for w in ("bold", "black", "heavy"))

    def sha256(self) -> str:
        """The font file's digest, for provenance."""
        return _digest(str(self.path))


@lru_cache(maxsize=64)
def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _style_key(style: str) -> str:
    key = style.strip().lower()
    return "regular" if key in _REGULAR else key


@lru_cache(maxsize=1)
def installed_faces() -> tuple[FontFace, ...]:
    """Every readable font file in the usual font folders, sorted by path."""
    from PIL import ImageFont

    found = []
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for dirpath, _, files in os.walk(root):
            for file in sorted(files):
                if not file.lower().endswith(FONT_SUFFIXES):
                    continue
                path = Path(dirpath) / file
                try:
                    family, style = ImageFont.truetype(str(path), 12).getname()
                except OSError:
                    continue  # not a font Pillow's FreeType reads
                found.append(FontFace(path, family or path.stem, style or "Regular"))
    return tuple(sorted(found, key=lambda f: str(f.path)))


def _load_file(path: Path) -> FontFace:
    from PIL import ImageFont

    if not path.is_file():
        raise ConfigError(f"font file {path} does not exist")
    try:
        family, style = ImageFont.truetype(str(path), 12).getname()
    except OSError as exc:
        raise ConfigError(f"font file {path} is no font Pillow can read: {exc}") from None
    return FontFace(path, family or path.stem, style or "Regular")


def resolve_font(spec: str, base_dir: Path | None = None, *, where: str = "font") -> FontFace:
    """A font from a file path (relative to `base_dir`) or an installed 'Family[:Style]'.

    A ConfigError names the installed families when the name matches none.
    """
    text = spec.strip()
    if not text:
        raise ConfigError(f"{where}: give a font file or a family name, e.g. {HEADING_FONT!r}")
    if "/" in text or "\\" in text or text.lower().endswith(FONT_SUFFIXES):
        path = Path(text).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            return _load_file(path)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    family, _, style = text.partition(":")
    faces = installed_faces()
    matches = [f for f in faces if f.family.lower() == family.strip().lower()]
    if not matches:
        families = sorted({f.family for f in faces})
        shown = ", ".join(families[:20]) + (" ..." if len(families) > 20 else "")
        raise ConfigError(
            f"{where}: no installed font family {family.strip()!r} "
            f"(installed: {shown or 'none; install fonts-dejavu-core'}); or give a font file"
        )
    wanted = _style_key(style)
    for face in matches:
        if _style_key(face.style) == wanted:
            return face
    styles = sorted({f.style for f in matches})
    raise ConfigError(
        f"{where}: {family.strip()!r} has no style {style.strip() or 'Regular'!r} "
        f"(styles: {', '.join(styles)})"
    )


@lru_cache(maxsize=512)
def _truetype(path: str, size: int) -> FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def load(face: FontFace, size: int) -> FreeTypeFont:
    """The face at `size` pixels (cached: fitting asks for the same sizes many times)."""
    return _truetype(str(face.path), int(size))
