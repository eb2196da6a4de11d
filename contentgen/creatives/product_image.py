"""The product image: read, cropped to its subject, and placed in a layout's image box.

A transparent PNG (a cut-out) is cropped to its alpha channel's bounding box and drawn whole
inside its box. A photo is cropped around its subject, found as the pixels that differ from the
photo's border colour (the backdrop); when that finds nothing useful (a busy photo), the centre
80% is the subject. Photos fill their box (cropping the backdrop, never the subject when the box
allows it); where the subject cannot fit the box's shape, the photo's edge is carried on. Over
text_over layouts a photo covers the canvas with its subject placed clear of the text.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.creatives.colors import RGB
from contentgen.creatives.geometry import Box
from contentgen.errors import ValidationError

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_SIDE = 12_000  # larger files are refused before decoding them in full
ANALYSIS_SIDE = 256  # the subject is found on a thumbnail this size
BACKDROP_DIFF = 40  # how far (0-255, any channel) a pixel must be from the backdrop to be subject
CENTRE_SHARE = 0.8
SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


@dataclass(frozen=True)
class ProductImage:
    """A product image cropped to its subject, and how the subject was found."""

    image: Image  # RGBA: a cut-out cropped to its alpha, or the whole photo
    subject: Box  # the subject's box in `image` (all of it for a cut-out)
    cutout: bool
    found_by: str  # "alpha", "backdrop" or "centre"
    backdrop: RGB
    sha256: str
    source: str


def check_path(value: str, field: str = "image") -> Path:
    """The path of a readable image file of a known kind, else a ValidationError."""
    path = Path(value).expanduser()
    if path.suffix.lower() not in SUFFIXES:
        raise ValidationError(field, f"{value!r} is not a PNG, JPEG or WebP file", SUFFIXES)
    if not path.is_file():
        raise ValidationError(field, f"{value!r} does not exist (or is not a file)")
    return path


def _read(path: Path, field: str) -> Image:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(path) as opened:
            if max(opened.size) > MAX_SIDE:
                raise ValidationError(
                    field, f"{path} is {opened.size[0]}x{opened.size[1]}; the limit is {MAX_SIDE}"
                )
            opened.load()
            return opened.convert("RGBA")
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError) as exc:
        raise ValidationError(field, f"{path} is no image Pillow can read: {exc}") from None


def _backdrop(image: Image) -> RGB:
    """The median colour of the outermost pixels (a studio photo's backdrop)."""
    rgb = image.convert("RGB")
    w, h = rgb.size
    edge: list[tuple[int, int, int]] = []
    for x in range(w):
        edge += [rgb.getpixel((x, 0)), rgb.getpixel((x, h - 1))]  # type: ignore[list-item]
    for y in range(h):
        edge += [rgb.getpixel((0, y)), rgb.getpixel((w - 1, y))]  # type: ignore[list-item]
    return (
        int(statistics.median(p[0] for p in edge)),
        int(statistics.median(p[1] for p in edge)),
        int(statistics.median(p[2] for p in edge)),
    )


def _subject_of_photo(image: Image) -> tuple[Box, str, RGB]:
    """The subject's box in a photo, how it was found, and the backdrop colour."""
    from PIL import Image as PILImage
    from PIL import ImageChops, ImageFilter

    thumb = image.convert("RGB")
    thumb.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE))
    scale = image.width / thumb.width
    backdrop = _backdrop(thumb)
    diff = ImageChops.difference(thumb, PILImage.new("RGB", thumb.size, backdrop))
    r, g, b = diff.split()
    mask = ImageChops.lighter(ImageChops.lighter(r, g), b)
    mask = mask.point(lambda v: 255 if v >= BACKDROP_DIFF else 0).filter(
        ImageFilter.MedianFilter(5)
    )
    found = mask.getbbox()
    full = Box.of_size(image.width, image.height)
    if found is not None:
        box = Box(*(round(v * scale) for v in found)).intersect(full)
        if 0 < box.area <= 0.9 * full.area:
            return box, "backdrop", backdrop
    cw, ch = round(image.width * CENTRE_SHARE), round(image.height * CENTRE_SHARE)
    x0, y0 = (image.width - cw) // 2, (image.height - ch) // 2
    return Box(x0, y0, x0 + cw, y0 + ch), "centre", backdrop


def load_product_image(value: str, field: str = "image") -> ProductImage:
    """Read a product image and crop it to its subject (see the module docstring)."""
    path = check_path(value, field)
    data = path.read_bytes()
    image = _read(path, field)
    alpha = image.getchannel("A")
    low = alpha.getextrema()[0]
    if isinstance(low, int | float) and low < 250:  # some transparency: a cut-out
        found = alpha.point(lambda a: 255 if a > 8 else 0).getbbox()
        if found is None:
            raise ValidationError(field, f"{path} is fully transparent")
        cut = image.crop(found)
        return ProductImage(
            cut, Box.of_size(*cut.size), True, "alpha", (255, 255, 255),
            hashlib.sha256(data).hexdigest(), str(path),
        )  # fmt: skip
    box, how, backdrop = _subject_of_photo(image)
    margin = round(0.04 * max(box.width, box.height))  # keep a little air around the subject
    padded = box.inset(-margin).intersect(Box.of_size(image.width, image.height))
    return ProductImage(
        image, padded, False, how, backdrop, hashlib.sha256(data).hexdigest(), str(path)
    )


def load_background(value: str, field: str = "background") -> Image:
    """A background image, read whole (RGB)."""
    return _read(check_path(value, field), field).convert("RGB")


def cover(image: Image, box: Box) -> Image:
    """`image` scaled and centre-cropped to cover `box` exactly."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    return ImageOps.fit(image, (box.width, box.height), PILImage.Resampling.LANCZOS)


def _window(subject: Box, aspect: float, limit: Box, *, inside: bool = False) -> Box:
    """The smallest box of `aspect` around `subject`, moved inside `limit` where it fits.

    `inside`: never larger than `limit` either (the subject may then be cropped; for photos
    whose subject is only a guess, the centre).
    """
    w, h = subject.width, subject.height
    if w / h < aspect:
        w = round(h * aspect)
    else:
        h = round(w / aspect)
    if inside and (w > limit.width or h > limit.height):
        shrink = min(limit.width / w, limit.height / h)
        w, h = max(1, int(w * shrink)), max(1, int(h * shrink))
    cx, cy = (subject.x0 + subject.x1) // 2, (subject.y0 + subject.y1) // 2
    x0, y0 = cx - w // 2, cy - h // 2
    if w <= limit.width:
        x0 = min(max(x0, limit.x0), limit.x1 - w)
    if h <= limit.height:
        y0 = min(max(y0, limit.y0), limit.y1 - h)
    return Box(x0, y0, x0 + w, y0 + h)


def _crop_extended(image: Image, window: Box) -> Image:
    """`image` cut to `window`; beyond its edges, its blurred edge pixels carried on.

    A studio backdrop is rarely one flat colour (a gradient, a vignette): carrying its own
    edge on continues it without a visible seam, where a flat colour would draw a band.
    """
    import numpy as np
    from PIL import Image as PILImage
    from PIL import ImageFilter

    full = Box.of_size(*image.size)
    if full.contains(window):
        return image.crop(window.xyxy)
    left, top = max(0, -window.x0), max(0, -window.y0)
    right, bottom = max(0, window.x1 - full.x1), max(0, window.y1 - full.y1)
    soft = np.asarray(image.filter(ImageFilter.GaussianBlur(6)))
    extended = PILImage.fromarray(np.pad(soft, ((top, bottom), (left, right), (0, 0)), "edge"))
    extended.paste(image, (left, top))
    return extended.crop((window.x0 + left, window.y0 + top, window.x1 + left, window.y1 + top))


def render_into(product: ProductImage, box: Box, *, fill: bool) -> tuple[Image, Box]:
    """The product scaled for `box`: (RGBA image, where to paste it).

    A cut-out is drawn whole, centred. A photo with `fill` covers the box with the window of
    the box's shape around its subject (the photo's own pixels where there are any, its
    edge carried on beyond them); without `fill` its subject is drawn whole, centred.
    """
    from PIL import Image as PILImage

    lanczos = PILImage.Resampling.LANCZOS
    if product.cutout or not fill:
        source = product.image.crop(product.subject.xyxy)
        target = box.fit(source.width, source.height)
        return source.resize((target.width, target.height), lanczos), target
    window = _window(product.subject, box.width / box.height, Box.of_size(*product.image.size),
                     inside=product.found_by == "centre")  # fmt: skip
    return _crop_extended(product.image, window).resize((box.width, box.height), lanczos), box


def _clamp(want: float, low: float, high: float) -> float:
    return min(max(want, low), high) if low <= high else (low + high) / 2


def render_around(product: ProductImage, canvas: Box, clear: Box) -> Image:
    """A photo covering `canvas` with its subject drawn whole inside `clear` (text_over).

    The subject is scaled to fit `clear` and centred there, then the view moves towards the
    photo's middle as far as the subject stays inside `clear`, so that as much of the canvas
    as possible shows the photo's own pixels rather than its carried-on edge.
    """
    from PIL import Image as PILImage

    s = product.subject
    k = min(clear.width / s.width, clear.height / s.height)  # canvas pixels per photo pixel
    w, h = canvas.width / k, canvas.height / k  # the canvas in photo pixels
    cx, cy = (clear.x0 + clear.x1) / 2, (clear.y0 + clear.y1) / 2
    photo_w, photo_h = product.image.size
    x0 = _clamp((s.x0 + s.x1) / 2 - cx / k, min(0.0, photo_w - w), max(0.0, photo_w - w))
    x0 = _clamp(x0, s.x1 - clear.x1 / k, s.x0 - clear.x0 / k)
    y0 = _clamp((s.y0 + s.y1) / 2 - cy / k, min(0.0, photo_h - h), max(0.0, photo_h - h))
    y0 = _clamp(y0, s.y1 - clear.y1 / k, s.y0 - clear.y0 / k)
    window = Box(round(x0), round(y0), round(x0 + w), round(y0 + h))
    picture = _crop_extended(product.image, window)
    return picture.resize((canvas.width, canvas.height), PILImage.Resampling.LANCZOS)
