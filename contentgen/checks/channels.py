"""Channel specifications: the fields each marketing channel has, their limits, parsing and repair."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from contentgen.checks.problems import Problem

CHECK = "channel"  # the check name on channel problems (the channel evaluator's too)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a channel's output, e.g. a search-ad headline of at most 30 characters."""

    name: str
    max_chars: int
    min_chars: int = 1
    label: str = ""

    @property
    def title(self) -> str:
        """The label the model is asked to write before the field."""
        return self.label or self.name.replace("_", " ").title()


@dataclass(frozen=True)
class ChannelSpec:
    """A marketing channel: its fields (in order) and what it is for."""

    name: str
    fields: tuple[FieldSpec, ...]
    description: str

    def field(self, name: str) -> FieldSpec:
        """The field called `name`."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def as_template_vars(self) -> dict[str, Any]:
        """The limits as plain data for templates: {'headline': {'max_chars': 30, 'label': ...}}."""
        return {
            "name": self.name,
            "description": self.description,
            "fields": [
                {
                    "name": f.name,
                    "label": f.title,
                    "max_chars": f.max_chars,
                    "min_chars": f.min_chars,
                }
                for f in self.fields
            ],
            **{f.name: {"max_chars": f.max_chars, "label": f.title} for f in self.fields},
        }

    def parse(self, text: str) -> dict[str, str]:
        """Split a model's answer into this channel's fields ('Headline: ...' lines)."""
        return parse_fields(text, self.fields)

    def problems(self, fields: Mapping[str, str]) -> list[Problem]:
        """Every way `fields` breaks this spec (empty when it complies).

        Kinds: "missing", "too_long" (evidence: the characters past the limit, `end` the
        length), "too_short" (evidence: the value); `limit` is the bound that was broken.
        """
        found: list[Problem] = []
        for spec in self.fields:
            value = fields.get(spec.name, "")
            if not value.strip():
                found.append(Problem(CHECK, "missing", spec.name, ""))
            elif len(value) > spec.max_chars:
                found.append(
                    Problem(
                        CHECK,
                        "too_long",
                        spec.name,
                        value[spec.max_chars :],
                        limit=spec.max_chars,
                        start=spec.max_chars,
                        end=len(value),
                    )
                )
            elif len(value) < spec.min_chars:
                found.append(
                    Problem(CHECK, "too_short", spec.name, value, spec.min_chars, 0, len(value))
                )
        return found

    def shorten(self, fields: Mapping[str, str]) -> dict[str, str]:
        """Bring over-long fields under their limits without cutting a word in half."""
        return {
            name: shorten_text(value, self.field(name).max_chars) if name in self._names else value
            for name, value in fields.items()
        }

    def render(self, fields: Mapping[str, str]) -> str:
        """The fields as one text, one 'Label: value' line per field (one field: the value alone)."""
        if len(self.fields) == 1:
            return fields.get(self.fields[0].name, "")
        return "\n".join(f"{f.title}: {fields.get(f.name, '')}" for f in self.fields)

    @property
    def _names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


_WRAPPING = "\"'“”‘’`*_ "


# A last field at least this long (an email body) may run over several lines and paragraphs.
MULTILINE_CHARS = 400
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _clean(value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip().strip("*_ ")
    while len(value) >= 2 and value[0] in _WRAPPING and value[-1] in _WRAPPING:
        value = value[1:-1].strip()
    return value.strip("*_ ").strip()


def parse_fields(text: str, fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    """Parse 'Label: value' lines; a one-field channel takes the whole answer."""
    if len(fields) == 1:
        only = fields[0]
        body = re.sub(
            rf"^\s*[*_#]*\s*{re.escape(only.title)}\s*[*_]*\s*[:\-–]\s*", "", text, flags=re.I
        )
        return {
            only.name: (clean_paragraphs if only.max_chars >= MULTILINE_CHARS else _clean)(body)
        }
    labels = {f.title.lower(): f.name for f in fields} | {f.name.lower(): f.name for f in fields}
    pattern = re.compile(
        r"^\s*(?:[-*#\d.)]+\s*)?[*_]*\s*("
        + "|".join(re.escape(k) for k in labels)
        + r")\s*[*_]*\s*"
        r"(?:\(\d+[^)]*\))?\s*[:\-–]\s*[*_]*\s*(.*)$",
        re.I,
    )
    parsed: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            current = labels[match.group(1).lower()]
            if current in parsed:  # a second variant started: keep the first complete one
                break
            parsed[current] = match.group(2)
        elif current is not None and fields[-1].name == current:
            parsed[current] += "\n" + line  # the last field runs on, paragraphs and all
    long_form = fields[-1].name if fields[-1].max_chars >= MULTILINE_CHARS else None
    return {
        name: (clean_paragraphs if name == long_form else _clean)(value)
        for name, value in parsed.items()
    }


def clean_paragraphs(value: str) -> str:
    """A multi-line value with each paragraph's spaces collapsed and one blank line between."""
    paragraphs = (_clean(p) for p in PARAGRAPH_BREAK.split(value.strip()))
    return "\n\n".join(p for p in paragraphs if p)


def shorten_text(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters at a sentence, clause or word boundary."""
    text = text.strip()
    if len(text) <= limit:
        return text
    for boundary in (r"(?<=[.!?])\s", r"\s[-–—|]\s|[,;:]\s", r"\s"):
        cut = [m.start() for m in re.finditer(boundary, text) if m.start() <= limit]
        if cut and cut[-1] >= limit // 2:
            return text[: cut[-1]].rstrip(" ,;:-–—|")
    return text[:limit].rstrip()


def _channels(*specs: ChannelSpec) -> Mapping[str, ChannelSpec]:
    return MappingProxyType({spec.name: spec for spec in specs})


CHANNELS: Mapping[str, ChannelSpec] = _channels(
    ChannelSpec(
        "search_ad",
        (FieldSpec("headline", 30, 5), FieldSpec("description", 90, 20)),
        "A search-engine text ad: one short headline and one description line.",
    ),
    ChannelSpec(
        "social_post",
        (FieldSpec("post", 280, 20),),
        "A social media post of at most 280 characters, hashtags included.",
    ),
    ChannelSpec(
        "email",
        (FieldSpec("subject", 60, 5), FieldSpec("preheader", 100, 10), FieldSpec("body", 1500, 40)),
        "A marketing email: subject line, preheader (inbox preview) and body.",
    ),
    ChannelSpec("sms", (FieldSpec("text", 160, 10, "SMS"),), "A promotional text message."),
    ChannelSpec(
        "push",
        (FieldSpec("title", 50, 5), FieldSpec("body", 120, 10)),
        "A mobile push notification: title and body.",
    ),
    ChannelSpec(
        "product_description",
        (FieldSpec("description", 1000, 80),),
        "A product-page description of a few sentences.",
    ),
    # The words on image ads (contentgen.creatives.placements names each placement's channel).
    ChannelSpec(
        "social_creative",
        (
            FieldSpec("headline", 40, 5),
            FieldSpec("description", 90, 15),
            FieldSpec("cta", 20, 3, "Call to action"),
        ),
        "The words on a social image ad (1200x628, 1080x1080, 1080x1920): headline, one "
        "short line and a button label.",
    ),
    ChannelSpec(
        "display_creative",
        (
            FieldSpec("headline", 30, 5),
            FieldSpec("description", 60, 15),
            FieldSpec("cta", 15, 3, "Call to action"),
        ),
        "The words on a display ad (300x250, 160x600, 300x600): headline, one short line and "
        "a button label.",
    ),
    ChannelSpec(
        "banner_creative",
        (FieldSpec("headline", 35, 5), FieldSpec("cta", 15, 3, "Call to action")),
        "The words on a leaderboard banner (728x90, 320x50): a headline and a button label.",
    ),
)
