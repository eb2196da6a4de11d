"""Finishing a fixed-size model's grey output: a tint for a colour word, a stated upscaler.

Both steps are recorded with each image (`tint`, `tint_rgb`; `resized_from`, `resample`), so an
image never differs silently from what the model drew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from contentgen.errors import ValidationError

if TYPE_CHECKING:
    from PIL.Image import Image

    from contentgen.image_colours import ColourChoice

# Upscaler name -> what it does, for error messages and the README.
UPSCALERS: Mapping[str, str] = {
    "lanczos": "Lanczos resampling (Pillow)",
    "lanczos-sharpen": "Lanczos resampling, then an unsharp mask when enlarging",
}
# Radius in output pixels per native pixel: the mask restores edges Lanczos spreads over ~1 pixel.
_UNSHARP_RADIUS_PER_SCALE, _UNSHARP_PERCENT, _UNSHARP_THRESHOLD = 0.5, 80, 2
# A tint darker than this relative luminance would vanish on the models' black background.
MIN_TINT_LUMINANCE = 0.18


def _luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance (WCAG / sRGB) of an 8-bit colour, 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def visible_tint(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """`rgb`, mixed towards white just enough to reach MIN_TINT_LUMINANCE (same hue)."""
    if _luminance(rgb) >= MIN_TINT_LUMINANCE:
        return rgb
    low, high = 0.0, 1.0
    for _ in range(20):  # bisect the share of white; luminance rises monotonically with it
        mid = (low + high) / 2
        mixed = tuple(round(c + (255 - c) * mid) for c in rgb)
        low, high = (mid, high) if _luminance(mixed) < MIN_TINT_LUMINANCE else (low, mid)  # type: ignore[arg-type]
    return tuple(round(c + (255 - c) * high) for c in rgb)  # type: ignore[return-value]


def tint(picture: Image, rgb: tuple[int, int, int]) -> tuple[Image, dict[str, Any]]:
    """A grey image coloured along black -> colour (ImageOps.colorize), and what was recorded.

    Each pixel's grey level scales the colour, so shading and the black background are kept and
    every lit pixel has the colour's hue. A colour too dark to see on black is lightened first
    (recorded as `tint_drawn`).
    """
    from PIL import ImageOps

    drawn = visible_tint(rgb)
    coloured = ImageOps.colorize(picture.convert("L"), black=(0, 0, 0), white=drawn)
    meta = {"tint_drawn": "#{:02x}{:02x}{:02x}".format(*drawn)} if drawn != rgb else {}
    return coloured, meta


def check_upscaler(name: str) -> str:
    """`name` if it is a known upscaler, else a ValidationError listing them."""
    if name not in UPSCALERS:
        raise ValidationError("upscaler", f"unknown upscaler {name!r}", UPSCALERS)
    return name


def resize(picture: Image, size: tuple[int, int], upscaler: str = "lanczos") -> Image:
    """`picture` at `size` by the named upscaler (a no-op at its own size)."""
    from PIL import Image as PILImage
    from PIL import ImageFilter

    check_upscaler(upscaler)
    if size == picture.size:
        return picture
    scale = size[0] / picture.width
    resized = picture.resize(size, PILImage.Resampling.LANCZOS)
    if upscaler == "lanczos-sharpen" and scale > 1:
        mask = ImageFilter.UnsharpMask(
            radius=_UNSHARP_RADIUS_PER_SCALE * scale,
            percent=_UNSHARP_PERCENT,
            threshold=_UNSHARP_THRESHOLD,
        )
        resized = resized.filter(mask)
    return resized


def to_picture(image: Any) -> Image:
    """A (C, H, W) tensor or array in [0, 1] with 1 or 3 channels -> a PIL image (L or RGB)."""
    import numpy as np
    from PIL import Image as PILImage

    array = image.detach().cpu().numpy() if hasattr(image, "detach") else np.asarray(image)
    pixels = (np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if pixels.shape[0] == 1:
        return PILImage.fromarray(pixels[0])
    return PILImage.fromarray(np.ascontiguousarray(pixels.transpose(1, 2, 0)))


def finish(
    image: Any, colour: ColourChoice | None, size: tuple[int, int], upscaler: str = "lanczos"
) -> tuple[Image, dict[str, Any]]:
    """A model's image tinted by `colour` (grey images only) and resized; the meta to record."""
    picture = to_picture(image)
    meta: dict[str, Any] = {}
    if colour is not None and picture.mode == "L":
        picture, drawn = tint(picture, colour.rgb)
        meta.update(colour.as_meta(), **drawn)
    elif colour is not None:
        meta["tint_skipped"] = f"{colour.name}: the model draws in colour"
    return resize(picture, size, upscaler), meta
