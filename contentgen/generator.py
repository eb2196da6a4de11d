"""The Generator contract: plugin authors write `load()` and a batched `generate()`."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from contentgen.errors import ValidationError
from contentgen.types import Candidate, Modality, ModelInfo, Prompt, Task


class Generator(ABC):
    """Base class of every generator; the engine does ids, timing, storage, retries and errors.

    Subclasses set `id` ("<plugin>:<name>"), `modality`, `tasks` and `options` (the keyword
    arguments `__init__` accepts with their defaults), implement `_load()` (import heavy
    libraries there, never at module import) and `generate()`.

    Sampling parameters: every generator accepts the common ones (`contentgen.sampling.
    SamplingParams`: temperature, top_p, top_k, max_new_tokens, stop, ...), read from the
    `Prompt` fields. A generator that reads more from `Prompt.params` declares them in
    `extra_params`, name -> type (anything pydantic validates, e.g. `Literal["a", "b"]`, `int`);
    any other name in a request's params is refused at routing, before loading, naming the valid
    ones.
    """

    id: ClassVar[str]
    version: ClassVar[str] = "0.1"
    modality: ClassVar[Modality] = "text"
    tasks: ClassVar[frozenset[Task]] = frozenset()
    description: ClassVar[str] = ""
    options: ClassVar[Mapping[str, Any]] = {}
    extra_params: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, **options: Any) -> None:
        self.config = parse_options(type(self), options)
        self._loaded = False
        self._load_lock = threading.Lock()

    def load(self) -> None:
        """Load weights once; calling it again is free."""
        if self._loaded:
            return
        with self._load_lock:
            if not self._loaded:
                self._load()
                self._loaded = True

    @property
    def loaded(self) -> bool:
        """True once `load()` has finished."""
        return self._loaded

    def _load(self) -> None:  # noqa: B027 - optional for generators with nothing to load
        """Do the actual loading; override when there is something to load."""

    @abstractmethod
    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Return, for each prompt in order, `prompt.n` candidates."""

    def model_info(self) -> ModelInfo:
        """Which model this generator runs (for provenance)."""
        return ModelInfo(model_id=str(self.config.get("model", self.id)))

    def max_batch_size(self) -> int:
        """How many prompts the engine may pass to one `generate()` call."""
        return int(self.config.get("batch_size", 8))

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release models and memory."""


def parse_options(cls: type[Generator], given: Mapping[str, Any]) -> dict[str, Any]:
    """Merge `given` over the class's option defaults; unknown names are a clear error."""
    unknown = set(given) - set(cls.options)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(
            f"generators.{cls.id}.{name}", "is not an option of this generator", cls.options
        )
    return {**cls.options, **given}


GeneratorFactory = Callable[..., Generator]


@dataclass(frozen=True)
class GeneratorSpec:
    """A registered generator: its id, where it came from and how to build it."""

    id: str
    factory: GeneratorFactory
    plugin: str
    modality: Modality
    tasks: frozenset[Task]
    version: str
    description: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    extra_params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_class(cls, generator_cls: type[Generator], plugin: str) -> GeneratorSpec:
        """Describe a Generator subclass."""
        gid = getattr(generator_cls, "id", None)
        if not isinstance(gid, str) or ":" not in gid:
            raise ValidationError(
                f"{generator_cls.__name__}.id", f"must look like '<plugin>:<name>', got {gid!r}"
            )
        extra_params = dict(generator_cls.extra_params)
        if extra_params:  # pydantic is imported only for generators that declare parameters
            from contentgen.sampling import check_declared

            check_declared(gid, extra_params)
        return cls(
            id=gid,
            factory=generator_cls,
            plugin=plugin,
            modality=generator_cls.modality,
            tasks=frozenset(generator_cls.tasks),
            version=generator_cls.version,
            description=generator_cls.description
            or (generator_cls.__doc__ or "").strip().split("\n")[0],
            options=dict(generator_cls.options),
            extra_params=extra_params,
        )
