"""Drawing one creative: background, product image, scrim, button, logo and the fitted copy.

The creative is drawn in layers so that the checks can measure what each piece sits on: the
`backdrop` is everything but the text (the pixels the text's contrast is measured against), and
`before_logo` everything before the logo. Over-image layouts darken (or lighten) the image
behind the text with a scrim whose opacity is raised until every text meets WCAG AA there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contentgen.creatives.arrange import Arrangement, Copy, NoFit
from contentgen.creatives.brand_visuals import VisualKit
from contentgen.creatives.colors import LINEAR, RGB, contrast, luminance, mix
from contentgen.creatives.geometry import Box
from contentgen.creatives.layouts import Regions
from contentgen.creatives.palette import Palette, palette
from contentgen.creatives.placements import Placement
from contentgen.creatives.planning import plan
from contentgen.creatives.product_image import ProductImage, cover, render_around, render_into

if TYPE_CHECKING:
    from PIL.Image import Image

SCRIM_STEPS = (0.55, 0.65, 0.75, 0.85, 0.93, 1.0)
LOGO_CONTRAST = 3.0  # WCAG 2.1 non-text contrast (1.4.11): a logo pixel below it does not show
LIGHT_BACKGROUND = 0.8  # luminance above which a display ad gets its border


@dataclass(frozen=True)
class Composition:
    """One drawn creative and what the checks need to measure it."""

    placement: Placement
    variant: str
    copy: Copy
    palette: Palette
    regions: Regions
    image: Image  # the creative (RGB)
    backdrop: Image  # the creative without its text
    before_logo: Image | None
    logo_image: Image | None
    arrangement: Arrangement | None
    misfit: NoFit | None
    text_share_limit: float | None
    scrim_opacity: float | None = None
    logo_used: str = ""  # "logo", "logo_mark", or "" (the kit has no logo)


def _clear_of_scrim(placement: Placement, reg: Regions) -> Box:
    """text_over: the part of the canvas the scrim leaves clear, less a little air."""
    assert reg.scrim is not None
    canvas = placement.canvas
    side = (
        Box(reg.scrim.x1, 0, canvas.x1, canvas.y1)
        if placement.width > placement.height
        else Box(0, 0, canvas.x1, reg.scrim.y0 + reg.ramp)
    )
    return side.inset(round(min(side.width, side.height) * 0.08))


def _product_box(placement: Placement, reg: Regions, product: ProductImage) -> tuple[Box, bool]:
    """Where the product goes and whether it fills that box."""
    if reg.scrim is not None and product.cutout:  # keep a cut-out clear of the text's scrim
        return _clear_of_scrim(placement, reg), False
    if product.cutout:
        pad = round(min(reg.image.width, reg.image.height) * 0.08)
        return reg.image.inset(pad), False
    return reg.image, reg.fill_image


def _base(placement: Placement, reg: Regions, pal: Palette, product: ProductImage | None,
          background: Image | None) -> Image:  # fmt: skip
    from PIL import Image as PILImage
    from PIL import ImageDraw

    canvas = PILImage.new("RGB", (placement.width, placement.height), pal.background)
    if reg.image_panel or (reg.scrim is not None and (product is None or product.cutout)):
        panel = reg.image if reg.image_panel else placement.canvas
        if background is not None:
            canvas.paste(cover(background, panel), (panel.x0, panel.y0))
        else:
            ImageDraw.Draw(canvas).rectangle(
                (panel.x0, panel.y0, panel.x1 - 1, panel.y1 - 1), fill=pal.panel
            )
    if product is None:
        return canvas
    if reg.scrim is not None and not product.cutout and product.found_by != "centre":
        # A photo's known subject stays clear of the text; the rest of the photo runs under it.
        picture = render_around(product, placement.canvas, _clear_of_scrim(placement, reg))
        canvas.paste(picture, (0, 0), picture)
    else:
        box, fill = _product_box(placement, reg, product)
        if not box.empty:
            picture, where = render_into(product, box, fill=fill)
            canvas.paste(picture, (where.x0, where.y0), picture)
    return canvas


def _scrim(base: Image, reg: Regions, pal: Palette, opacity: float, wide: bool) -> Image:
    """The base with the scrim over `reg.scrim`: fading in over `reg.ramp` pixels, then flat.

    `wide`: the scrim covers the left part and fades towards its right edge; otherwise it
    covers the bottom part and fades towards its top edge.
    """
    from PIL import Image as PILImage

    assert reg.scrim is not None
    box = reg.scrim
    full = round(255 * opacity)
    mask = PILImage.new("L", (box.width, box.height), full)
    if reg.ramp:
        ramp = PILImage.linear_gradient("L").point(lambda v: v * full // 255)  # 0 top, full bottom
        if wide:
            ramp = ramp.rotate(-90).resize((reg.ramp, box.height))  # full left, 0 right
            mask.paste(ramp, (box.width - reg.ramp, 0))
        else:
            mask.paste(ramp.resize((box.width, reg.ramp)), (0, 0))
    out = base.copy()
    out.paste(PILImage.new("RGB", (box.width, box.height), pal.background), (box.x0, box.y0), mask)
    return out


def _visible_share(logo: Image, behind: RGB) -> float:
    """The share of the logo's opaque pixels that stand out from the colour behind it."""
    import numpy as np

    pixels = np.asarray(logo.convert("RGBA"))
    opaque = pixels[pixels[..., 3] > 128][:, :3]
    if not len(opaque):
        return 0.0
    lum = np.asarray(LINEAR)[opaque] @ np.array([0.2126, 0.7152, 0.0722])
    own = luminance(behind)
    ratio = (np.maximum(lum, own) + 0.05) / (np.minimum(lum, own) + 0.05)
    return float((ratio >= LOGO_CONTRAST).mean())


def _paste_logo(layer: Image, logo: Image, box: Box, kit: VisualKit) -> None:
    """The logo in its box; on a plate of a kit colour where it would not stand out."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageStat

    behind: RGB = tuple(round(v) for v in ImageStat.Stat(layer.crop(box.xyxy)).mean[:3])  # type: ignore[assignment]
    target = box
    if _visible_share(logo, behind) < 0.5:
        plate = max((kit.background, kit.primary, kit.text), key=lambda c: contrast(c, behind))
        ImageDraw.Draw(layer).rounded_rectangle(
            (box.x0, box.y0, box.x1 - 1, box.y1 - 1), radius=max(2, box.height // 5), fill=plate
        )
        pad = max(2, round(box.height * 0.14))
        target = box.inset(pad).fit(logo.width, logo.height)
    scaled = logo.resize((target.width, target.height), PILImage.Resampling.LANCZOS)
    layer.paste(scaled, (target.x0, target.y0), scaled)


def _button(image: Image, arrangement: Arrangement, pal: Palette) -> None:
    from PIL import ImageDraw

    if arrangement.button is not None:
        b = arrangement.button
        ImageDraw.Draw(image).rounded_rectangle(
            (b.x0, b.y0, b.x1 - 1, b.y1 - 1), radius=max(2, b.height // 4), fill=pal.button
        )


def _text(image: Image, arrangement: Arrangement, pal: Palette) -> None:
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for name, fitted in arrangement.texts.items():
        colour = pal.button_text if name == "cta" else pal.text
        for line in fitted.lines:
            draw.text((line.x, line.y), line.text, font=fitted.font, fill=colour, anchor="la")


def _border(image: Image, placement: Placement, pal: Palette) -> None:
    from PIL import ImageDraw

    if placement.border and luminance(pal.background) >= LIGHT_BACKGROUND:
        edge = mix(pal.background, pal.text, 0.35)
        ImageDraw.Draw(image).rectangle(
            (0, 0, placement.width - 1, placement.height - 1), outline=edge
        )


def _backdrop(base: Image, reg: Regions, pal: Palette, arrangement: Arrangement | NoFit,
              opacity: float | None, wide: bool) -> Image:  # fmt: skip
    layer = _scrim(base, reg, pal, opacity, wide) if opacity is not None else base.copy()
    if isinstance(arrangement, Arrangement):
        _button(layer, arrangement, pal)
    return layer


def _choose_opacity(base: Image, reg: Regions, pal: Palette, arrangement: Arrangement,
                    placement: Placement, wide: bool) -> float:  # fmt: skip
    """The lightest scrim at which every text meets AA for body text on the pixels behind it.

    Body text's 4.5 rather than large text's 3: text on a photo needs the margin to read well.
    """
    from contentgen.creatives.checks import worst_contrast
    from contentgen.creatives.colors import AA_NORMAL

    for opacity in SCRIM_STEPS:
        layer = _backdrop(base, reg, pal, arrangement, opacity, wide)
        if all(
            worst_contrast(layer, line.ink, pal.button_text if name == "cta" else pal.text)
            >= AA_NORMAL
            for name, fitted in arrangement.texts.items()
            for line in fitted.lines
        ):
            return opacity
    return SCRIM_STEPS[-1]


def compose(placement: Placement, variant: str, copy: Copy, kit: VisualKit,
            product: ProductImage | None, text_share_limit: float | None,
            background: Image | None = None) -> Composition:  # fmt: skip
    """Draw `variant` ('layout/scheme') of `placement` with `copy`, the kit and the product.

    `background`: an image for the image panel (the whole canvas under text_over), instead
    of the palette's flat panel colour.
    """
    layout, _, scheme = variant.partition("/")
    pal = palette(kit, scheme)
    planned = plan(placement, layout, copy, kit, text_share_limit)
    reg, arrangement, logo = planned.regions, planned.arrangement, planned.logo
    base = _base(placement, reg, pal, product, background)
    wide = placement.width > placement.height and not reg.row
    opacity = None
    if reg.scrim is not None:
        opacity = (
            _choose_opacity(base, reg, pal, arrangement, placement, wide)
            if isinstance(arrangement, Arrangement)
            else SCRIM_STEPS[-1]
        )
    layer = _backdrop(base, reg, pal, arrangement, opacity, wide)
    before_logo = None
    if isinstance(arrangement, Arrangement) and arrangement.logo is not None and logo is not None:
        before_logo = layer.copy()
        _paste_logo(layer, logo, arrangement.logo, kit)
    final = layer.copy()
    fitted = arrangement if isinstance(arrangement, Arrangement) else None
    if fitted is not None:
        _text(final, fitted, pal)
    _border(final, placement, pal)
    return Composition(
        placement, variant, copy, pal, reg, final, layer, before_logo, logo, fitted,
        arrangement if isinstance(arrangement, NoFit) else None, text_share_limit, opacity,
        planned.logo_used,
    )  # fmt: skip
