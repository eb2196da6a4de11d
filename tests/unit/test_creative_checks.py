"""The checks on every creative report Problem records: contrast, text share, logo, safe zone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image

from contentgen.creatives.arrange import Copy
from contentgen.creatives.brand_visuals import load_visuals
from contentgen.creatives.checks import check_creative, worst_contrast
from contentgen.creatives.compose import Composition, compose
from contentgen.creatives.geometry import Box
from contentgen.creatives.placements import PLACEMENTS, Insets
from contentgen.creatives.product_image import load_product_image
from contentgen.creatives.render import copy_problems, render_job

ROOT = Path(__file__).resolve().parents[2]
KIT = load_visuals(ROOT / "examples" / "brand_kit.toml")
PRODUCT = load_product_image(str(ROOT / "examples" / "photos" / "SKU-1001.png"))
COPY = Copy(
    "Grip on every trail", "Recycled mesh upper and a lugged outsole. 89.99 EUR.", "Shop now"
)


def _creative(name: str = "300x250", variant: str = "text_bottom/light",
              limit: float | None = None) -> Composition:  # fmt: skip
    return compose(PLACEMENTS[name], variant, COPY, KIT, PRODUCT, limit)


def _kinds(c: Composition) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for p in check_creative(c)[0]:
        found.setdefault(p.kind, set()).add(p.field)
    return found


@pytest.mark.parametrize(("grey", "ratio"), [((0x77,) * 3, 4.48), ((0x76,) * 3, 4.54)])
def test_contrast_is_wcags_ratio_on_the_real_pixels(
    grey: tuple[int, int, int], ratio: float
) -> None:
    white = Image.new("RGB", (20, 10), (255, 255, 255))
    assert round(worst_contrast(white, Box(0, 0, 20, 10), grey), 2) == ratio
    white.paste((0x99, 0x99, 0x99), (15, 0, 20, 10))  # the worst pixel counts, wherever it is
    assert worst_contrast(white, Box(0, 0, 20, 10), grey) < ratio


def test_a_good_creative_has_no_problems_and_reports_its_measures() -> None:
    problems, measures = check_creative(_creative())
    assert problems == []
    assert set(measures.contrast) == {"headline", "description", "cta"}
    assert all(r >= 4.5 for r in measures.contrast.values()) and 0 < measures.text_share < 1


def test_text_below_aa_on_its_pixels_is_a_low_contrast_problem() -> None:
    c = _creative()
    # #777777 on the light scheme: 4.2 to 4.5 on the kit's off-white, below AA for small text.
    grey = dataclasses.replace(c.palette, text=(0x77, 0x77, 0x77))
    problems, _ = check_creative(dataclasses.replace(c, palette=grey))
    low = {p.field: p for p in problems if p.kind == "low_contrast"}
    assert "description" in low and low["description"].limit == 4.5
    assert low["description"].evidence.startswith("4.")
    assert "cta" not in low  # the button label is another colour, on the button


def test_text_share_is_reported_always_and_flagged_over_the_limit() -> None:
    _, measures = check_creative(_creative("1080x1080", "text_bottom/brand", limit=None))
    assert measures.text_share > 0.02
    flagged = _creative("1080x1080", "text_bottom/brand", limit=0.01)
    [problem] = [p for p in check_creative(flagged)[0] if p.kind == "text_share"]
    assert problem.limit == 0.01 and problem.evidence.endswith("of the creative")
    assert "the limit is 1%" in problem.describe()


def test_a_creative_shrinks_its_text_to_meet_the_text_share_limit() -> None:
    free = _creative("1080x1080", "text_bottom/brand", limit=None)
    capped = _creative("1080x1080", "text_bottom/brand", limit=0.04)
    assert check_creative(capped)[1].text_share <= 0.04 < check_creative(free)[1].text_share


def test_a_configured_logo_that_was_not_drawn_is_a_problem() -> None:
    c = _creative()
    assert "logo_missing" not in _kinds(c)
    assert "logo_missing" in _kinds(dataclasses.replace(c, before_logo=c.backdrop))
    no_room = dataclasses.replace(c, arrangement=dataclasses.replace(c.arrangement, logo=None))
    assert "logo_missing" in _kinds(no_room)


def test_elements_outside_the_platforms_safe_zone_are_problems() -> None:
    c = _creative("1080x1920", "text_bottom/brand")
    assert "outside_safe_zone" not in _kinds(c)
    logo = c.arrangement.logo if c.arrangement else None
    assert logo is not None
    stricter = dataclasses.replace(c.placement, safe=Insets(top=logo.y0 + 1, bottom=270))
    assert "logo" in _kinds(dataclasses.replace(c, placement=stricter))["outside_safe_zone"]


def test_a_line_leaving_its_box_is_a_clipped_problem() -> None:
    c = _creative()
    assert c.arrangement is not None
    head = c.arrangement.headline
    small = dataclasses.replace(
        head, box=Box(head.box.x0, head.box.y0, head.box.x0 + 20, head.box.y1)
    )
    clipped = dataclasses.replace(c, arrangement=dataclasses.replace(c.arrangement, headline=small))
    assert _kinds(clipped)["text_clipped"] == {"headline"}


def test_copy_over_the_placements_limits_is_a_problem() -> None:
    problems = copy_problems("display_creative", {"headline": "x" * 35, "cta": "Shop now"})
    assert [(p.kind, p.field, p.limit) for p in problems] == [("copy_too_long", "headline", 30)]
    assert problems[0].describe() == "headline is 35 characters; the placement's limit is 30"
    assert copy_problems("banner_creative", {"cta": "Go"})[0].kind == "copy_missing"


def test_copy_that_cannot_fit_is_refused_with_a_record_not_drawn_badly() -> None:
    job = {
        "placement": "160x600", "variant": "text_top/brand", "copy_channel": "display_creative",
        "copy": {"headline": "Unbreakablewordthatnevereverfits", "cta": "Shop now"},
    }  # fmt: skip
    candidate = render_job(job, KIT, PRODUCT, None)
    [verdict] = candidate.meta["evaluations"]
    assert not verdict.passed
    kinds = [(p["kind"], p["field"]) for p in verdict.detail["problems"]]
    assert ("text_does_not_fit", "headline") in kinds
    assert candidate.meta["fields"]["contrast"] == ""  # no text was drawn to measure
