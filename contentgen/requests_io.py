"""Requests to and from plain data: template variables, stored payloads, and parsing dicts/CLI input."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from contentgen.errors import ValidationError
from contentgen.types import REQUEST_TYPES, BaseRequest, CustomerServiceRequest, Task


def prompt_variables(request: BaseRequest) -> dict[str, Any]:
    """The variables a template sees: request data, cleaned, and personal data redacted.

    Customer messages and context are redacted before they reach a prompt, the database or a log;
    every untrusted string is Unicode-normalised with hidden control characters removed.
    """
    from contentgen.safety.untrusted import clean_value

    variables = clean_value(request.variables())
    if isinstance(request, CustomerServiceRequest):
        from contentgen.safety.pii import PiiRedactor, redact_mapping

        redactor = PiiRedactor()  # one numbering: [EMAIL_1] means the same address everywhere
        for key in ("message", "context", "policy"):
            variables[key] = redact_mapping(variables[key], redactor)
    return variables


def request_payload(request: BaseRequest, variables: Mapping[str, Any]) -> dict[str, Any]:
    """What is stored for a request: its fields, with redacted text where the prompt had it."""
    payload: dict[str, Any] = {"task": request.task.value}
    for f in dataclasses.fields(request):
        value = getattr(request, f.name)
        payload[f.name] = dict(value) if isinstance(value, Mapping) else value
    if isinstance(request, CustomerServiceRequest):
        payload["message"] = variables["message"]
        payload["context"] = variables["context"]
        payload["policy"] = variables["policy"] or None
    return payload


def request_from_dict(task: str | Task, data: Mapping[str, Any]) -> BaseRequest:
    """Build a typed request from plain data; unknown fields are a clear error."""
    task = Task.parse(task)
    cls = REQUEST_TYPES[task]
    names = {f.name for f in dataclasses.fields(cls)}
    if not isinstance(data, Mapping):
        raise ValidationError(
            "request", f"must be a mapping of field names, got {type(data).__name__}"
        )
    unknown = sorted(str(k) for k in set(data) - names - {"task"})
    if unknown:
        raise ValidationError(
            unknown[0], f"is not a field of a {task.value} request", sorted(names)
        )
    try:
        return cls(**{k: v for k, v in data.items() if k != "task"})
    except TypeError as exc:
        missing = [
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in data
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        if missing:
            raise ValidationError(missing[0], f"is required for a {task.value} request") from None
        raise ValidationError("request", str(exc)) from None
