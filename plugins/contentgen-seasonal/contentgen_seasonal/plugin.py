"""Hook implementations: one generator and one template folder."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from contentgen import Candidate, Generator, ModelInfo, Prompt, Task, hookimpl
from contentgen.checks.channels import CHANNELS

Season = Literal["winter", "spring", "summer", "autumn"]
PHRASES: dict[str, tuple[str, ...]] = {
    "winter": ("Cosy up with", "Warm days ahead with", "Winter-ready:"),
    "spring": ("Fresh for spring:", "Step into spring with", "New season, new"),
    "summer": ("Summer essential:", "Sun's out, time for", "Made for long days:"),
    "autumn": ("Autumn favourite:", "Layer up with", "Crisp days call for"),
}


class PhrasebookOptions(BaseModel):
    """The options of seasonal:phrasebook (contentgen.toml `[generators."seasonal:phrasebook"]`)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    season: Season = Field("winter", description="the season whose phrases are used")
    batch_size: int = Field(128, ge=1, description="prompts per generate() call")


class PhrasebookGenerator(Generator):
    """Seasonal campaign copy from a curated phrasebook: fast, on-brand, no model needed."""

    id: ClassVar[str] = "seasonal:phrasebook"
    version: ClassVar[str] = "0.2.0"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.MARKETING})
    Options = PhrasebookOptions
    settings: PhrasebookOptions
    # `--param season=summer` overrides the configured season for one request.
    extra_params: ClassVar[dict[str, Any]] = {"season": Season}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """One phrase per variant, picked by seed, fitted to the channel's fields."""
        return [[self._one(p, i) for i in range(p.n)] for p in prompts]

    def _one(self, prompt: Prompt, index: int) -> Candidate:
        season = str(prompt.params.get("season", self.settings.season))
        if season not in PHRASES:
            from contentgen import ValidationError

            raise ValidationError("params.season", f"unknown season {season!r}", get_args(Season))
        phrases = PHRASES[season]
        # Variants of one prompt take different phrases: two variants with the same words are one.
        pick = (hashlib.sha256(f"{prompt.seed}".encode()).digest()[0] + index) % len(phrases)
        product = prompt.data.get("product", {})
        name = str(product.get("name", "our bestseller"))
        price = product.get("price_eur") or product.get("price")
        benefits = product.get("benefits") or {}
        benefit = str(next(iter(benefits.values()), "")) if isinstance(benefits, dict) else ""
        spec = CHANNELS[str(prompt.data.get("channel", "sms"))]
        if len(spec.fields) == 1:
            said = f": {benefit}" if benefit else ""
            text = f"{phrases[pick]} {name}{said}" + (f", for {price} EUR." if price else ".")
        else:
            # A headline names the product; the fields after it say what it does and costs,
            # without the name again (a reader takes a title and its body as one).
            head = f"{phrases[pick]} {name}"
            first, *rest = spec.fields
            head = head if len(head) <= first.max_chars else name[: first.max_chars]
            body = (f"{benefit[:1].upper()}{benefit[1:]}. " if benefit else "") + (
                f"Yours for {price} EUR. Take a look." if price else "Have a look at it today."
            )
            said = {f.name: body for f in rest}
            if "body" in said and "preheader" in said:  # an email: its body stands on its own
                said["preheader"] = f"{head}: take a look inside."
                said["body"] = f"{head}. {body} Order yours today."
            text = "\n".join(
                [
                    f"{first.title}: {head}",
                    *(f"{f.title}: {said[f.name][: f.max_chars]}" for f in rest),
                ]
            )
        return Candidate(text=text, meta={"season": season})

    def model_info(self) -> ModelInfo:
        """A phrasebook, versioned with the plugin."""
        return ModelInfo(model_id="seasonal-phrasebook", revision=self.version, backend="rules")


@hookimpl
def register_generators(register: Callable[[type[Generator]], None]) -> None:
    """Add the phrasebook generator."""
    register(PhrasebookGenerator)


@hookimpl
def register_template_dirs(register: Callable[[Path], None]) -> None:
    """Add this plugin's templates (marketing/seasonal_sms)."""
    register(Path(__file__).parent / "templates")
