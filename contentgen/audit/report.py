"""The bias audit's report: one effect per generator, attribute and measure; JSON and markdown."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from contentgen.audit.measures import MEASURES

_KINDS = {m.name: m.kind for m in MEASURES}
_TEXT_CHARS = 400  # an example's text in the markdown, cut here


@dataclass(frozen=True)
class Effect:
    """What swapping group A for group B changed in one measure, for one generator."""

    generator: str
    attribute: str
    measure: str
    group_a: str
    group_b: str
    n: int
    mean_a: float
    mean_b: float
    difference: float  # mean of B - A over the pairs
    ci_low: float
    ci_high: float
    effect_size: float | None  # Cohen's d_z
    p_value: float
    p_adjusted: float  # Holm, over every test of this generator
    significant: bool


@dataclass(frozen=True)
class PairRecord:
    """One counterfactual pair as generated: what was swapped, the texts and their measures."""

    generator: str
    attribute: str
    index: int
    seed: int
    swap: tuple[str, str]
    texts: tuple[str | None, str | None]
    measures: tuple[Mapping[str, float], Mapping[str, float]]


@dataclass(frozen=True)
class AttributeInfo:
    """An audited attribute: its task, groups, description and number of pairs."""

    name: str
    task: str
    groups: tuple[str, str]
    description: str
    pairs: int


@dataclass(frozen=True)
class BiasReport:
    """Effects with intervals and tests per generator, attribute and measure, and the pairs."""

    generators: tuple[str, ...]
    attributes: tuple[AttributeInfo, ...]
    measures: Mapping[str, str]
    alpha: float
    seed: int
    resamples: int
    host: str
    seconds: float
    effects: tuple[Effect, ...]
    pairs: tuple[PairRecord, ...] = field(repr=False, default=())

    @property
    def flagged(self) -> list[Effect]:
        """The effects significant at `alpha` after Holm's correction."""
        return [e for e in self.effects if e.significant]

    def method(self) -> str:
        """How the figures were computed, in one paragraph."""
        level = f"{1 - self.alpha:.0%}"
        return (
            f"Each pair is the same request with one attribute swapped (same seed). Difference = "
            f"mean of (B - A) over pairs; {level} percentile bootstrap interval "
            f"({self.resamples:,} resamples); p: two-sided sign-flip permutation test; "
            f"significant: Holm-adjusted p < {self.alpha} over all tests of a generator "
            f"(family-wise error rate {self.alpha:.0%} per generator); d_z = mean difference / "
            f"SD of differences. Seed {self.seed}; host {self.host}; {self.seconds:.0f} s."
        )

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data (NaN becomes None)."""
        data = {
            "generators": list(self.generators),
            "attributes": [asdict(a) for a in self.attributes],
            "measures": dict(self.measures),
            "alpha": self.alpha,
            "correction": "holm (per generator)",
            "interval": f"{1 - self.alpha:.0%} percentile bootstrap",
            "test": "two-sided sign-flip permutation test",
            "seed": self.seed,
            "resamples": self.resamples,
            "host": self.host,
            "seconds": round(self.seconds, 1),
            "flagged": [f"{e.generator} {e.attribute} {e.measure}" for e in self.flagged],
            "effects": [asdict(e) for e in self.effects],
            "pairs": [_pair(p) for p in self.pairs],
        }
        return json_ready(data)

    def to_markdown(self, *, examples: int = 2) -> str:
        """A readable report: method, then per generator and attribute a table of measures."""
        lines = ["# Bias audit", "", self.method(), ""]
        for generator in self.generators:
            mine = [e for e in self.effects if e.generator == generator]
            flagged = [e for e in mine if e.significant]
            lines += [f"## {generator}", ""]
            listed = ", ".join(f"{e.attribute}/{e.measure}" for e in flagged) or "none"
            lines += [f"Significant differences: {listed}.", ""]
            for info in self.attributes:
                rows = [e for e in mine if e.attribute == info.name]
                if rows:
                    lines += _attribute_table(info, rows)
            for effect in flagged:
                lines += self._examples(effect, examples)
        lines += ["## Measures", ""]
        lines += [f"- `{name}`: {text}" for name, text in self.measures.items()]
        return "\n".join(lines) + "\n"

    def _examples(self, effect: Effect, count: int) -> list[str]:
        """The pairs with the largest difference in the direction of a significant effect."""
        sign = 1 if effect.difference >= 0 else -1
        found = [
            p
            for p in self.pairs
            if p.generator == effect.generator and p.attribute == effect.attribute
        ]

        def gap(p: PairRecord) -> float:
            d = p.measures[1][effect.measure] - p.measures[0][effect.measure]
            return -math.inf if math.isnan(d) else sign * d

        found.sort(key=gap, reverse=True)
        lines = [f"Examples for {effect.attribute}/{effect.measure}:", ""]
        for p in found[:count]:
            for group, who, text, values in zip(
                (effect.group_a, effect.group_b), p.swap, p.texts, p.measures, strict=True
            ):
                shown = (text or "(no text)").replace("\n", " ")
                if len(shown) > _TEXT_CHARS:
                    shown = shown[: _TEXT_CHARS - 1] + "…"
                raw = values[effect.measure]
                rate = _KINDS.get(effect.measure) == "rate" and not math.isnan(raw)
                value = ("yes" if raw else "no") if rate else format_value(effect.measure, raw)
                lines.append(f"- {group} ({who}; {effect.measure} {value}): {shown}")
            lines.append("")
        return lines


def _pair(record: PairRecord) -> dict[str, Any]:
    return {
        "generator": record.generator,
        "attribute": record.attribute,
        "index": record.index,
        "seed": record.seed,
        "swap": list(record.swap),
        "texts": list(record.texts),
        "measures": [dict(m) for m in record.measures],
    }


def _attribute_table(info: AttributeInfo, rows: list[Effect]) -> list[str]:
    a, b = info.groups
    lines = [
        f"### {info.name} ({info.task}): {a} vs {b}, {info.pairs} pairs",
        "",
        info.description,
        "",
        f"| measure | {a} | {b} | difference ({b} - {a}) [CI] | d_z | p | p (Holm) | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for e in rows:
        size = "-" if e.effect_size is None else f"{e.effect_size:+.2f}"
        mark = "**significant**" if e.significant else ""
        diff = format_difference(e.measure, e.difference)
        low, high = (format_difference(e.measure, x) for x in (e.ci_low, e.ci_high))
        interval = f"[{low}, {high}]"
        a_mean, b_mean = format_value(e.measure, e.mean_a), format_value(e.measure, e.mean_b)
        lines.append(
            f"| {e.measure} | {a_mean} | {b_mean} | {diff} {interval} | {size} | "
            f"{format_p(e.p_value)} | {format_p(e.p_adjusted)} | {mark} |"
        )
    return [*lines, ""]


def format_value(measure: str, value: float) -> str:
    """A mean in its measure's units: a share as a percentage, a score to 2 places."""
    if math.isnan(value):
        return "-"
    if _KINDS.get(measure) == "rate":
        return f"{value:.0%}"
    return f"{value:.2f}" if _KINDS.get(measure) == "score" else f"{value:.1f}"


def format_difference(measure: str, value: float) -> str:
    """A difference in its measure's units: percentage points for shares."""
    if math.isnan(value):
        return "-"
    if _KINDS.get(measure) == "rate":
        return f"{100 * value:+.0f} pts"
    return f"{value:+.2f}"


def format_p(value: float) -> str:
    """A p-value to 3 places ('<0.001' below that)."""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def json_ready(value: Any) -> Any:
    """JSON-ready: NaN and infinities become None, tuples lists."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value
