"""The explanation of one output, as frozen records: what `engine.explain(id)` returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from contentgen.checks.problems import Problem
from contentgen.confidence import LOW_CONFIDENCE, TokenScore, summary
from contentgen.explain.grounding import GroundingMap


@dataclass(frozen=True)
class FewShotExample:
    """One worked example of the template: its inputs and the answer shown to the model."""

    inputs: Mapping[str, Any]
    answer: str


@dataclass(frozen=True)
class TemplateUse:
    """The template the prompt was rendered from, and whether the library still has that text."""

    template_id: str | None
    stored_hash: str | None
    current_hash: str | None  # None when the library no longer has the template
    examples: tuple[FewShotExample, ...] = ()

    @property
    def unchanged(self) -> bool:
        """Whether the library's template is the one the output was made with."""
        return self.stored_hash is not None and self.stored_hash == self.current_hash


@dataclass(frozen=True)
class CheckVerdict:
    """One check's verdict on the output, with its evidence as Problem records."""

    name: str
    passed: bool
    score: float | None
    gate: bool | None  # whether this engine rejects on it (None: not among its checks now)
    problems: tuple[Problem, ...]
    reason: str | None
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class Feature:
    """One reward-model feature: its value and its share of the score (None if unknown)."""

    name: str
    value: float
    contribution: float | None = None


@dataclass(frozen=True)
class RerankerChoice:
    """The reward model's verdict on this output: score, rank among its siblings, features."""

    model: str | None
    score: float | None
    rank: int | None
    of: int | None
    chosen: bool | None
    features: tuple[Feature, ...] = ()
    intercept: float | None = None
    embedding_contribution: float | None = None  # the text embedding's share, as one number
    note: str | None = None  # why the features could not be attributed, if they could not


@dataclass(frozen=True)
class BanditChoice:
    """The routing arm the bandit chose and its Beta posterior when it chose it."""

    arm: str
    context: str
    alpha: float | None
    beta: float | None
    current_alpha: float | None = None  # the posterior stored now (`bandit show`)
    current_beta: float | None = None

    @property
    def mean(self) -> float | None:
        """The posterior mean success rate when the arm was chosen."""
        if self.alpha is None or self.beta is None:
            return None
        return self.alpha / (self.alpha + self.beta)


@dataclass(frozen=True)
class Sibling:
    """Another output of the same request: its status, reason and reward-model standing."""

    output_id: str
    index: int
    status: str
    reason: str | None
    reward_score: float | None = None
    reward_rank: int | None = None


@dataclass(frozen=True)
class Selection:
    """Why this output was kept (or not) over its siblings."""

    summary: str
    siblings: tuple[Sibling, ...]
    reranker: RerankerChoice | None = None
    bandit: BanditChoice | None = None


@dataclass(frozen=True)
class ModelUse:
    """Which generator, model, adapter and settings made the output."""

    generator_id: str
    generator_version: str
    model_id: str | None
    revision: str | None
    adapter: str | None
    decoding: Mapping[str, Any]
    routing: Mapping[str, Any]
    seed: int | None
    fallback_from: str | None
    timings: Mapping[str, Any]


@dataclass(frozen=True)
class Confidence:
    """The model's log-probability of each token it wrote, when the request asked for them."""

    tokens: tuple[TokenScore, ...]
    threshold: float = LOW_CONFIDENCE  # a token below this probability is low confidence

    @property
    def low(self) -> list[TokenScore]:
        """The tokens the model was least sure of (probability below `threshold`)."""
        return [t for t in self.tokens if t.probability < self.threshold]

    def as_dict(self) -> dict[str, Any]:
        """Summary, threshold and every token with its log-probability and probability."""
        return {
            **summary(self.tokens),
            "threshold": self.threshold,
            "tokens": [
                {"text": t.text, "logprob": t.logprob, "probability": round(t.probability, 4)}
                for t in self.tokens
            ],
        }


@dataclass(frozen=True)
class Explanation:
    """Why this output: its facts per sentence, template, checks, choice, model and settings."""

    output_id: str
    request_id: str
    task: str
    status: str
    reason: str | None
    created_at: str | None
    text: str | None
    grounding: GroundingMap
    template: TemplateUse
    checks: tuple[CheckVerdict, ...]
    selection: Selection
    model: ModelUse
    notes: tuple[str, ...] = field(default_factory=tuple)
    confidence: Confidence | None = None  # None: no per-token log-probabilities were recorded

    def as_dict(self) -> dict[str, Any]:
        """The explanation as JSON-ready data (`contentgen explain --json`, the web API)."""
        data = asdict(self)
        data["grounding"] = self.grounding.as_dict()
        data["confidence"] = self.confidence.as_dict() if self.confidence else None
        data["template"]["unchanged"] = self.template.unchanged
        if self.selection.bandit is not None:
            data["selection"]["bandit"]["mean"] = self.selection.bandit.mean
        data["checks"] = [
            {**asdict(c), "problems": [p.as_dict() for p in c.problems]} for c in self.checks
        ]
        return data
