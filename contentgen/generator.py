"""The Generator contract: plugin authors write `load()` and a batched `generate()`."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from contentgen.errors import ValidationError
from contentgen.types import Candidate, Modality, ModelInfo, Prompt, PromptError, Task

if TYPE_CHECKING:
    from pydantic import BaseModel


class Generator(ABC):
    """Base class of every generator; the engine does ids, timing, storage, retries and errors.

    Subclasses set `id` ("<plugin>:<name>"), `modality`, `tasks` and `Options`, implement
    `_load()` (import heavy libraries there, never at module import) and `generate()`.

    Options: `Options` is a pydantic model whose fields are the keyword arguments `__init__`
    accepts (types, ranges, `Literal` choices, defaults and descriptions; base it on
    `contentgen.generator_options.GeneratorOptions`). Construction validates them, so a bad
    value fails before anything loads, as a ValidationError naming the option and the valid
    choices; the result is `self.settings` (the model) and `self.config` (a dict of it).
    `options` (name -> default) is derived from it. A generator that declares only a plain
    `options = {name: default}` dict still works: any value is accepted for a known name.

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
    Options: ClassVar[type[BaseModel] | None] = None
    options: ClassVar[Mapping[str, Any]] = {}
    extra_params: ClassVar[Mapping[str, Any]] = {}
    # True only where generate() may run on several threads at once because it waits on a server
    # (builtin:openai): the engine then starts later model batches while it checks earlier ones.
    concurrent_calls: ClassVar[bool] = False
    # The validated Options instance; a subclass narrows the type (`settings: MyOptions`).
    settings: Any
    config: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if own.get("Options") is not None:
            from contentgen.generator_options import option_defaults

            cls.options = option_defaults(own["Options"])
        elif "options" in own:  # a plain dict below a typed parent: the dict is the contract
            cls.Options = None

    def __init__(self, **options: Any) -> None:
        from contentgen.generator_options import option_values, validate_options

        self.settings = validate_options(type(self), options)
        self.config = option_values(self.settings)
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
    def generate(self, prompts: Sequence[Prompt]) -> Sequence[Sequence[Candidate] | PromptError]:
        """Return, for each prompt in order, `prompt.n` candidates.

        A prompt that cannot be served may get a `PromptError` instead: its request fails with
        that message and the other prompts keep their candidates. Raising fails the whole call,
        which the engine then retries prompt by prompt.
        """

    def model_info(self) -> ModelInfo:
        """Which model this generator runs (for provenance)."""
        return ModelInfo(model_id=str(self.config.get("model", self.id)))

    def max_batch_size(self) -> int:
        """How many prompts the engine may pass to one `generate()` call."""
        return int(self.config.get("batch_size", 8))

    def continues_answer(self) -> bool:
        """True when `generate()` continues `Prompt.prefill`, the assistant's answer so far.

        Only such a generator writes a channel field by field (`contentgen.fields`); the others
        write the whole answer. Asked after `load()`, so it may depend on the loaded model.
        """
        return False

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release models and memory."""


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
