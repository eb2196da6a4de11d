"""Make docs/creatives-grid.png: demo catalogue products as ad creatives in every listed size.

    python scripts/make_creatives_grid.py                 # copy written by the default model
    python scripts/make_creatives_grid.py --copy catalogue  # copy from the catalogue, no model

Each product of examples/products_with_photos.csv named by --sku is composed with the demo
brand kit (examples/brand_kit.toml) in all placements (`--channel all`), one layout variant per
placement (rotating through the variants from product to product), through the same
`contentgen.creatives.make_creatives` the CLI uses; the outputs go to a throwaway data folder.
Social sizes are shown at --scale (display sizes at their real size) and labelled.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from pathlib import Path

from contentgen.creatives.make import make_creatives
from contentgen.creatives.placements import PLACEMENTS
from contentgen.creatives.sheet import SheetItem, contact_sheet, scale_for
from contentgen.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
FACTS = ("name", "category", "price_eur", "color", "material", "feature")
ORDER = ("1080x1920", "1080x1080", "1200x628", "300x600", "160x600", "300x250", "728x90", "320x50")


def _catalogue_copy(row: dict[str, str]) -> dict[str, str]:
    """Copy straight from the catalogue: name, feature and price, and a plain button."""
    return {
        "headline": row["name"],
        "description": f"{row['feature'][:1].upper()}{row['feature'][1:]}. {row['price_eur']} EUR.",
        "cta": "Shop now",
    }


def main() -> None:
    """Compose the creatives and write the grid."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sku", nargs="+", default=["SKU-1001", "SKU-1010", "SKU-1021"])
    parser.add_argument("--copy", choices=("model", "catalogue"), default="model")
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "creatives-grid.png")
    args = parser.parse_args()
    with (ROOT / "examples" / "products_with_photos.csv").open(encoding="utf-8") as handle:
        rows = {r["sku"]: r for r in csv.DictReader(handle)}
    groups = []
    with (
        tempfile.TemporaryDirectory() as data,
        Engine.from_config(
            None, data_dir=Path(data), brand_kit=ROOT / "examples" / "brand_kit.toml"
        ) as engine,
    ):
        for i, sku in enumerate(args.sku):
            row = rows[sku]
            copy = _catalogue_copy(row) if args.copy == "catalogue" else {}
            made = make_creatives(
                engine, product={k: row[k] for k in FACTS}, image=ROOT / row["photo_path"],
                channel="all", variants=6, seed=i, **copy,
            )  # fmt: skip
            by_placement: dict[str, list] = {}
            for output in made.outputs:
                by_placement.setdefault(output.fields["placement"], []).append(output)
            items = []
            for name in ORDER:
                found = by_placement.get(name)
                if not found:
                    print(f"{sku}: no accepted creative for {name}")
                    continue
                output = found[i % len(found)]
                scale = scale_for(PLACEMENTS[name].width, PLACEMENTS[name].height, args.scale)
                label = f"{name} · {output.fields['layout']}" + (
                    f" (at {scale:.0%})" if scale != 1 else ""
                )
                png = engine.store.artifacts.path(output.image_path or "").read_bytes()
                items.append(SheetItem(png, label))
            source = "copy written by the default model" if not copy else "copy from the catalogue"
            groups.append((f"{row['name']} ({sku}), {source}", items))
    sheet = contact_sheet(groups, max_width=1900, large=args.scale)
    sheet.save(args.out, optimize=True)
    print(f"wrote {args.out} ({sheet.width}x{sheet.height})")


if __name__ == "__main__":
    main()
