"""Ad creatives: a product image, its copy and the brand kit laid out for each ad placement.

`make_creatives(engine, product=..., image=..., channel="display")` writes the copy through the
marketing task and composes the creatives through the creative task (builtin:composer);
`contentgen generate creative` and `contentgen batch --task creative` do the same from the
command line. Modules: placements (sizes, safe zones, copy channels), fonts, fitting (text that
always fits), layouts, arrange, palette, compose (drawing), checks (contrast, text share, logo,
safe zone, clipping), planning (band share, logo or mark), render (a request's creatives),
composer (the generator), sheet (contact sheets), brand_visuals (the kit's `[visual]` table),
backgrounds (generated backgrounds), make (the steps). The command is contentgen.cli.creative.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contentgen.creatives.backgrounds import GeneratedBackground as GeneratedBackground
    from contentgen.creatives.make import Creatives as Creatives
    from contentgen.creatives.make import make_creatives as make_creatives

__all__ = ["Creatives", "GeneratedBackground", "make_creatives"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from contentgen.creatives import make

        return getattr(make, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
