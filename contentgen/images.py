"""PNG encoding of image tensors/arrays and contact sheets (grids) of several PNGs."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from contentgen.errors import ValidationError


def _to_uint8_hwc(image: Any) -> Any:
    """A torch tensor or numpy array -> uint8 numpy array (H, W) or (H, W, C)."""
    import numpy as np

    if hasattr(image, "detach"):  # a torch tensor, without importing torch here
        image = image.detach().cpu().numpy()
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[0] in (1, 3, 4) and array.shape[-1] not in (1, 3, 4):
        array = array.transpose(1, 2, 0)  # (C, H, W) -> (H, W, C)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise ValidationError(
            "image",
            f"expected (H, W), (H, W, C) or (C, H, W) with 1, 3 or 4 channels, got {array.shape}",
        )
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_ or np.issubdtype(array.dtype, np.floating):
        floats = array.astype(np.float64)
        if not np.isfinite(floats).all():
            raise ValidationError("image", "holds NaN or infinite values")
        return (np.clip(floats, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer):
        return np.clip(array, 0, 255).astype(np.uint8)
    raise ValidationError("image", f"unsupported dtype {array.dtype}", ("uint8", "float", "bool"))


def to_png(image: Any, size: tuple[int, int] | None = None) -> bytes:
    """Encode an image as PNG: floats are read as [0, 1], integers as [0, 255].

    Accepts a PIL image, a numpy array or a torch tensor shaped (H, W), (H, W, C) or (C, H, W);
    `size` (width, height) resizes with Lanczos first.
    """
    from PIL import Image

    picture = image if isinstance(image, Image.Image) else Image.fromarray(_to_uint8_hwc(image))
    if size is not None and size != picture.size:
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def decode_png(data: bytes) -> Any:
    """PNG bytes -> a PIL image (loaded, so the bytes may be dropped)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            return picture.copy()
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError("image_png", f"is not a readable image: {exc}") from None


def contact_sheet(
    pngs: Sequence[bytes], columns: int | None = None, padding: int = 2, background: int = 255
) -> bytes:
    """A grid PNG of the given PNGs, in order, left to right then top to bottom.

    Cells take the largest image's size; `columns` defaults to a near-square grid.
    """
    from PIL import Image

    if not pngs:
        raise ValidationError("pngs", "needs at least one image")
    if columns is not None and columns < 1:
        raise ValidationError("columns", f"must be at least 1, got {columns}")
    pictures = [decode_png(p) for p in pngs]
    mode = "RGB" if any(p.mode not in ("L", "1", "I", "I;16") for p in pictures) else "L"
    cell_w = max(p.width for p in pictures)
    cell_h = max(p.height for p in pictures)
    cols = columns or math.ceil(math.sqrt(len(pictures)))
    rows = math.ceil(len(pictures) / cols)
    fill = background if mode == "L" else (background,) * 3
    sheet = Image.new(
        mode, (padding + cols * (cell_w + padding), padding + rows * (cell_h + padding)), fill
    )
    for i, picture in enumerate(pictures):
        row, col = divmod(i, cols)
        x = padding + col * (cell_w + padding) + (cell_w - picture.width) // 2
        y = padding + row * (cell_h + padding) + (cell_h - picture.height) // 2
        sheet.paste(picture.convert(mode), (x, y))
    return to_png(sheet)
