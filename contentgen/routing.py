"""Routing: choose generator, template and parameters for a request (explicit > config > default)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from contentgen.config import Route, Settings
from contentgen.errors import ConfigError, TemplateError, ValidationError
from contentgen.generator import GeneratorSpec
from contentgen.registry import GeneratorRegistry
from contentgen.tasks.spec import RouteChoice, TaskSpec
from contentgen.templates import TemplateLibrary, template_id_parts
from contentgen.types import BaseRequest, Task

SAMPLING_KEYS = ("max_new_tokens", "temperature", "top_p", "top_k", "stop")
# Template front-matter keys that become the request's params: sampling values, which win over
# the route's, and defaults, which a route or request param replaces.
TEMPLATE_PARAMS = ("max_new_tokens", "stop")
TEMPLATE_DEFAULTS = ("fields",)


@dataclass(frozen=True)
class RoutePlan:
    """The routing decision for one request."""

    generator_id: str
    template_id: str | None
    params: Mapping[str, Any]
    seed: int
    fallback_id: str | None
    check_fallback: bool = False  # e.g. "auto" summaries: use the fallback when checks fail


def plan_route(
    request: BaseRequest,
    settings: Settings,
    registry: GeneratorRegistry,
    templates: TemplateLibrary,
    spec: TaskSpec | None = None,
) -> RoutePlan:
    """Decide generator, template, params and seed; every problem is reported before loading.

    `spec` is the request's task (the engine passes its own; without it, the built-in tasks').
    """
    task = _spec(request, spec)
    route = settings.route(request.task)
    # A generator the user named is never swapped for another: if it cannot run, the request fails.
    choice = RouteChoice(
        request.generator or route.generator,
        route.fallback if request.generator is None else None,
        explicit=request.generator is not None,
    )
    if task.plan_hook is not None:
        choice = task.plan_hook(request, choice, registry)
    generator_id, fallback = choice.generator_id, choice.fallback_id
    generator = registry.check_supports(generator_id, request.task)
    if fallback is not None and fallback not in registry.ids():
        fallback = None
    template_id = _template_id(request, task, route, templates)
    template_meta: Mapping[str, Any] = {}
    if template_id is not None:
        info = templates.get(template_id)
        template_meta = {
            k: info.meta[k] for k in (*TEMPLATE_PARAMS, *TEMPLATE_DEFAULTS) if k in info.meta
        }
    from_template = _template_params(template_id, template_meta)
    params: dict[str, Any] = {
        **{k: v for k, v in from_template.items() if k in TEMPLATE_DEFAULTS},
        **_route_params(route, request.task, generator),
        **{k: v for k, v in from_template.items() if k not in TEMPLATE_DEFAULTS},
        **_request_params(request, generator),
    }
    if request.n > 1 and float(params.get("temperature", 0.8)) <= 0 and task.modality == "text":
        params["temperature"] = 0.8  # several variants from greedy decoding would be identical
    seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
    plan = RoutePlan(generator_id, template_id, params, seed, fallback, choice.check_fallback)
    return task.plan_check(request, plan, registry) if task.plan_check is not None else plan


def _spec(request: BaseRequest, spec: TaskSpec | None) -> TaskSpec:
    if spec is not None:
        return spec
    from contentgen.tasks.registry import builtin_tasks

    return builtin_tasks().spec_for(request)


def _template_id(
    request: BaseRequest, task: TaskSpec, route: Route, templates: TemplateLibrary
) -> str | None:
    """The request's template, else the route's, else the task's default; checked to fit it.

    A request with a channel (its output spec) uses only templates written for that channel:
    a configured template for another channel gives way to the default, a named one is an error.
    """
    output = task.output_spec(request)
    channel = output.name if output is not None else None
    template_id = request.template or route.template
    if request.template is None and template_id is not None and channel is not None:
        configured = templates.get(template_id).channel if templates.exists(template_id) else None
        if configured is not None and configured != channel:
            template_id = None
    template_id = template_id or task.default_template(request)
    if template_id is None:
        return None
    owner, _ = template_id_parts(template_id)
    if owner != request.task:
        raise ValidationError(
            "template",
            f"{template_id!r} is a {owner} template, not {request.task}",
            templates.ids(request.task),
        )
    info = templates.get(template_id)
    if channel is not None and info.channel and info.channel != channel:
        raise ValidationError(
            "template",
            f"{template_id!r} writes for channel {info.channel!r}, not {channel!r}",
            [t.id for t in templates.list(request.task) if t.channel == channel],
        )
    return template_id


def _request_params(request: BaseRequest, spec: GeneratorSpec) -> Mapping[str, Any]:
    """The request's params, each name common or declared by the chosen generator."""
    if request.params:
        from contentgen.sampling import check_generator_params

        names = [f.name for f in fields(request) if f.name != "params"]
        check_generator_params(request.params, spec.id, spec.extra_params, request_fields=names)
    return request.params


def _route_params(route: Route, task: Task, spec: GeneratorSpec) -> dict[str, Any]:
    """The configured route's params; those meant for another generator are left out."""
    if not route.params:
        return {}
    from contentgen.sampling import COMMON_PARAMS, check_config_params, check_generator_params

    params = dict(route.params)
    if spec.id != route.generator:  # an explicit generator gets only what it understands
        params = {k: v for k, v in params.items() if k in COMMON_PARAMS or k in spec.extra_params}
    where = f"routes.{task}.params"
    check_config_params(params, where)  # Settings built in Python skipped contentgen.toml's check
    try:
        check_generator_params(params, spec.id, spec.extra_params, where=where)
    except ValidationError as exc:
        raise ConfigError(str(exc)) from None
    return params


def _template_params(template_id: str | None, meta: Mapping[str, Any]) -> Mapping[str, Any]:
    """A template's front-matter sampling values (max_new_tokens, stop), checked like params."""
    if meta:
        from contentgen.sampling import check_params

        try:
            check_params(meta, f"templates.{template_id}")
        except ValidationError as exc:
            raise TemplateError(f"{exc} (in the template's front matter)") from None
    return meta
