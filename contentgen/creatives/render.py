"""One creative request's jobs drawn and checked: each a Candidate with its fields and problems.

The request resolves what to draw (`CreativeRequest.variables()["jobs"]`: placement, variant,
copy and where the copy came from); this module draws each job, runs the checks and packs the
result for the engine: the PNG, `meta["fields"]` (what is stored with the creative: placement,
layout, copy, fonts, brand-kit digest, measurements) and `meta["problems"]` (Problem records; a
creative with any is stored as rejected).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.checks.channels import CHANNELS
from contentgen.checks.problems import Problem, verdict
from contentgen.creatives.arrange import Copy
from contentgen.creatives.brand_visuals import VisualKit, load_visuals
from contentgen.creatives.checks import CHECK, check_creative
from contentgen.creatives.compose import Composition, compose
from contentgen.creatives.placements import Placement, placement
from contentgen.creatives.product_image import ProductImage, load_background, load_product_image
from contentgen.types import Candidate

if TYPE_CHECKING:
    from PIL.Image import Image

COPY_FIELDS = ("headline", "description", "cta")


def copy_problems(channel: str, copy: Mapping[str, str]) -> list[Problem]:
    """The copy fields over the placement's copy limits, or missing a required headline."""
    spec = CHANNELS[channel]
    found = []
    if not str(copy.get("headline") or "").strip():
        found.append(Problem(CHECK, "copy_missing", "headline", ""))
    for field in spec.fields:
        value = str(copy.get(field.name) or "")
        if len(value) > field.max_chars:
            found.append(
                Problem(
                    CHECK,
                    "copy_too_long",
                    field.name,
                    value[field.max_chars :],
                    field.max_chars,
                    field.max_chars,
                    len(value),
                )  # fmt: skip
            )
    return found


@dataclass(frozen=True)
class Background:
    """A background image and what is stored about it with each creative."""

    path: str
    sha256: str
    image: Image

    @classmethod
    def read(cls, path: str) -> Background:
        """Read the background file (its digest identifies a generated one's image output)."""
        data = Path(path).read_bytes()
        return cls(path, hashlib.sha256(data).hexdigest(), load_background(path))


def _background_fields(background: Background | None) -> dict[str, str]:
    if background is None:
        return {}
    return {
        "background_image": background.path,
        "background_sha256": background.sha256,
        "background_size": f"{background.image.width}x{background.image.height}",
    }


def text_share_limit(found: Placement, kit: VisualKit, override: float | None) -> float | None:
    """The placement's text-share limit: the generator option's, else the kit's, else its own."""
    if found.text_share_limit is None:
        return override
    for limit in (override, kit.text_share_limit):
        if limit is not None:
            return limit
    return found.text_share_limit


def _fields(c: Composition, job: Mapping[str, Any], kit: VisualKit, product: ProductImage | None,
            measures: Any) -> dict[str, str]:  # fmt: skip
    fields = {
        "placement": c.placement.name,
        "layout": c.variant,
        "width": str(c.placement.width),
        "height": str(c.placement.height),
        "copy_channel": str(job["copy_channel"]),
        "copy_output_id": str(job.get("copy_id") or ""),
        **{k: str(getattr(c.copy, k) or "") for k in COPY_FIELDS},
        **kit.facts(),
        "text_share": f"{measures.text_share:.4f}",
        "text_share_limit": "" if c.text_share_limit is None else str(c.text_share_limit),
        "contrast": " ".join(f"{k}={v}" for k, v in measures.contrast.items()),
    }
    if c.arrangement is not None:
        fields["font_sizes"] = " ".join(f"{k}={t.size}" for k, t in c.arrangement.texts.items())
    if c.logo_used:
        fields["logo_used"] = c.logo_used
    if c.scrim_opacity is not None:
        fields["scrim_opacity"] = str(c.scrim_opacity)
    if product is not None:
        fields |= {
            "product_image": product.source,
            "product_image_sha256": product.sha256,
            "subject_found_by": product.found_by,
        }
    return fields


def render_job(job: Mapping[str, Any], kit: VisualKit, product: ProductImage | None,
               share_override: float | None, background: Background | None = None
               ) -> Candidate:  # fmt: skip
    """Draw and check one job; the candidate carries the PNG, its fields and its problems."""
    found = placement(str(job["placement"]))
    raw = dict(job.get("copy") or {})
    copy = Copy(
        str(raw.get("headline") or ""),
        str(raw.get("description") or "") or None,
        str(raw.get("cta") or "") or None,
        tuple(str(k) for k in job.get("keep") or ()),
    )
    problems = copy_problems(str(job["copy_channel"]), raw)
    limit = text_share_limit(found, kit, share_override)
    c = compose(found, str(job["variant"]), copy, kit, product, limit,
                background.image if background else None)  # fmt: skip
    if c.misfit is not None:
        problems.append(
            Problem(CHECK, "text_does_not_fit", c.misfit.field, c.misfit.text, c.misfit.min_size)
        )
    checked, measures = check_creative(c)
    problems += checked
    buffer = io.BytesIO()
    c.image.save(buffer, format="PNG", optimize=True)
    return Candidate(
        image_png=buffer.getvalue(),
        meta={
            "fields": _fields(c, job, kit, product, measures) | _background_fields(background),
            "evaluations": [
                verdict(
                    CHECK,
                    problems,
                    contrast=measures.contrast,
                    text_share=measures.text_share,
                    text_share_limit=limit,
                )
            ],
            "width": found.width,
            "height": found.height,
        },
    )


def render_request(data: Mapping[str, Any], n: int, *, default_kit: str | None = None,
                   share_override: float | None = None) -> list[Candidate]:  # fmt: skip
    """The first `n` jobs of one creative request drawn and checked (see the module docstring)."""
    jobs: Sequence[Mapping[str, Any]] = list(data.get("jobs") or ())[:n]
    kit = load_visuals(str(data.get("brand_kit") or "") or default_kit)
    image = str(data.get("image") or "")
    product = load_product_image(image) if image else None
    backgrounds = {
        p: Background.read(p) for p in {str(j.get("background") or "") for j in jobs} if p
    }
    return [
        render_job(job, kit, product, share_override, backgrounds.get(str(job.get("background"))))
        for job in jobs
    ]
