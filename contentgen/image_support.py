"""What an image generator can draw, declared without loading it, and requests checked against it.

An image generator may define `image_support() -> ImageSupport`, answered from its configuration
(e.g. a checkpoint's config.json) without torch. Routing calls it for every image request, so an
unknown class, a prompt naming no class, or a size the model cannot make is a ValidationError
before any model loads. Generators without the hook are not checked here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contentgen.errors import ContentgenError, ValidationError
from contentgen.image_classes import check_match_mode, plan_class

if TYPE_CHECKING:
    from contentgen.registry import GeneratorRegistry
    from contentgen.tasks.image import ImageRequest

MIN_SIDE = 8


@dataclass(frozen=True)
class ImageSupport:
    """The classes and sizes an image generator can draw, known before it loads."""

    classes: tuple[str, ...] | None = None  # None: any text prompt
    native_size: tuple[int, int] | None = None  # (w, h) a fixed-size model draws; None: any
    default_size: tuple[int, int] | None = None  # what it outputs when no size is asked
    max_side: int = 4096
    size_multiple: int = 1  # free sizes must be multiples of this (diffusers latents: 8)
    resample: str = "lanczos"  # how a fixed-size model's images are brought to another size

    def describe_sizes(self) -> str:
        """The sizes this generator makes, in words for an error message."""
        if self.native_size is None:
            step = f" in multiples of {self.size_multiple}" if self.size_multiple > 1 else ""
            return f"any width and height from {MIN_SIDE} to {self.max_side}{step}"
        w, h = self.native_size
        shape = "square sizes" if w == h else f"sizes in its {w}:{h} aspect ratio"
        return (
            f"{w}x{h} as drawn, or {shape} from {MIN_SIDE} to {self.max_side} pixels a side "
            f"({self.resample} resizing, recorded with each image)"
        )

    def output_size(self, width: int | None, height: int | None) -> tuple[int | None, int | None]:
        """The (width, height) an image will have (None: the pipeline's default); else an error."""
        for name, value in (("width", width), ("height", height)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(name, f"must be a whole number, got {value!r}")
            if not MIN_SIDE <= value <= self.max_side or value % self.size_multiple:
                raise ValidationError(
                    name, f"{value} is not a size this generator makes: {self.describe_sizes()}"
                )
        if self.native_size is None:
            return width, height
        if width is None and height is None:
            return self.default_size or self.native_size
        nw, nh = self.native_size
        width = width if width is not None else round(height * nw / nh)  # type: ignore[operator]
        height = height if height is not None else round(width * nh / nw)
        if round(width * nh / nw) != height and round(height * nw / nh) != width:
            raise ValidationError(
                "size",
                f"{width}x{height} would stretch the model's {nw}x{nh} images: "
                f"it makes {self.describe_sizes()}",
            )
        if max(width, height) > self.max_side:
            raise ValidationError("size", f"{width}x{height} is too large: {self.describe_sizes()}")
        return width, height


def support_of(generator: object) -> ImageSupport | None:
    """The generator's declared ImageSupport, or None when it declares none."""
    hook = getattr(generator, "image_support", None)
    return hook() if callable(hook) else None


def check_request(
    request: ImageRequest,
    support: ImageSupport | None,
    width: int | None = None,
    height: int | None = None,
) -> dict[str, Any]:
    """Check classes and size against `support`; returns the params the plan records (real size)."""
    check_match_mode(request.match)
    if support is None:
        return {}
    if support.classes is not None:
        prompt = request.prompt or request.class_name or ""
        plan_class(prompt, request.class_name, support.classes, request.match)
    real_w, real_h = support.output_size(width, height)
    return {k: v for k, v in (("width", real_w), ("height", real_h)) if v is not None}


def check_image_route(
    request: ImageRequest,
    params: Mapping[str, Any],
    registry: GeneratorRegistry,
    generator_id: str,
    fallback: str | None,
) -> tuple[str | None, dict[str, Any]]:
    """Check an image request against its generator and fallback before either loads.

    Returns the fallback that can serve the request too (None otherwise) and the params to record:
    the size each image will really have. A configured generator that cannot run as configured
    (no model set, no checkpoint) leaves the request to its fallback, which the engine uses when
    the load fails; with no fallback (or a generator the user named) its error is raised here.
    """
    width, height = params.get("width"), params.get("height")
    try:
        primary = check_request(request, support_of(registry.get(generator_id)), width, height)
    except ContentgenError as exc:
        if fallback is None or _about_request(exc):
            raise
        return fallback, check_request(request, support_of(registry.get(fallback)), width, height)
    if fallback is not None:
        size = {"width": primary.get("width", width), "height": primary.get("height", height)}
        try:
            check_request(request, support_of(registry.get(fallback)), **size)
        except ContentgenError:
            fallback = None  # it could not serve this request, so it is no fallback for it
    return fallback, primary


def _about_request(exc: ContentgenError) -> bool:
    """True when the error is about the request, not about the generator's configuration."""
    return isinstance(exc, ValidationError) and not exc.field.startswith("generators.")
