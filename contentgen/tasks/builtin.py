"""contentgen's own tasks, registered through `register_tasks` like any plugin's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contentgen.hookspecs import hookimpl

if TYPE_CHECKING:
    from contentgen.tasks.spec import TaskSpec


def builtin_specs() -> list[TaskSpec]:
    """The specs of marketing, news_summary, customer_service, image and creative (on call)."""
    from contentgen.tasks import creative, customer_service, image, marketing, news_summary

    return [marketing.SPEC, news_summary.SPEC, customer_service.SPEC, image.SPEC, creative.SPEC]


@hookimpl
def register_tasks(register: Callable[[Any], None]) -> None:
    """Register the built-in tasks."""
    for spec in builtin_specs():
        register(spec)
