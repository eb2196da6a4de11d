"""Typed, validated requests, prompts, candidates, outputs and results: the engine's boundaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Literal

from contentgen.errors import ValidationError
from contentgen.unicode_text import require_unicode

MAX_VARIANTS = 16
MAX_IMAGES = 64
MAX_TEXT_CHARS = 100_000


class Task(StrEnum):
    """The kinds of content contentgen produces."""

    MARKETING = "marketing"
    NEWS_SUMMARY = "news_summary"
    CUSTOMER_SERVICE = "customer_service"
    IMAGE = "image"

    @classmethod
    def parse(cls, value: str | Task) -> Task:
        """Accept 'news-summary' or 'news_summary'; raise a ValidationError naming the tasks."""
        if isinstance(value, Task):
            return value
        normalised = str(value).strip().lower().replace("-", "_")
        try:
            return cls(normalised)
        except ValueError:
            raise ValidationError(
                "task", f"unknown task {value!r}", [t.value for t in cls]
            ) from None


TEXT_TASKS: frozenset[Task] = frozenset({Task.MARKETING, Task.NEWS_SUMMARY, Task.CUSTOMER_SERVICE})

Modality = Literal["text", "image"]
SummaryMethod = Literal["abstractive", "extractive", "auto"]
SUMMARY_METHODS: tuple[str, ...] = ("abstractive", "extractive", "auto")
SUMMARY_STYLES: tuple[str, ...] = ("brief", "bullets", "headline")
TONES: tuple[str, ...] = ("friendly", "professional", "playful", "urgent", "luxury", "empathetic")


def _frozen_mapping(value: Mapping[str, Any] | None, name: str) -> Mapping[str, Any]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ValidationError(
            name, f"must be a mapping of names to values, got {type(value).__name__}"
        )
    for key in value:
        if not isinstance(key, str) or not key:
            raise ValidationError(name, f"keys must be non-empty strings, got {key!r}")
    require_unicode(value, name)
    return MappingProxyType(dict(value))


def _require_text(value: object, name: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise ValidationError(name, f"must be text, got {type(value).__name__}")
    require_unicode(value, name)
    if not value.strip():
        raise ValidationError(name, "must not be empty")
    if len(value) > max_chars:
        raise ValidationError(name, f"is {len(value)} characters; the limit is {max_chars}")
    return value


def _blank(value: object) -> bool:
    """True for a missing-looking fact: None or text with nothing but whitespace (0 is a name)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _require_int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, f"must be a whole number from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise ValidationError(name, f"must be from {low} to {high}, got {value}")
    return value


def _optional_choice(value: str | None, name: str, choices: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in choices:
        raise ValidationError(name, f"unknown value {value!r}", choices)
    return value


def _check_seed(seed: object) -> None:
    if seed is not None:
        _require_int(seed, "seed", 0, 2**32 - 1)


def _check_params(params: Mapping[str, Any]) -> None:
    if params:  # pydantic is imported on first use, so `import contentgen` stays cheap
        from contentgen.sampling import check_params

        check_params(params)


@dataclass(frozen=True, kw_only=True)
class BaseRequest:
    """Fields every request shares: explicit routing choices, sampling parameters and a seed."""

    task: ClassVar[Task]
    generator: str | None = None
    template: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_mapping(self.params, "params"))
        _check_params(self.params)
        _check_seed(self.seed)
        for name in ("generator", "template"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValidationError(name, f"must be a non-empty id, got {value!r}")

    @property
    def n(self) -> int:
        """How many outputs the request asks for."""
        return 1

    def variables(self) -> dict[str, Any]:
        """The variables a template for this task sees (data, never template source)."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class MarketingRequest(BaseRequest):
    """Ad copy, social posts, emails or product descriptions for one product."""

    task: ClassVar[Task] = Task.MARKETING
    product: Mapping[str, Any]
    channel: str = "search_ad"
    audience: str | None = None
    tone: str = "friendly"
    variants: int = 3

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "product", _frozen_mapping(self.product, "product"))
        if not self.product:
            raise ValidationError("product", "must contain at least one fact, e.g. {'name': ...}")
        if not any(k in self.product for k in ("name", "title")):
            raise ValidationError(
                "product", "needs a 'name' (or 'title') fact", sorted(self.product)
            )
        for key in ("name", "title"):
            if key in self.product and _blank(self.product[key]):
                raise ValidationError(f"product.{key}", "must not be empty")
        from contentgen.channels import CHANNELS

        if not isinstance(self.channel, str) or self.channel not in CHANNELS:
            raise ValidationError("channel", f"unknown channel {self.channel!r}", CHANNELS)
        if self.tone not in TONES:
            raise ValidationError("tone", f"unknown tone {self.tone!r}", TONES)
        if self.audience is not None:
            _require_text(self.audience, "audience", max_chars=500)
        _require_int(self.variants, "variants", 1, MAX_VARIANTS)

    @property
    def n(self) -> int:
        """How many variants the request asks for."""
        return self.variants

    def variables(self) -> dict[str, Any]:
        """Template variables: product facts, audience, channel, tone and the channel's limits."""
        from contentgen.channels import CHANNELS

        return {
            "product": dict(self.product),
            "audience": self.audience or "general shoppers",
            "channel": self.channel,
            "tone": self.tone,
            "variants": self.variants,
            "spec": CHANNELS[self.channel].as_template_vars(),
        }


@dataclass(frozen=True, kw_only=True)
class NewsSummaryRequest(BaseRequest):
    """A summary of one news article."""

    task: ClassVar[Task] = Task.NEWS_SUMMARY
    article: str
    title: str | None = None
    target_words: int = 40
    style: str = "brief"
    method: str = "auto"

    def __post_init__(self) -> None:
        super().__post_init__()
        _require_text(self.article, "article")
        if self.title is not None:
            _require_text(self.title, "title", max_chars=500)
        _require_int(self.target_words, "target_words", 5, 400)
        _optional_choice(self.style, "style", SUMMARY_STYLES)
        _optional_choice(self.method, "method", SUMMARY_METHODS)

    def variables(self) -> dict[str, Any]:
        """Template variables: the article, its title, target length and style."""
        return {
            "article": self.article,
            "title": self.title or "",
            "target_words": self.target_words,
            "style": self.style,
        }


@dataclass(frozen=True, kw_only=True)
class CustomerServiceRequest(BaseRequest):
    """A reply draft to one customer message, grounded in order facts and policy notes."""

    task: ClassVar[Task] = Task.CUSTOMER_SERVICE
    message: str
    context: Mapping[str, Any] = field(default_factory=dict)
    policy: str | None = None
    tone: str = "empathetic"
    variants: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        _require_text(self.message, "message", max_chars=20_000)
        object.__setattr__(self, "context", _frozen_mapping(self.context, "context"))
        if self.policy is not None:
            _require_text(self.policy, "policy", max_chars=20_000)
        if self.tone not in TONES:
            raise ValidationError("tone", f"unknown tone {self.tone!r}", TONES)
        _require_int(self.variants, "variants", 1, MAX_VARIANTS)

    @property
    def n(self) -> int:
        """How many reply drafts the request asks for."""
        return self.variants

    def variables(self) -> dict[str, Any]:
        """Template variables: the message, order/context facts, policy notes and tone."""
        return {
            "message": self.message,
            "context": dict(self.context),
            "policy": self.policy or "",
            "tone": self.tone,
        }


@dataclass(frozen=True, kw_only=True)
class ImageRequest(BaseRequest):
    """Images from a prompt or a class name.

    For generators with a fixed class list, `match="strict"` (the default) refuses a prompt
    naming none of the classes; `match="nearest"` takes the most similar class and records it.
    """

    task: ClassVar[Task] = Task.IMAGE
    prompt: str | None = None
    class_name: str | None = None
    match: str = "strict"
    count: int = 4
    negative_prompt: str | None = None
    width: int | None = None
    height: int | None = None
    steps: int | None = None
    guidance: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.prompt is None and self.class_name is None:
            raise ValidationError("prompt", "give a prompt or a class_name")
        if self.prompt is not None:
            _require_text(self.prompt, "prompt", max_chars=2_000)
        if self.class_name is not None:
            _require_text(self.class_name, "class_name", max_chars=200)
        from contentgen.image_classes import check_match_mode

        check_match_mode(self.match)
        if self.negative_prompt is not None and not isinstance(self.negative_prompt, str):
            kind = type(self.negative_prompt).__name__
            raise ValidationError("negative_prompt", f"must be text, got {kind}")
        _require_int(self.count, "count", 1, MAX_IMAGES)
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None:
                _require_int(value, name, 8, 4096)
        if self.steps is not None:
            _require_int(self.steps, "steps", 1, 1000)
        if self.guidance is not None and (
            not isinstance(self.guidance, int | float) or not 0 <= self.guidance <= 50
        ):
            raise ValidationError(
                "guidance", f"must be a number from 0 to 50, got {self.guidance!r}"
            )

    @property
    def n(self) -> int:
        """How many images the request asks for."""
        return self.count

    def variables(self) -> dict[str, Any]:
        """Template variables: the prompt, class name and class match mode."""
        return {
            "prompt": self.prompt or self.class_name or "",
            "class_name": self.class_name or "",
            "match": self.match,
        }


Request = MarketingRequest | NewsSummaryRequest | CustomerServiceRequest | ImageRequest
REQUEST_TYPES: Mapping[Task, type[BaseRequest]] = MappingProxyType(
    {
        Task.MARKETING: MarketingRequest,
        Task.NEWS_SUMMARY: NewsSummaryRequest,
        Task.CUSTOMER_SERVICE: CustomerServiceRequest,
        Task.IMAGE: ImageRequest,
    }
)


@dataclass(frozen=True, kw_only=True)
class Prompt:
    """One unit of work for a generator: rendered text plus everything needed to sample it."""

    task: Task
    text: str
    n: int = 1
    system: str | None = None
    examples: tuple[tuple[str, str], ...] = ()
    max_new_tokens: int = 96
    temperature: float = 0.8
    top_p: float = 0.95
    top_k: int = 50
    stop: tuple[str, ...] = ()
    seed: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def greedy(self) -> bool:
        """True when sampling is switched off (temperature 0)."""
        return self.temperature <= 0


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """One raw generation: text or PNG bytes, plus generator-specific metadata."""

    text: str | None = None
    image_png: bytes | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ModelInfo:
    """Which model a generator runs, for provenance."""

    model_id: str
    revision: str | None = None
    backend: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Everything needed to know how an output was made and to make it again."""

    generator_id: str
    generator_version: str
    model_id: str | None
    model_revision: str | None
    template_id: str | None
    template_hash: str | None
    params: Mapping[str, Any]
    seed: int | None
    timings: Mapping[str, float]
    fallback_from: str | None = None


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """One evaluator's verdict on one output."""

    name: str
    passed: bool
    score: float | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Output:
    """One stored piece of content with its stable id."""

    id: str
    request_id: str
    task: Task
    index: int
    text: str | None
    fields: Mapping[str, str]
    image_path: str | None
    image_sha256: str | None
    status: Literal["ok", "rejected", "failed"]
    reason: str | None
    provenance: Provenance
    evaluations: tuple[Evaluation, ...] = ()
    created_at: str | None = None

    @property
    def ok(self) -> bool:
        """True when the output passed every gate and may be published."""
        return self.status == "ok"


@dataclass(frozen=True, kw_only=True)
class Result:
    """What one request produced: accepted outputs and, separately, rejected ones."""

    request_id: str
    task: Task
    outputs: tuple[Output, ...]
    rejected: tuple[Output, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def texts(self) -> list[str]:
        """The accepted outputs' texts, in order."""
        return [o.text for o in self.outputs if o.text is not None]


RatingKind = Literal["score", "thumb", "comment", "edit", "preference"]


@dataclass(frozen=True, kw_only=True)
class Rating:
    """A stored rating of one output (or a pairwise preference between two)."""

    id: str
    output_id: str
    rater: str
    kind: RatingKind
    score: int | None = None
    thumb: bool | None = None
    comment: str | None = None
    edited_text: str | None = None
    other_output_id: str | None = None
    preferred_output_id: str | None = None
    created_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class StatRow:
    """One line of `engine.stats(by=...)`."""

    key: str
    outputs: int
    rated: int
    mean_score: float | None
    thumbs_up: int
    thumbs_down: int
    rejected: int
