"""The creative task: ad creatives (banners) for standard placements, composed by builtin:composer.

A request names a product, its image, the placements (a `channel` set, or some `placements`)
and the copy: either its own `headline`/`description`/`cta` (used on every placement, within
each placement's copy limits) or, per copy channel, the accepted marketing copy in `copy`
(`contentgen.creatives.make_creatives` writes that first, through the marketing task).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from contentgen.checks.channels import CHANNELS
from contentgen.config import Route
from contentgen.creatives.placements import (
    PLACEMENT_SETS,
    PLACEMENTS,
    Placement,
    check_variant,
    resolve,
)
from contentgen.errors import ConfigError, ValidationError
from contentgen.tasks.spec import CliOption, RowSpec, TaskSpec
from contentgen.types import (
    MAX_IMAGES,
    TONES,
    BaseRequest,
    Task,
    frozen_mapping,
    is_blank,
    require_int,
    require_text,
)

NAME = Task("creative")
COPY_FIELDS = ("headline", "description", "cta")
COPY_CHANNELS = tuple(sorted({p.copy_channel for p in PLACEMENTS.values()}))
MAX_COPY_CHARS = 300
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def _placement_names(value: object) -> tuple[str, ...]:
    """'300x250, 728x90' (a CSV cell), or a list of names, as a tuple of placement names."""
    if value is None:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(i, str) for i in items):
        raise ValidationError("placements", f"must be placement names, got {value!r}")
    names = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    unknown = [n for n in names if n not in PLACEMENTS]
    if unknown:
        raise ValidationError("placements", f"unknown placement {unknown[0]!r}", PLACEMENTS)
    return names


def _check_image_name(value: object, name: str) -> None:
    if not require_text(value, name, max_chars=4096).lower().endswith(IMAGE_SUFFIXES):
        raise ValidationError(name, f"{value!r} is no PNG/JPEG/WebP file name", IMAGE_SUFFIXES)


def _background_table(value: Mapping[str, Any]) -> Mapping[str, str]:
    """The `backgrounds` field: placement name -> image file."""
    table = frozen_mapping(value, "backgrounds")
    for name, path in table.items():
        if name not in PLACEMENTS:
            raise ValidationError("backgrounds", f"unknown placement {name!r}", PLACEMENTS)
        _check_image_name(path, f"backgrounds.{name}")
    return table


def _copy_table(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """The `copy` field: copy channel -> {headline, description, cta, output_id} as plain dicts."""
    table = frozen_mapping(value, "copy")
    keys = (*COPY_FIELDS, "output_id")
    for channel, fields in table.items():
        if channel not in COPY_CHANNELS:
            raise ValidationError("copy", f"unknown copy channel {channel!r}", COPY_CHANNELS)
        if not isinstance(fields, Mapping) or not all(
            k in keys and isinstance(v, str) for k, v in fields.items()
        ):
            raise ValidationError(f"copy.{channel}", "must map field names to text", keys)
    return frozen_mapping({k: dict(v) for k, v in table.items()}, "copy")


@dataclass(frozen=True, kw_only=True)
class CreativeRequest(BaseRequest):
    """Ad creatives for one product in every placement of a channel (or the ones named)."""

    task: ClassVar[Task] = NAME
    product: Mapping[str, Any] = field(
        metadata={"help": "A product fact (repeat).", "json_help": "All product facts as JSON."}
    )
    image: str | None = field(
        default=None,
        metadata={"help": "The product image: a transparent PNG cut-out or a photo (PNG/JPEG)."},
    )
    channel: str = field(
        default="display",
        metadata={
            "choices": tuple(PLACEMENT_SETS),
            "help": "Placement set: IAB display sizes, social feed and story sizes, or all.",
        },  # fmt: skip
    )
    placements: tuple[str, ...] = field(
        default=(),
        metadata={"cli": "--placement", "help": "A placement, e.g. 300x250 (repeat; default: "
                  "the channel's placements)."},
    )  # fmt: skip
    layout: str | None = field(
        default=None,
        metadata={"help": "One layout (text_left, text_right, text_top, text_bottom, text_over; "
                  "add /light or /brand for the colour scheme); default: the first variants."},
    )  # fmt: skip
    variants: int = field(default=3, metadata={"help": "Layout variants per placement."})
    headline: str | None = field(
        default=None, metadata={"help": "The headline (skips writing copy)."}
    )
    description: str | None = field(default=None, metadata={"help": "A short description line."})
    cta: str | None = field(default=None, metadata={"help": "The button's call to action."})
    audience: str | None = field(default=None, metadata={"help": "Who written copy is for."})
    tone: str = field(default="friendly", metadata={"choices": TONES})
    copy: Mapping[str, Any] = field(
        default_factory=dict,
        metadata={"help": "Written copy per copy channel (use --copy-json).",
                  "json_help": 'Written copy per copy channel: {"display_creative": '
                  '{"headline": ..., "description": ..., "cta": ..., "output_id": ...}}.'},
    )  # fmt: skip
    brand_kit: str | None = field(
        default=None, metadata={"help": "Brand kit TOML (default: the configured brand_kit)."}
    )
    background: str | None = field(
        default=None,
        metadata={"help": "An image for the image panel and under text_over layouts, behind a "
                  "cut-out product (PNG/JPEG/WebP; cover-cropped to each placement)."},
    )  # fmt: skip
    backgrounds: Mapping[str, str] = field(
        default_factory=dict,
        metadata={"cli": None, "help": "A background per placement (placement -> image file); "
                  "make_creatives fills it with generated backgrounds."},
    )  # fmt: skip

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "product", frozen_mapping(self.product, "product"))
        if not any(k in self.product and not is_blank(self.product[k]) for k in ("name", "title")):
            raise ValidationError(
                "product", "needs a 'name' (or 'title') fact", sorted(self.product)
            )
        from contentgen.safety.untrusted import check_product_name

        check_product_name(self.product)
        if self.image is not None:
            _check_image_name(self.image, "image")
        if not isinstance(self.channel, str) or self.channel not in PLACEMENT_SETS:
            raise ValidationError("channel", f"unknown placement set {self.channel!r}",
                                  PLACEMENT_SETS)  # fmt: skip
        object.__setattr__(self, "placements", _placement_names(self.placements))
        require_int(self.variants, "variants", 1, 6)
        for name in (*COPY_FIELDS, "audience", "brand_kit", "layout"):
            if getattr(self, name) is not None:
                require_text(getattr(self, name), name, max_chars=MAX_COPY_CHARS)
        if self.tone not in TONES:
            raise ValidationError("tone", f"unknown tone {self.tone!r}", TONES)
        object.__setattr__(self, "copy", _copy_table(self.copy))
        object.__setattr__(self, "backgrounds", _background_table(self.backgrounds))
        if self.background is not None:
            _check_image_name(self.background, "background")
        if self.layout is not None:
            for found in self.placement_list():
                check_variant(found, self.layout)
        require_int(len(self.jobs()), "creatives (placements x variants)", 1, MAX_IMAGES)

    @property
    def product_name(self) -> str:
        """The product's name (or title)."""
        return str(self.product.get("name") or self.product.get("title"))

    def placement_list(self) -> list[Placement]:
        """The placements this request makes creatives for."""
        return resolve(self.channel, self.placements)

    def copy_for(self, found: Placement) -> dict[str, str]:
        """The copy for one placement: its channel's written copy, else the request's own."""
        given = self.copy.get(found.copy_channel) or {k: getattr(self, k) for k in COPY_FIELDS}
        names = [f.name for f in CHANNELS[found.copy_channel].fields]
        return {k: str(given[k]) for k in names if given.get(k)}

    def jobs(self) -> list[dict[str, Any]]:
        """One job per creative: placement, 'layout/scheme', copy and where the copy came from."""
        out = []
        for found in self.placement_list():
            variants = (
                [check_variant(found, self.layout)]
                if self.layout
                else found.variants()[: self.variants]
            )
            for variant in variants:
                out.append(
                    {
                        "placement": found.name,
                        "variant": variant,
                        "copy_channel": found.copy_channel,
                        "copy": self.copy_for(found),
                        "copy_id": str(
                            (self.copy.get(found.copy_channel) or {}).get("output_id") or ""
                        ),
                        "background": self.backgrounds.get(found.name) or self.background or "",
                        "keep": [
                            self.product_name
                        ],  # line breaks avoid splitting the product's name
                    }
                )
        return out

    @property
    def n(self) -> int:
        """How many creatives the request asks for (placements x layout variants)."""
        return len(self.jobs())

    def variables(self) -> dict[str, Any]:
        """The composer's data: product, image, brand kit and the jobs; `prompt` summarises."""
        sizes = ", ".join(p.name for p in self.placement_list())
        return {
            "prompt": f"Ad creatives for {self.product_name}: {sizes}",
            "product": dict(self.product),
            "image": self.image or "",
            "brand_kit": self.brand_kit or "",
            "jobs": self.jobs(),
        }


def check_plan(request: CreativeRequest, plan: Any, registry: Any) -> Any:
    """Before anything is drawn: copy for every placement, a readable image and brand kit.

    Composition is deterministic, so the plan's temperature is 0: a rejected creative is not
    drawn again the same way.
    """
    missing = [p.name for p in request.placement_list() if not request.copy_for(p).get("headline")]
    if missing:
        raise ValidationError(
            "headline",
            f"no copy for {', '.join(missing)}: give a headline (and description, cta), "
            "or let `contentgen generate creative` (contentgen.creatives.make_creatives) "
            "write it first",
        )
    check_files(request)
    return dataclasses.replace(plan, params={**plan.params, "temperature": 0})


def check_files(request: CreativeRequest) -> None:
    """Pillow is there, the image reads as an image and the brand kit as a kit (before any work)."""
    import importlib.util

    if not all(importlib.util.find_spec(m) for m in ("PIL", "numpy")):
        raise ConfigError(
            "creatives are drawn with Pillow and measured with numpy: "
            "pip install 'contentgen[creatives]'"
        )
    if request.image:
        from contentgen.creatives.product_image import load_product_image

        load_product_image(request.image)
    for path in sorted({request.background or "", *request.backgrounds.values()} - {""}):
        from contentgen.creatives.product_image import load_background

        load_background(str(path))
    if request.brand_kit:
        from contentgen.creatives.brand_visuals import load_visuals

        load_visuals(request.brand_kit)


def write_contact_sheet(path: Any, result: Any) -> str | None:
    """--contact-sheet: every accepted creative, at a readable size and labelled."""
    from contentgen.creatives.sheet import write_sheet

    return write_sheet(path, result.outputs)


SPEC = TaskSpec(
    name=NAME,
    request_type=CreativeRequest,
    description="Ad creatives for standard placements from a product image, copy and the "
    "brand kit (copy is written first unless given).",
    default_route=Route("builtin:composer", params={"temperature": 0}),
    example={
        "product": {"name": "Trail Runner Pro"},
        "headline": "Trail Runner Pro",
        "cta": "Shop now",
        "placements": "300x250",
    },  # fmt: skip
    modality="image",
    variant_field="variants",
    fact_fields=("product",),
    row_mapping=RowSpec(
        fields=(
            "image",
            "channel",
            "placements",
            "layout",
            *COPY_FIELDS,
            "audience",
            "tone",
            "brand_kit",
            "background",
        ),  # fmt: skip
        nested="product",
        rest_to_nested=True,
        required=("product.name", "product.title"),
    ),
    plan_check=check_plan,
    cli_extras=(
        CliOption(
            "--contact-sheet",
            "Also write a contact sheet of the creatives (PNG).",
            kind="output_file",
            after=write_contact_sheet,
        ),
    ),
)
