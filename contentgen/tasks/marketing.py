"""The marketing task: ad copy, posts, emails, SMS, push notifications and product descriptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from contentgen.checks.channels import CHANNELS, ChannelSpec
from contentgen.config import Route
from contentgen.errors import ValidationError
from contentgen.tasks.brief_suggestions import SUGGESTION_SOURCES, with_suggestions
from contentgen.tasks.spec import RowSpec, TaskSpec
from contentgen.types import (
    MAX_VARIANTS,
    TONES,
    BaseRequest,
    Task,
    frozen_mapping,
    is_blank,
    require_int,
    require_text,
)

NAME = Task.MARKETING


@dataclass(frozen=True, kw_only=True)
class MarketingRequest(BaseRequest):
    """Ad copy, social posts, emails or product descriptions for one product."""

    task: ClassVar[Task] = NAME
    product: Mapping[str, Any] = field(
        metadata={
            "help": "A product fact (repeat).",
            "json_help": "All product facts as a JSON object.",
        }
    )
    channel: str = field(default="search_ad", metadata={"help": ", ".join(CHANNELS) + "."})
    audience: str | None = field(default=None, metadata={"help": "Who the copy is for."})
    tone: str = field(default="friendly", metadata={"choices": TONES})
    variants: int = field(default=3, metadata={"help": "How many variants to write."})
    suggestions: str = field(
        default="lexicon",
        metadata={
            "choices": SUGGESTION_SOURCES,
            "help": "Fill in the benefits and the use (made_for) a brief does not state from "
            "the project's lexicons, or off.",
        },
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "product", frozen_mapping(self.product, "product"))
        if not self.product:
            raise ValidationError("product", "must contain at least one fact, e.g. {'name': ...}")
        if not any(k in self.product for k in ("name", "title")):
            raise ValidationError(
                "product", "needs a 'name' (or 'title') fact", sorted(self.product)
            )
        for key in ("name", "title"):
            if key in self.product and is_blank(self.product[key]):
                raise ValidationError(f"product.{key}", "must not be empty")
        from contentgen.safety.untrusted import check_product_name

        check_product_name(self.product)  # a 5,400-character "name" made an ad for another product
        if not isinstance(self.channel, str) or self.channel not in CHANNELS:
            raise ValidationError("channel", f"unknown channel {self.channel!r}", CHANNELS)
        if self.tone not in TONES:
            raise ValidationError("tone", f"unknown tone {self.tone!r}", TONES)
        if self.audience is not None:
            require_text(self.audience, "audience", max_chars=500)
        require_int(self.variants, "variants", 1, MAX_VARIANTS)
        if self.suggestions not in SUGGESTION_SOURCES:
            raise ValidationError(
                "suggestions", f"unknown source {self.suggestions!r}", SUGGESTION_SOURCES
            )
        if self.suggestions == "lexicon":
            suggested = with_suggestions(self.product, self.audience)
            object.__setattr__(self, "product", frozen_mapping(suggested, "product"))

    @property
    def n(self) -> int:
        """How many variants the request asks for."""
        return self.variants

    def variables(self) -> dict[str, Any]:
        """Template variables: product facts, audience, channel, tone and the channel's limits."""
        return {
            "product": dict(self.product),
            "audience": self.audience or "general shoppers",
            "channel": self.channel,
            "tone": self.tone,
            "variants": self.variants,
            "spec": CHANNELS[self.channel].as_template_vars(),
        }


def _template(request: MarketingRequest) -> str:
    return f"marketing/{request.channel}"


def _channel(request: MarketingRequest) -> ChannelSpec:
    return CHANNELS[request.channel]


SPEC = TaskSpec(
    name=NAME,
    request_type=MarketingRequest,
    description="Ad copy, social posts, emails, SMS, push notifications or product descriptions.",
    default_route=Route("builtin:transformers", params={"temperature": 0.8, "max_new_tokens": 80}),
    example={"product": {"name": "Trail Runner Pro", "price": "89 EUR"}},
    default_template=_template,
    variant_field="variants",
    fact_fields=("product", "audience"),
    output_spec=_channel,
    row_mapping=RowSpec(
        fields=("audience", "tone", "suggestions"),
        nested="product",
        rest_to_nested=True,
        required=("product.name", "product.title"),
    ),
)
