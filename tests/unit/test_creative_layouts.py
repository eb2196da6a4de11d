"""Every layout of every placement, for demo products: text in the safe zone, logo drawn, AA met.

Measured on the drawn pixels (what the text and the logo changed), not on the layout's plan.
The figures go to the reliability report (scripts/reliability_report.py, "creatives").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from PIL import ImageChops

from contentgen.creatives.arrange import Copy
from contentgen.creatives.brand_visuals import VisualKit, load_visuals
from contentgen.creatives.checks import check_creative, contrast_by_field
from contentgen.creatives.compose import Composition, compose
from contentgen.creatives.geometry import Box
from contentgen.creatives.placements import PLACEMENTS, Placement
from contentgen.creatives.product_image import ProductImage, load_product_image
from contentgen.creatives.render import text_share_limit
from tests.reliability_figures import record

ROOT = Path(__file__).resolve().parents[2]
# Light, dark, bright and see-through products: the colours that test a layout's contrast.
PRODUCTS = ("SKU-1002", "SKU-1010", "SKU-1023", "SKU-1012")
COPY = Copy(
    "Ready for every trail",
    "Recycled mesh upper and a grippy lugged outsole. 89.99 EUR.",
    "Shop now",
)
CASES = [(p.name, v) for p in PLACEMENTS.values() for v in p.variants()]


@dataclass(frozen=True)
class Outcome:
    """What one composition did: refused, or drawn with its lowest contrast margin and text share."""

    refused: bool
    failure: str | None  # a broken promise: text or logo outside the safe zone, AA missed unflagged
    worst_margin: float  # lowest (measured ratio / ratio AA requires)
    text_share: float


@cache
def _kit() -> VisualKit:
    return load_visuals(ROOT / "examples" / "brand_kit.toml")


@cache
def _product(sku: str) -> ProductImage:
    return load_product_image(str(ROOT / "examples" / "photos" / f"{sku}.png"))


def _compose(placement: Placement, variant: str, sku: str) -> Composition:
    copy = COPY if not placement.banner else Copy(COPY.headline, None, COPY.cta)
    limit = text_share_limit(placement, _kit(), None)
    return compose(placement, variant, copy, _kit(), _product(sku), limit)


def _changed(before: object, after: object) -> Box | None:
    found = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > 0 else 0)
    box = found.getbbox()
    return Box(*box) if box else None


def _failure(c: Composition, kinds: set[str]) -> str | None:
    placement = c.placement
    inner = placement.canvas.inset(1)  # a display ad's 1 px border is not text
    found = _changed(c.backdrop.crop(inner.xyxy), c.image.crop(inner.xyxy))
    if found is None:
        return "no copy was drawn"
    text = Box(found.x0 + 1, found.y0 + 1, found.x1 + 1, found.y1 + 1)
    if not (placement.safe_box.contains(text) and c.regions.text.contains(text)):
        return f"text pixels at {text.describe()} leave the safe zone or the text region"
    logo = _changed(c.before_logo, c.backdrop) if c.before_logo is not None else None
    if logo is None or not placement.safe_box.contains(logo):
        return f"logo pixels at {logo.describe() if logo else 'nowhere'}"
    button = c.arrangement.button if c.arrangement else None
    if button is None or not placement.safe_box.contains(button):
        return "button missing or outside the safe zone"
    if kinds & {"outside_safe_zone", "text_clipped", "logo_missing"}:
        return f"checks found {sorted(kinds)}"
    return None


@cache
def outcome(name: str, variant: str, sku: str) -> Outcome:
    """Compose one case and judge it from its pixels."""
    c = _compose(PLACEMENTS[name], variant, sku)
    problems, measures = check_creative(c)
    kinds = {p.kind for p in problems}
    if c.misfit is not None:
        return Outcome(True, None, 0.0, 0.0)
    ratios = contrast_by_field(c)
    unflagged = [f for f, (r, need) in ratios.items() if r < need and "low_contrast" not in kinds]
    failure = _failure(c, kinds) or (f"AA missed, unflagged: {unflagged}" if unflagged else None)
    margin = min(r / need for r, need in ratios.values())
    return Outcome(False, failure, margin, measures.text_share)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_every_layout_keeps_text_and_logo_in_the_safe_zone_and_meets_aa(
    name: str, variant: str
) -> None:
    for sku in PRODUCTS:
        assert outcome(name, variant, sku).failure is None, (sku, outcome(name, variant, sku))


def test_the_matrix_composes_nearly_every_case_and_reports_its_figures() -> None:
    """Realistic copy fits nearly everywhere: refusals are the exception, not the rule."""
    found = [outcome(n, v, s) for n, v in CASES for s in PRODUCTS]
    drawn = [o for o in found if not o.refused]
    assert len(drawn) >= 0.9 * len(found)
    social = [o.text_share for (n, _), o in zip([c for c in CASES for _ in PRODUCTS], found,
                                                strict=True) if PLACEMENTS[n].text_share_limit]  # fmt: skip
    record(
        "creatives.json",
        {
            "cases": len(found),
            "placements": len(PLACEMENTS),
            "variants": len(CASES),
            "products": len(PRODUCTS),
            "failures": sum(o.failure is not None for o in found),
            "refused": len(found) - len(drawn),
            "worst_contrast_margin": round(min(o.worst_margin for o in drawn), 2),
            "max_social_text_share": round(max(social), 3),
        },
    )
