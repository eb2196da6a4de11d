"""The hook specifications plugins implement; each one is documented and tested."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pluggy

PROJECT = "contentgen"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_generators(register: Callable[[type[Any]], None]) -> None:
    """Register generator classes: call `register(MyGenerator)` once per Generator subclass.

    Each class needs a unique `id` of the form "<plugin>:<name>"; two plugins claiming the same id
    fail start-up naming both. Import heavy libraries inside `load()`, never here. Sampling
    parameters beyond the common ones (`contentgen.sampling.SamplingParams`) that a generator
    reads from `Prompt.params` are declared in its `extra_params`, name -> type; a request naming
    any other parameter is refused before loading, and a bad declaration fails registration.
    """


@hookspec
def register_template_dirs(register: Callable[[Path], None]) -> None:
    """Register folders of templates laid out as `<task>/<name>.j2`.

    Plugin folders rank above the built-in library and below the user's own template folders.
    """


@hookspec
def register_evaluators(register: Callable[[Any], None]) -> None:
    """Register evaluators: objects with a `name`, the `tasks` they apply to, a `gate` flag and
    `evaluate(items: Sequence[EvalInput]) -> list[Evaluation]` (one verdict per item, in order).

    Every output is evaluated and the verdicts are stored beside it; a failed verdict of a gating
    evaluator rejects the output. See contentgen.checks.base.Evaluator.
    """


@hookspec
def register_tasks(register: Callable[[Any], None]) -> None:
    """Register tasks: call `register(spec)` once per `contentgen.tasks.spec.TaskSpec`.

    A spec names the task (snake_case, unique: two plugins claiming one name fail start-up naming
    both), its request type (a frozen dataclass subclassing `BaseRequest`, whose fields become
    the options of `contentgen generate TASK`), its default route and template, its fact and
    redacted fields, and how a batch row maps to a request. Each spec is checked against its own
    `example` when registered; a spec that fails is recorded as the plugin's error. Put the task's
    templates in a folder registered with `register_template_dirs` (`<task>/<name>.j2`).
    """


HOOK_NAMES: tuple[str, ...] = (
    "register_generators",
    "register_template_dirs",
    "register_evaluators",
    "register_tasks",
)
