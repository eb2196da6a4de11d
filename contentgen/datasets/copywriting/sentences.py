"""Single sentences about one fact of a brief, in the brief's tone."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from contentgen.checks.tone import GIFT_AUDIENCES, SELF_TREAT
from contentgen.datasets.copywriting.briefs import Brief
from contentgen.datasets.copywriting.compose import one
from contentgen.datasets.copywriting.grammar import join_list, noun_phrase
from contentgen.datasets.copywriting.resources import Category, phrases
from contentgen.datasets.copywriting.slots import feature_slots, fill

_PURPOSE = re.compile(r"\b(?:made|built|designed|ready)\s+for\b|\bin\s+mind\b", re.I)


class Sentences:
    """Sentence makers for one brief, tone and random stream."""

    def __init__(
        self,
        brief: Brief,
        category: Category,
        tone: str,
        slots: Mapping[str, str],
        rng: random.Random,
    ) -> None:
        self.brief, self.category, self.slots, self.rng = brief, category, slots, rng
        self.tone_name = tone
        bank: Mapping[str, Any] = phrases()
        self.tone: Mapping[str, list[str]] = bank["tones"][tone]
        self.neutral: Mapping[str, list[str]] = bank["sentences"]

    def tone_line(self, kind: str) -> str | None:
        """A line from the tone bank ('open', 'cta', 'cta_short', 'subject', ...)."""
        return one(self.rng, self._for_audience(self.tone[kind]), self.slots)

    def tone_options(self, kind: str) -> list[str]:
        """Every line of a tone-bank kind the brief can fill."""
        return [t for t in (fill(x, self.slots) for x in self._for_audience(self.tone[kind])) if t]

    def _for_audience(self, lines: list[str]) -> list[str]:
        """The lines that fit the audience: gift shoppers buy for someone else, so no "treat
        yourself" (the `tone` check's `self_treat`)."""
        if self.slots.get("audience", "").strip().lower() not in GIFT_AUDIENCES:
            return lines
        return [line for line in lines if not SELF_TREAT.search(line)] or lines

    def neutral_line(self, kind: str) -> str | None:
        """A line from the tone-neutral bank ('intro', 'warranty', 'colours', ...)."""
        return one(self.rng, self.neutral[kind], self.slots)

    def intro(self, opening: str | None) -> str | None:
        """The product introduced, without repeating the name, hook or audience the opening used,
        and with no purpose where the opening stated one (none at all if it also named it)."""
        name, hook = self.slots["name"], self.slots["hook"]
        named = bool(opening) and name in (opening or "")
        if opening and (hook in opening or _PURPOSE.search(opening)):
            # "Get ready for a calm home office today. It is designed with home workers in
            # mind." says what the desk is for twice; the blind review sent such emails back.
            return None if named else self.neutral_line("intro_plain")
        kind = "intro_short" if named else "intro"
        options = [t for t in (fill(x, self.slots) for x in self.neutral[kind]) if t]
        for said in (hook, self.slots["audience"]):  # an opening's words are not said again
            if opening and said in opening:
                options = [o for o in options if said not in o] or options
        return self.rng.choice(options) if options else None

    def feature(self, text: str) -> str | None:
        """What one feature does for the buyer as the brief states it, or the feature plainly."""
        stated = self.brief.benefit(text)
        slots = {**self.slots, **feature_slots(self.category.features[text], self.rng, stated)}
        return one(self.rng, self.neutral["feature" if stated else "feature_plain"], slots)

    def features(self) -> list[str]:
        """A sentence for each feature with a stated benefit, in an order shuffled by seed; the
        features without one together in a single plain sentence."""
        order = list(self.brief.features)
        self.rng.shuffle(order)
        out = [self.feature(f) for f in order if self.brief.benefit(f)]
        plain = [f for f in order if not self.brief.benefit(f)]
        if len(plain) > 1:
            f_list = join_list([noun_phrase(f) for f in plain])
            out.append(
                one(self.rng, self.neutral["features_plain"], {**self.slots, "f_list": f_list})
            )
        elif plain:
            out.append(self.feature(plain[0]))
        return [s for s in out if s]

    def material(self) -> str | None:
        """What the material means for the buyer as the brief states it, or the material plainly."""
        return self.neutral_line("material" if "mat_so" in self.slots else "material_plain")

    def spec(self) -> str | None:
        """One spec and what it means, as a sentence."""
        if not self.brief.specs:
            return None
        key, value = self.rng.choice(self.brief.specs)
        spec = self.category.specs[key]
        return one(self.rng, spec.say, {**self.slots, "value": value})

    def specs(self) -> list[str]:
        """A sentence for every spec."""
        out = []
        for key, value in self.brief.specs:
            line = one(self.rng, self.category.specs[key].say, {**self.slots, "value": value})
            if line:
                out.append(line)
        return out

    def price(self) -> str:
        """The price, or the sale price with the saving when the brief has both prices."""
        if self.brief.sale is not None:
            kinds = ["sale", "sale_pct"] if "pct" in self.slots else ["sale"]
            options = [line for kind in kinds for line in self.tone_options(kind)]
        else:
            options = self.tone_options("price")
        return self.rng.choice(options)

    def extras(self) -> list[str]:
        """Certification, warranty, colour and size sentences the brief supports."""
        out = []
        if "cert" in self.slots:
            out.append(self.neutral_line("cert" if "cert_so" in self.slots else "cert_plain"))
        if "a_warranty" in self.slots:
            out.append(self.neutral_line("warranty"))
        if len(self.brief.colours) > 1:
            out.append(self.neutral_line("colours"))
        elif self.brief.colours:
            out.append(self.neutral_line("colour"))
        if "sizes" in self.slots:
            out.append(self.neutral_line("sizes"))
        return [s for s in out if s]
