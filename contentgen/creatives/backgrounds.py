"""Generated backgrounds: one image per placement shape from an image generator (diffusers).

`make_creatives(..., background=GeneratedBackground("a sunlit forest trail, soft focus"))` asks
the image task for one background per distinct placement size, at that placement's aspect
ratio: the longer side is at most `longest_side` pixels (the creative's own size when that is
smaller) and both sides are rounded up to a multiple of 8, which every diffusers pipeline
needs. Each background is an image output of its own, stored with its provenance (generator,
model, the width and height it was drawn at, seed); every creative records the background's
file and digest, which is that image output's `image_sha256`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contentgen.creatives.placements import Placement
from contentgen.errors import ValidationError
from contentgen.tasks.creative import CreativeRequest
from contentgen.tasks.image import ImageRequest
from contentgen.types import Result

if TYPE_CHECKING:
    from contentgen.engine import Engine

DIFFUSERS = "builtin:diffusers"
SIZE_MULTIPLE = 8


@dataclass(frozen=True)
class GeneratedBackground:
    """How creatives' backgrounds are generated: a prompt for a text-to-image generator."""

    prompt: str
    generator: str = DIFFUSERS
    longest_side: int = 768
    negative_prompt: str | None = "text, letters, watermark, logo"
    steps: int | None = None
    guidance: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            raise ValidationError("background_prompt", "must be a non-empty description")
        if not isinstance(self.longest_side, int) or not 64 <= self.longest_side <= 2048:
            raise ValidationError(
                "background_side", f"must be 64 to 2048 pixels, got {self.longest_side!r}"
            )


def _up(value: float) -> int:
    return max(SIZE_MULTIPLE, math.ceil(value / SIZE_MULTIPLE) * SIZE_MULTIPLE)


def background_size(found: Placement, longest_side: int) -> tuple[int, int]:
    """(width, height) to draw a background for `found` at: its aspect, in multiples of 8."""
    scale = min(1.0, longest_side / max(found.width, found.height))
    return _up(found.width * scale), _up(found.height * scale)


def background_requests(
    placements: list[Placement], spec: GeneratedBackground, seed: int | None
) -> dict[tuple[int, int], ImageRequest]:
    """One image request per distinct background size the placements need."""
    sizes = dict.fromkeys(background_size(p, spec.longest_side) for p in placements)
    return {
        size: ImageRequest(
            prompt=spec.prompt,
            count=1,
            width=size[0],
            height=size[1],
            negative_prompt=spec.negative_prompt,
            steps=spec.steps,
            guidance=spec.guidance,
            generator=spec.generator,
            seed=seed,
        )  # fmt: skip
        for size in sizes
    }


def plan_backgrounds(
    engine: Engine, request: CreativeRequest, spec: GeneratedBackground | None
) -> dict[tuple[int, int], ImageRequest]:
    """The background requests for `request`'s placements, each routed and checked now.

    Checking routes the request and asks its generator whether it can run as configured, so a
    diffusers generator without a model is a clear error before any copy is written.
    """
    if spec is None:
        return {}
    requests = background_requests(request.placement_list(), spec, request.seed)
    for image_request in requests.values():
        engine.prepare(image_request)
    return requests


def with_backgrounds(
    engine: Engine,
    request: CreativeRequest,
    asked: Mapping[tuple[int, int], ImageRequest],
    spec: GeneratedBackground | None,
) -> tuple[CreativeRequest, tuple[Result, ...]]:
    """The request with its generated backgrounds (as it is without a spec), and their results."""
    if spec is None:
        return request, ()
    files, results = generate_backgrounds(
        engine, request.placement_list(), asked, spec.longest_side
    )
    return dataclasses.replace(request, backgrounds=files), results


def generate_backgrounds(
    engine: Engine,
    placements: list[Placement],
    requests: Mapping[tuple[int, int], ImageRequest],
    longest_side: int,
) -> tuple[dict[str, str], tuple[Result, ...]]:
    """Draw the backgrounds: (placement name -> image file, the image results).

    A background the generator failed to make (or whose image the checks rejected) is an
    error naming why: a creative never silently goes without the background asked for.
    """
    needed = {background_size(p, longest_side) for p in placements}
    todo = {size: request for size, request in requests.items() if size in needed}
    results = engine.generate_many(list(todo.values())) if todo else []
    files: dict[tuple[int, int], str] = {}
    for size, result in zip(todo, results, strict=True):
        if not result.outputs or not result.outputs[0].image_path:
            why = "; ".join([*result.notes, *(o.reason or "" for o in result.rejected)])
            raise ValidationError(
                "background", f"no {size[0]}x{size[1]} background was made: {why or 'no image'}"
            )
        files[size] = str(engine.store.artifacts.path(result.outputs[0].image_path))
    by_placement = {p.name: files[background_size(p, longest_side)] for p in placements}
    return by_placement, tuple(results)
