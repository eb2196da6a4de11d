"""The generator registry: built once from the plugins; lookup by id and by task; lazy instances."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from contentgen.errors import UnknownNameError, ValidationError
from contentgen.generator import Generator, GeneratorSpec
from contentgen.types import Modality, serves


class GeneratorRegistry:
    """Maps generator ids to specs and builds each generator once, with its configured options."""

    def __init__(
        self,
        specs: Mapping[str, GeneratorSpec],
        options: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        untrusted: frozenset[str] | set[str] = frozenset(),
        modalities: Mapping[str, Modality] | None = None,
    ) -> None:
        self._specs = dict(specs)
        # task -> modality, so a generator declaring ALL_TASKS serves the tasks of its modality
        # (the engine passes its tasks'; without them, the built-in tasks' are known).
        if modalities is None:
            from contentgen.tasks.registry import builtin_tasks

            modalities = {t.name: t.modality for t in builtin_tasks()}
        self._modalities = dict(modalities)
        self._untrusted = frozenset(untrusted)
        self._options = {k: dict(v) for k, v in (options or {}).items()}
        self._instances: dict[str, Generator] = {}
        self._lock = threading.Lock()

    def ids(self) -> list[str]:
        """All registered generator ids, sorted."""
        return sorted(self._specs)

    def spec(self, generator_id: str) -> GeneratorSpec:
        """The spec registered under `generator_id`, or an error listing the known ids."""
        try:
            return self._specs[generator_id]
        except KeyError:
            raise UnknownNameError("generator", generator_id, self._specs) from None

    def specs(self) -> list[GeneratorSpec]:
        """All specs, sorted by id."""
        return [self._specs[i] for i in self.ids()]

    def handles(self, spec: GeneratorSpec, task: str) -> bool:
        """Whether a generator serves `task`: it names the task, or ALL_TASKS of its modality."""
        if task in spec.tasks:
            return True
        modality = self._modalities.get(task)
        return serves(spec.tasks, task) and (modality is None or modality == spec.modality)

    def for_task(self, task: str) -> list[GeneratorSpec]:
        """The generators that serve `task`."""
        return [s for s in self.specs() if self.handles(s, task)]

    def check_supports(self, generator_id: str, task: str) -> GeneratorSpec:
        """The spec, after checking the generator handles `task`."""
        spec = self.spec(generator_id)
        if not self.handles(spec, task):
            raise ValidationError(
                "generator",
                f"{generator_id!r} does not handle task {str(task)!r}",
                [s.id for s in self.for_task(task)],
            )
        return spec

    def get(self, generator_id: str) -> Generator:
        """The (not yet loaded) generator instance for `generator_id`, built once."""
        with self._lock:
            instance = self._instances.get(generator_id)
            if instance is None:
                spec = self.spec(generator_id)
                factory = spec.factory
                if generator_id in self._untrusted and isinstance(factory, type):
                    from contentgen.isolation import isolated_class

                    factory = isolated_class(factory)  # runs in a child process it can crash
                instance = factory(**self._options.get(generator_id, {}))
                self._instances[generator_id] = instance
            return instance

    def add(self, spec: GeneratorSpec, options: Mapping[str, Any] | None = None) -> None:
        """Register one more generator at run time (e.g. a freshly tuned model)."""
        with self._lock:
            self._specs[spec.id] = spec
            if options is not None:
                self._options[spec.id] = dict(options)
            self._instances.pop(spec.id, None)

    def close(self) -> None:
        """Close every generator that was built."""
        with self._lock:
            for instance in self._instances.values():
                instance.close()
            self._instances.clear()
