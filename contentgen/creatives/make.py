"""Creatives in two steps through the public Engine API: write the copy, then compose.

Step one asks the marketing task for copy in each copy channel the placements need
(`social_creative`, `display_creative`, `banner_creative`), so the copy passes every check copy
passes; step two asks the creative task for the creatives with the first accepted copy of each
channel, its output id kept with every creative. Copy given by the caller skips step one. With
a `GeneratedBackground`, the backgrounds are drawn by an image generator between the two steps
(and checked before the first). Example::

    from contentgen import Engine
    from contentgen.creatives import make_creatives

    with Engine.from_config() as engine:
        made = make_creatives(engine, product={"name": "Trail Runner X", "price": "89 EUR"},
                              image="examples/photos/SKU-1001.png", channel="display")
        for creative in made.outputs:
            print(creative.fields["placement"], creative.image_path)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.creatives.backgrounds import GeneratedBackground, plan_backgrounds, with_backgrounds
from contentgen.tasks.creative import CreativeRequest, check_files
from contentgen.tasks.marketing import MarketingRequest
from contentgen.types import Output, Result

if TYPE_CHECKING:
    from contentgen.engine import Engine


@dataclass(frozen=True)
class Creatives:
    """What `make_creatives` produced: the copy step's results and the creatives'."""

    copy: tuple[Result, ...]  # one marketing result per copy channel (none when copy was given)
    result: Result | None  # the creatives (None when no copy passed the checks)
    without_copy: tuple[str, ...] = ()  # placements left out: none of their copy passed
    backgrounds: tuple[Result, ...] = ()  # the generated backgrounds' image results

    @property
    def outputs(self) -> tuple[Output, ...]:
        """The accepted creatives."""
        return self.result.outputs if self.result is not None else ()

    @property
    def rejected(self) -> tuple[Output, ...]:
        """The creatives the checks rejected (with their reasons)."""
        return self.result.rejected if self.result is not None else ()


def copy_requests(request: CreativeRequest, *, variants: int = 3,
                  generator: str | None = None) -> list[MarketingRequest]:  # fmt: skip
    """One marketing request per copy channel the request's placements need, in order."""
    channels = list(dict.fromkeys(p.copy_channel for p in request.placement_list()))
    return [
        MarketingRequest(
            product=request.product,
            channel=channel,
            audience=request.audience,
            tone=request.tone,
            variants=variants,
            seed=request.seed,
            generator=generator,
        )
        for channel in channels
    ]


def with_copy(request: CreativeRequest, copy: Mapping[str, Output]) -> CreativeRequest:
    """The request with the written copy, limited to the placements that have some."""
    kept = [p.name for p in request.placement_list() if p.copy_channel in copy]
    table = {ch: {**dict(o.fields), "output_id": o.id} for ch, o in copy.items()}
    return dataclasses.replace(request, copy=table, placements=tuple(kept))


def write_copy(engine: Engine, requests: Sequence[CreativeRequest], *, variants: int = 3,
               generator: str | None = None) -> list[tuple[CreativeRequest, tuple[Result, ...]]]:  # fmt: skip
    """Each request completed with copy from the marketing task (one model pass for all).

    A request that has its own headline is returned as it is. One whose copy channels all
    failed is returned without copy (composing it is then an error naming the missing copy).
    """
    asked = [
        (i, copy_requests(r, variants=variants, generator=generator))
        for i, r in enumerate(requests)
        if r.headline is None and not r.copy
    ]
    flat = [q for _, qs in asked for q in qs]
    results = iter(engine.generate_many(flat) if flat else [])
    done: list[tuple[CreativeRequest, tuple[Result, ...]]] = [(r, ()) for r in requests]
    for i, qs in asked:
        found = [(q, next(results)) for q in qs]
        accepted = {q.channel: res.outputs[0] for q, res in found if res.outputs}
        completed = with_copy(requests[i], accepted) if accepted else requests[i]
        done[i] = (completed, tuple(res for _, res in found))
    return done


def complete_copy(engine: Engine, requests: Sequence[Any]) -> list[Any]:
    """Creative requests without copy given copy written first (others pass through as they are).

    The shape of a task hook that completes a window of requests before they are prepared, so
    that `contentgen batch --task creative` could write missing copy too (see the README).
    """
    creative = [(i, r) for i, r in enumerate(requests) if isinstance(r, CreativeRequest)]
    done = write_copy(engine, [r for _, r in creative])
    out = list(requests)
    for (i, _), (completed, _) in zip(creative, done, strict=True):
        out[i] = completed
    return out


def make_creatives(
    engine: Engine,
    *,
    product: Mapping[str, Any],
    image: str | Path | None = None,
    channel: str = "display",
    placements: Sequence[str] = (),
    layout: str | None = None,
    variants: int = 3,
    headline: str | None = None,
    description: str | None = None,
    cta: str | None = None,
    audience: str | None = None,
    tone: str = "friendly",
    brand_kit: str | Path | None = None,
    background: str | Path | GeneratedBackground | None = None,
    seed: int | None = None,
    generator: str | None = None,
    copy_generator: str | None = None,
    copy_variants: int = 3,
    params: Mapping[str, Any] | None = None,
    contact_sheet: str | Path | None = None,
) -> Creatives:
    """Ad creatives for one product in every placement of `channel` (or those named).

    Without a `headline`, the copy is written first through the marketing task (with
    `copy_generator`, else the marketing route), one request of `copy_variants` variants per
    copy channel the placements need; each creative shows its channel's first accepted copy.
    `brand_kit` defaults to the engine's. `background`: an image file, or a
    `GeneratedBackground` drawn per placement shape by an image generator. Every input is
    checked before any model loads. `contact_sheet` writes a PNG of the accepted creatives.
    """
    kit = brand_kit if brand_kit is not None else engine.settings.brand_kit
    generated = background if isinstance(background, GeneratedBackground) else None
    request = CreativeRequest(
        product=product, image=str(image) if image is not None else None, channel=channel,
        placements=tuple(placements), layout=layout, variants=variants, headline=headline,
        description=description, cta=cta, audience=audience, tone=tone,
        brand_kit=str(kit) if kit is not None else None, seed=seed, generator=generator,
        background=str(background) if background is not None and not generated else None,
        params=dict(params or {}),
    )  # fmt: skip
    check_files(request)
    asked = plan_backgrounds(engine, request, generated)
    [(completed, copy)] = write_copy(
        engine, [request], variants=copy_variants, generator=copy_generator
    )
    wanted = [p.name for p in request.placement_list()]
    if request.headline is None and not completed.copy:
        return Creatives(copy, None, tuple(wanted))
    completed, drawn = with_backgrounds(engine, completed, asked, generated)
    result = engine.generate(completed)
    left_out = tuple(n for n in wanted if n not in {p.name for p in completed.placement_list()})
    made = Creatives(copy, result, left_out, drawn)
    if contact_sheet is not None:
        write_contact_sheet(engine, made.outputs, contact_sheet)
    return made


def write_contact_sheet(engine: Engine, outputs: Sequence[Output], path: str | Path) -> str | None:
    """Write a contact sheet of stored creatives (their artifact paths resolved)."""
    from contentgen.creatives.sheet import write_sheet

    located = [
        dataclasses.replace(o, image_path=str(engine.store.artifacts.path(o.image_path)))
        for o in outputs
        if o.image_path
    ]
    return write_sheet(path, located)
