"""Per-request helpers shared by pages and API: the engine, the rater and HTML rendering."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from contentgen.errors import ValidationError
from contentgen.web import security

if TYPE_CHECKING:
    from contentgen.engine import Engine
    from contentgen.review.rubrics import RubricLibrary

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def engine_of(request: Request) -> Engine:
    """The engine the app was built with."""
    return request.app.state.engine  # type: ignore[no-any-return]


def rubrics(request: Request) -> RubricLibrary:
    """The rubrics in the engine's template folders, read on first use and kept by the app."""
    found = getattr(request.app.state, "rubrics", None)
    if found is None:
        from contentgen.review.scoring import rubrics_of

        found = request.app.state.rubrics = rubrics_of(engine_of(request))
    return found  # type: ignore[no-any-return]


def rater_for(request: Request, given: str | None) -> str:
    """Who rates: the signed-in reviewer or the session's pseudonym, else the name sent (API
    clients; never a name that has a personal token), else a clear error."""
    rater = security.rater_of(request)
    if rater:
        return rater
    if given and given.strip():
        return security.check_name(request, given)
    raise ValidationError(
        "rater",
        'say who is rating: POST /api/session {"rater": ...} or send "rater" in the body',
    )


@lru_cache(maxsize=64)
def markdown_html(text: str) -> Markup:
    """Markdown as HTML with raw HTML escaped and unsafe link schemes refused (markdown-it)."""
    from markdown_it import MarkdownIt

    return Markup(MarkdownIt("commonmark", {"html": False}).render(text))


def source_of(request: Request) -> str:
    """Where a rating came from: 'api' for Bearer calls, 'web' for the browser."""
    return "api" if security.bearer_ok(request) else "web"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The page templates; autoescaping is on for everything (generated text is untrusted)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    env.globals["flash"] = None
    env.filters["query"] = lambda params, **extra: urlencode({**params, **extra})
    env.filters["markdown"] = markdown_html
    return env


@lru_cache(maxsize=32)
def _digest(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """A cache-busting URL of a static file."""
    return f"/static/{name}?v={_digest(name)}"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with what every page needs (CSRF token, rater, login state)."""
    sec = security.security_of(request)
    html = (
        environment()
        .get_template(template)
        .render(
            csrf=security.csrf_token(request),
            rater=security.rater_of(request),
            token_required=sec.token_required,
            logged_in=sec.token_required and security.is_authenticated(request),
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)
