"""The task registry: the tasks an engine serves, built once from the plugins; lookup by name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from contentgen.config import Route
from contentgen.errors import ValidationError
from contentgen.tasks.spec import TaskSpec
from contentgen.types import BaseRequest, Task


class TaskRegistry:
    """Maps task names to their specs; an unknown name is an error naming the known tasks."""

    def __init__(self, specs: Iterable[TaskSpec] = ()) -> None:
        self._specs: dict[str, TaskSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValidationError("task", f"{spec.name!r} is registered twice")
            self._specs[spec.name] = spec

    def names(self) -> list[str]:
        """Every task name, sorted."""
        return sorted(self._specs)

    def get(self, name: str) -> TaskSpec:
        """The spec of the task `name` ('news-summary' works too), or a ValidationError."""
        task = Task.parse(name)
        try:
            return self._specs[task]
        except KeyError:
            raise ValidationError("task", f"unknown task {str(name)!r}", self.names()) from None

    def spec_for(self, request: BaseRequest) -> TaskSpec:
        """The spec of the task a request is for; its type must be the one the task registered."""
        if not isinstance(request, BaseRequest):
            raise ValidationError(
                "request", f"expected a request object, got {type(request).__name__}"
            )
        spec = self.get(request.task)
        if not isinstance(request, spec.request_type):
            raise ValidationError(
                "request",
                f"a {type(request).__name__} is not a {spec.name} request "
                f"(that is {spec.request_type.__name__})",
            )
        return spec

    def default_routes(self) -> dict[str, Route]:
        """Each task's default route (what `Settings.with_task_routes` completes routes with)."""
        return {spec.name: spec.default_route for spec in self}

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[TaskSpec]:
        return iter(self._specs[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._specs)


def builtin_tasks() -> TaskRegistry:
    """A new registry of contentgen's own tasks, for code that works without an engine."""
    from contentgen.tasks.builtin import builtin_specs

    return TaskRegistry(builtin_specs())
