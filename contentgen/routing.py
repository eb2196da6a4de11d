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
from contentgen.templates import TemplateLibrary, template_id_parts
from contentgen.types import (
    BaseRequest,
    ImageRequest,
    MarketingRequest,
    NewsSummaryRequest,
    Task,
)

EXTRACTIVE = "builtin:extractive"
SAMPLING_KEYS = ("max_new_tokens", "temperature", "top_p", "top_k", "stop")


@dataclass(frozen=True)
class RoutePlan:
    """The routing decision for one request."""

    generator_id: str
    template_id: str | None
    params: Mapping[str, Any]
    seed: int
    fallback_id: str | None
    check_fallback: bool = False  # "auto" summaries: use the fallback when checks fail


def default_template(request: BaseRequest) -> str | None:
    """The built-in template a request uses when nothing else is configured."""
    if isinstance(request, MarketingRequest):
        return f"marketing/{request.channel}"
    if isinstance(request, NewsSummaryRequest):
        return f"news_summary/{request.style}"
    if request.task is Task.CUSTOMER_SERVICE:
        return "customer_service/reply"
    return None


def plan_route(
    request: BaseRequest,
    settings: Settings,
    registry: GeneratorRegistry,
    templates: TemplateLibrary,
) -> RoutePlan:
    """Decide generator, template, params and seed; every problem is reported before loading."""
    route = settings.route(request.task)
    generator_id = request.generator or route.generator
    # A generator the user named is never swapped for another: if it cannot run, the request fails.
    fallback = route.fallback if request.generator is None else None
    check_fallback = False
    if isinstance(request, NewsSummaryRequest) and request.generator is None:
        if request.method == "extractive":
            generator_id, fallback = EXTRACTIVE, None
        elif request.method == "auto" and generator_id != EXTRACTIVE:
            fallback, check_fallback = EXTRACTIVE, True
        elif request.method == "abstractive" and generator_id == EXTRACTIVE:
            raise ValidationError(
                "method",
                "abstractive summaries need a language-model generator, not the extractive one",
                [s.id for s in registry.for_task(request.task) if s.id != EXTRACTIVE],
            )
    spec = registry.check_supports(generator_id, request.task)
    if fallback is not None and fallback not in registry.ids():
        fallback = None

    template_id = request.template or (route.template if request.template is None else None)
    if (
        isinstance(request, MarketingRequest)
        and template_id is not None
        and request.template is None
    ):
        # A configured marketing template only applies to its own channel.
        channel = templates.get(template_id).channel if templates.exists(template_id) else None
        if channel is not None and channel != request.channel:
            template_id = None
    template_id = template_id or default_template(request)
    template_meta: Mapping[str, Any] = {}
    if template_id is not None:
        task, _ = template_id_parts(template_id)
        if task is not request.task:
            raise ValidationError(
                "template",
                f"{template_id!r} is a {task.value} template, not {request.task.value}",
                templates.ids(request.task),
            )
        info = templates.get(template_id)
        template_meta = {k: info.meta[k] for k in ("max_new_tokens", "stop") if k in info.meta}
        if (
            isinstance(request, MarketingRequest)
            and info.channel
            and info.channel != request.channel
        ):
            raise ValidationError(
                "template",
                f"{template_id!r} writes for channel {info.channel!r}, not {request.channel!r}",
                [t.id for t in templates.list(Task.MARKETING) if t.channel == request.channel],
            )

    params: dict[str, Any] = {
        **_route_params(route, request.task, spec),
        **_template_params(template_id, template_meta),
        **_request_params(request, spec),
    }
    if isinstance(request, ImageRequest):
        for name in ("negative_prompt", "width", "height", "steps", "guidance"):
            value = getattr(request, name)
            if value is not None:
                params[name] = value
        from contentgen.image_support import check_image_route

        fallback, real_size = check_image_route(request, params, registry, generator_id, fallback)
        params.update(real_size)
    if (
        request.n > 1
        and float(params.get("temperature", 0.8)) <= 0
        and request.task is not Task.IMAGE
    ):
        params["temperature"] = 0.8  # several variants from greedy decoding would be identical
    seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
    return RoutePlan(generator_id, template_id, params, seed, fallback, check_fallback)


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
    where = f"routes.{task.value}.params"
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
