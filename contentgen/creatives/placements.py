"""Ad placements: canvas sizes, platform safe zones, margins, copy limits and layout variants.

A placement is one standard ad size. Its `copy_channel` names the marketing channel whose field
limits its copy must meet (contentgen.checks.channels: `social_creative`, `display_creative`,
`banner_creative`); banners only 90 or 50 pixels tall take a headline and a call to action only.
`safe` is the platform's safe zone: the edges that text, buttons and logos must keep clear of
(Instagram and Facebook Stories cover the top and bottom ~14% with the profile bar and the reply
box); the product image may run under them. Placement sets are chosen with `--channel`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from contentgen.creatives.geometry import Box
from contentgen.errors import ValidationError

# Layout names: where the text goes relative to the product image ("over": on the image, on a scrim).
LAYOUTS: tuple[str, ...] = ("text_left", "text_right", "text_top", "text_bottom", "text_over")
# Colour schemes within the brand kit: "brand" sets the text on the primary colour, "light" on
# the kit's background colour.
SCHEMES: tuple[str, ...] = ("brand", "light")


@dataclass(frozen=True)
class Insets:
    """Pixels to keep clear on each edge."""

    top: int = 0
    right: int = 0
    bottom: int = 0
    left: int = 0


@dataclass(frozen=True)
class Placement:
    """One ad size: canvas, safe zone, margin, smallest legible text, copy channel and layouts."""

    name: str
    label: str
    width: int
    height: int
    copy_channel: str
    layouts: tuple[str, ...]
    margin: int
    min_text_px: int
    safe: Insets = Insets()
    text_share_limit: float | None = None  # social feeds demote image ads heavy with text
    border: bool = False  # IAB: a light display ad needs a visible border to tell it from the page

    @property
    def canvas(self) -> Box:
        """The whole creative."""
        return Box.of_size(self.width, self.height)

    @property
    def safe_box(self) -> Box:
        """The area text, buttons and logos must stay inside."""
        s = self.safe
        return self.canvas.inset(s.left, s.top, s.right, s.bottom)

    @property
    def banner(self) -> bool:
        """True for strips so flat that text runs in one row beside the image (728x90, 320x50)."""
        return self.width >= 3 * self.height

    def variants(self) -> list[str]:
        """Every layout variant, 'layout/scheme', ordered so that the first few differ most.

        The first `len(layouts)` variants use each layout once with the schemes alternating;
        the rest pair each layout with its other scheme.
        """
        n = len(self.layouts)
        return [
            f"{self.layouts[k % n]}/{SCHEMES[(k % n + k // n) % len(SCHEMES)]}"
            for k in range(n * len(SCHEMES))
        ]


def _placements(*found: Placement) -> Mapping[str, Placement]:
    return MappingProxyType({p.name: p for p in found})


SOCIAL_SHARE = 0.20  # the share of a social creative that text may cover
STORY_EDGE = 270  # ~14% of 1920: Stories' profile bar (top) and reply box (bottom)

PLACEMENTS: Mapping[str, Placement] = _placements(
    Placement(
        "1200x628", "Feed link ad (landscape)", 1200, 628, "social_creative",
        ("text_left", "text_right", "text_over"), margin=48, min_text_px=26,
        text_share_limit=SOCIAL_SHARE,
    ),
    Placement(
        "1080x1080", "Feed post (square)", 1080, 1080, "social_creative",
        ("text_bottom", "text_left", "text_over"), margin=54, min_text_px=30,
        text_share_limit=SOCIAL_SHARE,
    ),
    Placement(
        "1080x1920", "Stories and Reels (vertical)", 1080, 1920, "social_creative",
        ("text_bottom", "text_top", "text_over"), margin=64, min_text_px=34,
        safe=Insets(top=STORY_EDGE, bottom=STORY_EDGE), text_share_limit=SOCIAL_SHARE,
    ),
    Placement(
        "300x250", "Medium rectangle", 300, 250, "display_creative",
        ("text_bottom", "text_left", "text_over"), margin=12, min_text_px=11, border=True,
    ),
    Placement(
        "728x90", "Leaderboard", 728, 90, "banner_creative",
        ("text_right", "text_left"), margin=8, min_text_px=11, border=True,
    ),
    Placement(
        "160x600", "Wide skyscraper", 160, 600, "display_creative",
        ("text_top", "text_bottom", "text_over"), margin=10, min_text_px=11, border=True,
    ),
    Placement(
        "300x600", "Half page", 300, 600, "display_creative",
        ("text_top", "text_bottom", "text_over"), margin=14, min_text_px=12, border=True,
    ),
    Placement(
        "320x50", "Mobile leaderboard", 320, 50, "banner_creative",
        ("text_right", "text_left"), margin=4, min_text_px=10, border=True,
    ),
)  # fmt: skip

# --channel: named placement sets.
PLACEMENT_SETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "display": ("300x250", "728x90", "160x600", "300x600", "320x50"),
        "social": ("1200x628", "1080x1080", "1080x1920"),
        "all": tuple(PLACEMENTS),
    }
)


def placement(name: str) -> Placement:
    """The placement called `name` (e.g. '300x250'), or a ValidationError listing them."""
    found = PLACEMENTS.get(str(name).strip().lower())
    if found is None:
        raise ValidationError("placement", f"unknown placement {name!r}", PLACEMENTS)
    return found


def resolve(channel: str, names: Sequence[str] = ()) -> list[Placement]:
    """The placements of a request: those named (which need not be in the set), else the set's."""
    if channel not in PLACEMENT_SETS:
        raise ValidationError("channel", f"unknown placement set {channel!r}", PLACEMENT_SETS)
    chosen = list(dict.fromkeys(names)) if names else list(PLACEMENT_SETS[channel])
    return [placement(n) for n in chosen]


def check_variant(found: Placement, name: str) -> str:
    """A layout variant of `found`, completed to 'layout/scheme'; else an error naming the valid."""
    layout, _, scheme = name.strip().partition("/")
    scheme = scheme or SCHEMES[0]
    full = f"{layout}/{scheme}"
    if full not in found.variants():
        raise ValidationError(
            "layout",
            f"{name!r} is no layout of the {found.name} placement",
            [*found.layouts, *found.variants()],
        )
    return full
