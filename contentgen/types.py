"""The engine's boundary records: task names, the request base, prompts, candidates, outputs.

Each task's own request type lives with its spec in `contentgen/tasks/`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from contentgen.errors import ValidationError

# The limits live below this module (sampling checks them too); importable from here as before.
from contentgen.limits import MAX_IMAGES as MAX_IMAGES
from contentgen.limits import MAX_TEXT_CHARS
from contentgen.limits import MAX_VARIANTS as MAX_VARIANTS
from contentgen.unicode_text import require_unicode

_TASK_NAME = re.compile(r"[a-z][a-z0-9_]*")


class Task(str):
    """A task's snake_case name, e.g. "marketing"; the built-in names are constants.

    Any name is a task as far as this type goes: which tasks exist is what the engine's
    `TaskRegistry` (built from the `register_tasks` hook) says. Compare tasks with `==`.
    """

    __slots__ = ()

    MARKETING: ClassVar[Task]
    NEWS_SUMMARY: ClassVar[Task]
    CUSTOMER_SERVICE: ClassVar[Task]
    IMAGE: ClassVar[Task]

    @property
    def value(self) -> str:
        """The name as plain text (kept from the days `Task` was an enum)."""
        return str.__str__(self)

    @classmethod
    def parse(cls, value: str | Task) -> Task:
        """Accept 'news-summary' or 'news_summary'; a ValidationError when it is no snake_case name.

        Whether the task exists is the engine's TaskRegistry's answer (`engine.tasks.get`).
        """
        if isinstance(value, Task):
            return value
        if not isinstance(value, str):
            raise ValidationError("task", f"must be a task name, got {type(value).__name__}")
        normalised = value.strip().lower().replace("-", "_")
        if not _TASK_NAME.fullmatch(normalised):
            raise ValidationError(
                "task", f"{value!r} is not a task name (names are snake_case, e.g. 'news_summary')"
            )
        return cls(normalised)


Task.MARKETING = Task("marketing")
Task.NEWS_SUMMARY = Task("news_summary")
Task.CUSTOMER_SERVICE = Task("customer_service")
Task.IMAGE = Task("image")

ANY_TASK = Task("*")
# A generator or evaluator declaring ALL_TASKS serves every task of its modality, plugin tasks
# included (evaluators only ever see text). TEXT_TASKS is its older name.
ALL_TASKS: frozenset[Task] = frozenset({ANY_TASK})
TEXT_TASKS = ALL_TASKS


def serves(tasks: Collection[str], task: str) -> bool:
    """Whether a component declaring `tasks` applies to `task` (ALL_TASKS applies to every one)."""
    return task in tasks or ANY_TASK in tasks


Modality = Literal["text", "image"]
SummaryMethod = Literal["abstractive", "extractive", "auto"]
SUMMARY_METHODS: tuple[str, ...] = ("abstractive", "extractive", "auto")
SUMMARY_STYLES: tuple[str, ...] = ("brief", "bullets", "headline")
TONES: tuple[str, ...] = ("friendly", "professional", "playful", "urgent", "luxury", "empathetic")


def frozen_mapping(value: Mapping[str, Any] | None, name: str) -> Mapping[str, Any]:
    """A read-only copy of a mapping of non-empty string keys; a ValidationError naming `name`."""
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


def require_text(value: object, name: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Non-empty Unicode text of at most `max_chars` characters, else a ValidationError."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be text, got {type(value).__name__}")
    require_unicode(value, name)
    if not value.strip():
        raise ValidationError(name, "must not be empty")
    if len(value) > max_chars:
        raise ValidationError(name, f"is {len(value)} characters; the limit is {max_chars}")
    return value


def is_blank(value: object) -> bool:
    """True for a missing-looking fact: None or text with nothing but whitespace (0 is a name)."""
    return value is None or (isinstance(value, str) and not value.strip())


def require_int(value: object, name: str, low: int, high: int) -> int:
    """A whole number from `low` to `high` (not a bool), else a ValidationError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, f"must be a whole number from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise ValidationError(name, f"must be from {low} to {high}, got {value}")
    return value


def optional_choice(value: str | None, name: str, choices: tuple[str, ...]) -> str | None:
    """None, or one of `choices`; else a ValidationError listing them."""
    if value is None:
        return None
    if value not in choices:
        raise ValidationError(name, f"unknown value {value!r}", choices)
    return value


def _check_seed(seed: object) -> None:
    if seed is not None:
        require_int(seed, "seed", 0, 2**32 - 1)


def _check_params(params: Mapping[str, Any]) -> None:
    if params:  # pydantic is imported on first use, so `import contentgen` stays cheap
        from contentgen.sampling import check_params

        check_params(params)


@dataclass(frozen=True, kw_only=True)
class BaseRequest:
    """Fields every request shares: explicit routing choices, sampling parameters and a seed.

    A task's request type subclasses this, sets `task` to the task's name and implements
    `variables()`; its own fields (with `field(metadata={"help": ...})`) become the options of
    `contentgen generate TASK`.
    """

    task: ClassVar[Task]
    generator: str | None = None
    template: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", frozen_mapping(self.params, "params"))
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


# The built-in request types live with their tasks (contentgen/tasks/); they are importable from
# here too, loaded on first use so that this module stays below the task modules.
_MOVED = {
    "MarketingRequest": "contentgen.tasks.marketing",
    "NewsSummaryRequest": "contentgen.tasks.news_summary",
    "CustomerServiceRequest": "contentgen.tasks.customer_service",
    "ImageRequest": "contentgen.tasks.image",
}

if TYPE_CHECKING:
    from contentgen.tasks.customer_service import CustomerServiceRequest as CustomerServiceRequest
    from contentgen.tasks.image import ImageRequest as ImageRequest
    from contentgen.tasks.marketing import MarketingRequest as MarketingRequest
    from contentgen.tasks.news_summary import NewsSummaryRequest as NewsSummaryRequest


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


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
    # The answer so far, which the generator continues (only a generator whose
    # `continues_answer()` is true gets one: contentgen.fields writes a channel field by field).
    prefill: str = ""

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


@dataclass(frozen=True)
class PromptError:
    """A generator's answer for one prompt it could not serve, in place of its candidates.

    `generate()` may put one in its result list for a prompt that failed (a refused or timed-out
    server request, say): that prompt's request fails with `message`, and the other prompts of
    the model batch keep their candidates.
    """

    message: str


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


@dataclass(frozen=True)
class JobItem:
    """A batch row's place in its job: idempotency key, row position and key, where it was read."""

    key: str
    row_index: int
    row_key: str
    where: str = ""  # "row 3" / "line 7": how errors name the row


@dataclass(frozen=True)
class RowRequest:
    """A batch row handed to the engine: its request, or the error that kept it from having one."""

    item: JobItem
    request: BaseRequest | None
    error: str | None = None


@dataclass(frozen=True)
class JobRun:
    """The job a batch run's results are committed to: job id, this run's id, the job's task."""

    job_id: str
    run_id: str | None
    task: Task


@dataclass(frozen=True, kw_only=True)
class Result:
    """What one request produced: accepted outputs and, separately, rejected ones.

    `notes` say why a request produced nothing (its generator failed, say); for a batch row
    (`item` set) a note means the row failed, and its outputs are then not stored.
    """

    request_id: str
    task: Task
    outputs: tuple[Output, ...]
    rejected: tuple[Output, ...] = ()
    notes: tuple[str, ...] = ()
    item: JobItem | None = None

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
