"""Requests to and from plain data: template variables, stored payloads, and parsing dicts/CLI input."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from contentgen.types import BaseRequest, Task

if TYPE_CHECKING:
    from contentgen.tasks.registry import TaskRegistry
    from contentgen.tasks.spec import TaskSpec


def _spec(request: BaseRequest, spec: TaskSpec | None) -> TaskSpec:
    if spec is not None:
        return spec
    from contentgen.tasks.registry import builtin_tasks

    return builtin_tasks().spec_for(request)


def prompt_variables(request: BaseRequest, spec: TaskSpec | None = None) -> dict[str, Any]:
    """The variables a template sees: request data, cleaned, and personal data redacted.

    The task's `redacted_fields` (e.g. customer messages and order facts) are redacted before
    they reach a prompt, the database or a log; every untrusted string is Unicode-normalised with
    hidden control characters removed. `spec` is the request's task (default: a built-in one).
    """
    from contentgen.safety.untrusted import clean_value

    variables = clean_value(request.variables())
    redacted = _spec(request, spec).redacted_fields
    if redacted:
        from contentgen.safety.pii import PiiRedactor, redact_mapping

        redactor = PiiRedactor()  # one numbering: [EMAIL_1] means the same address everywhere
        for key in redacted:
            variables[key] = redact_mapping(variables[key], redactor)
    return variables


def request_payload(
    request: BaseRequest, variables: Mapping[str, Any], spec: TaskSpec | None = None
) -> dict[str, Any]:
    """What is stored for a request: its fields, with redacted text where the prompt had it."""
    payload: dict[str, Any] = {"task": str(request.task)}
    for f in dataclasses.fields(request):
        value = getattr(request, f.name)
        payload[f.name] = dict(value) if isinstance(value, Mapping) else value
    for name in _spec(request, spec).redacted_fields:
        if name in payload and payload[name] is not None:
            payload[name] = variables[name]
    return payload


def request_from_dict(
    task: str | Task, data: Mapping[str, Any], tasks: TaskRegistry | None = None
) -> BaseRequest:
    """Build a typed request from plain data; unknown fields and tasks are clear errors.

    `tasks` is the engine's task registry (`engine.tasks`); without it, the built-in tasks.
    """
    if tasks is None:
        from contentgen.tasks.registry import builtin_tasks

        tasks = builtin_tasks()
    return tasks.get(task).build_request(data)
