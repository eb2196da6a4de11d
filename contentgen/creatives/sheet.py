"""Contact sheets: creatives side by side at a readable size, each labelled.

Creatives up to 728 pixels on their longer side are shown at their real size; larger ones
(the social sizes) at half size, which keeps their smallest text at 13 pixels or more. Each
group (e.g. one product) starts a new row under its own heading.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.creatives.fonts import BODY_FONT, HEADING_FONT, load, resolve_font

if TYPE_CHECKING:
    from PIL.Image import Image

    from contentgen.types import Output

REAL_SIZE_UP_TO = 728
LARGE_SCALE = 0.5
MAX_WIDTH = 2000
GAP = 16
LABEL_PX = 14
HEADING_PX = 22
BACKGROUND = (236, 238, 241)
INK = (40, 44, 52)


@dataclass(frozen=True)
class SheetItem:
    """One creative on a sheet: its PNG and its label."""

    png: bytes
    label: str


def scale_for(width: int, height: int, large: float = LARGE_SCALE) -> float:
    """The scale a creative is shown at: 1 up to 728 pixels, else `large` (one half)."""
    return 1.0 if max(width, height) <= REAL_SIZE_UP_TO else large


def _tiles(items: Sequence[SheetItem], large: float) -> list[tuple[Image, str]]:
    from PIL import Image as PILImage

    tiles = []
    for item in items:
        with PILImage.open(io.BytesIO(item.png)) as opened:
            image = opened.convert("RGB")
        scale = scale_for(*image.size, large)
        if scale != 1.0:
            size = (round(image.width * scale), round(image.height * scale))
            image = image.resize(size, PILImage.Resampling.LANCZOS)
        tiles.append((image, item.label))
    return tiles


def _slot(tile: tuple[Image, str]) -> int:
    """The width a tile takes in its row: its image's, or its label's when that is wider."""
    label_font = load(resolve_font(BODY_FONT), LABEL_PX)
    return max(tile[0].width, int(label_font.getlength(tile[1])) + 4)


def _rows(tiles: list[tuple[Image, str]], max_width: int) -> list[list[tuple[Image, str]]]:
    rows: list[list[tuple[Image, str]]] = [[]]
    width = GAP
    for tile in tiles:
        if rows[-1] and width + _slot(tile) + GAP > max_width:
            rows.append([])
            width = GAP
        rows[-1].append(tile)
        width += _slot(tile) + GAP
    return [r for r in rows if r]


def contact_sheet(groups: Sequence[tuple[str | None, Sequence[SheetItem]]],
                  max_width: int = MAX_WIDTH, large: float = LARGE_SCALE) -> Image:  # fmt: skip
    """The groups' creatives packed in rows under their headings, each labelled.

    `large` is the scale of creatives over 728 pixels (smaller than one half only for overviews).
    """
    from PIL import Image as PILImage
    from PIL import ImageDraw

    label_font = load(resolve_font(BODY_FONT), LABEL_PX)
    heading_font = load(resolve_font(HEADING_FONT), HEADING_PX)
    label_h = LABEL_PX + 8
    laid: list[tuple[str | None, list[list[tuple[Image, str]]]]] = [
        (title, _rows(_tiles(items, large), max_width)) for title, items in groups
    ]
    width = max(
        [GAP + sum(_slot(t) + GAP for t in r) for _, rows in laid for r in rows] or [GAP * 2]
    )
    height = GAP
    for title, rows in laid:
        height += (HEADING_PX + GAP) if title else 0
        height += sum(max(t.height for t, _ in r) + label_h + GAP for r in rows)
    sheet = PILImage.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    y = GAP
    for title, rows in laid:
        if title:
            draw.text((GAP, y), title, font=heading_font, fill=INK)
            y += HEADING_PX + GAP
        for r in rows:
            x = GAP
            for tile, label in r:
                sheet.paste(tile, (x, y))
                draw.text((x, y + tile.height + 4), label, font=label_font, fill=INK)
                x += _slot((tile, label)) + GAP
            y += max(t.height for t, _ in r) + label_h + GAP
    return sheet


def label_of(output: Output) -> str:
    """'300x250 · text_left/brand' (and 'at 50%' when shown smaller)."""
    fields = output.fields
    label = f"{fields.get('placement', '?')} · {fields.get('layout', '?')}"
    width, height = int(fields.get("width", 0) or 0), int(fields.get("height", 0) or 0)
    scale = scale_for(width, height)
    return label if scale == 1.0 else f"{label} (at {scale:.0%})"


def write_sheet(
    path: str | Path, outputs: Sequence[Output], title: str | None = None
) -> str | None:
    """Write the contact sheet of outputs whose `image_path` is a readable file; a line to print."""
    items = [
        SheetItem(Path(o.image_path).read_bytes(), label_of(o)) for o in outputs if o.image_path
    ]
    if not items:
        return None
    contact_sheet([(title, items)]).save(Path(path), format="PNG", optimize=True)
    return f"contact sheet: {path}"
