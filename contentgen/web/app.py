"""The review web app factory: FastAPI + Jinja2 pages + JSON API, safe by default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from contentgen.errors import ContentgenError, UnknownNameError, ValidationError
from contentgen.review.edits import EditBlocked
from contentgen.web import (
    api,
    audits,
    explain,
    pages,
    review_api,
    security,
    sign_in,
    team_api,
    team_pages,
)
from contentgen.web import review_pages as review_forms
from contentgen.web.context import STATIC, render
from contentgen.web.throttle import LoginThrottle, LoginThrottled

if TYPE_CHECKING:
    from contentgen.engine import Engine

DEFAULT_PAGE_SIZE = 25


def _version() -> str:
    try:
        return version("contentgen")
    except PackageNotFoundError:
        return "0"


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json"


def _error(request: Request, status: int, message: str, **extra: object) -> Response:
    if _wants_json(request):
        body = {"detail": message, **{k: v for k, v in extra.items() if v is not None}}
        return JSONResponse(body, status_code=status)
    return render(
        request,
        "error.html",
        status_code=status,
        title=f"Error {status}",
        status=status,
        message=message,
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EditBlocked)
    async def blocked(request: Request, exc: EditBlocked) -> Response:
        if _wants_json(request):
            from contentgen.web.review_schemas import FindingsOut

            findings = FindingsOut.of(exc.findings).model_dump()
            body = {"detail": str(exc), "field": exc.field, "findings": findings}
            return JSONResponse(body, status_code=422)
        return _error(request, 422, str(exc))

    @app.exception_handler(ValidationError)
    async def invalid(request: Request, exc: ValidationError) -> Response:
        choices = [str(c) for c in exc.choices] if exc.choices is not None else None
        return _error(request, 422, str(exc), field=exc.field, choices=choices)

    @app.exception_handler(UnknownNameError)
    async def unknown(request: Request, exc: UnknownNameError) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(ContentgenError)
    async def failed(request: Request, exc: ContentgenError) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(security.NotAuthenticated)
    async def login_needed(request: Request, exc: security.NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": "access token required: send Authorization: Bearer <token>"},
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(LoginThrottled)
    async def throttled(request: Request, exc: LoginThrottled) -> Response:
        response = _error(
            request,
            429,
            f"too many wrong access tokens from your address; try again in {exc.retry_after_s} s",
        )
        response.headers["retry-after"] = str(exc.retry_after_s)
        return response

    @app.exception_handler(security.CsrfRejected)
    async def csrf(request: Request, exc: security.CsrfRejected) -> Response:
        return _error(
            request,
            403,
            "CSRF token missing or wrong: reload the page (API clients: send the X-CSRF-Token "
            "from GET /api/session, or use Authorization: Bearer)",
        )


def create_app(
    engine: Engine,
    *,
    token: str | None = None,
    secret_key: str | None = None,
    allowed_hosts: Sequence[str] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    https_only: bool = False,
    login_throttle: LoginThrottle | None = None,
    reviewers: Mapping[str, str] | None = None,
) -> FastAPI:
    """Build the review app on `engine`.

    With `token` every page and API call needs it (login form -> session, or Bearer). Without a
    token only loopback Host names are answered unless `allowed_hosts` says otherwise ("*" = any).
    `reviewers` maps reviewer names to personal tokens: signing in with one makes the session
    that reviewer (contentgen.web.identity). Wrong tokens are throttled per client by
    `login_throttle` (default: a fresh LoginThrottle).
    """
    sec = security.WebSecurity.build(token, secret_key, allowed_hosts, reviewers)
    app = FastAPI(
        title="contentgen review",
        version=_version(),
        summary="Review, rate, compare and edit generated content; export with ratings.",
        docs_url=None,  # Swagger UI needs a CDN and inline script; the CSP allows neither.
        redoc_url=None,
        openapi_url=None,
    )
    app.state.engine = engine
    app.state.security = sec
    app.state.login_throttle = login_throttle or LoginThrottle()
    app.state.page_size = max(1, min(page_size, pages.MAX_PAGE))

    @app.get(
        "/openapi.json", include_in_schema=False, dependencies=[Depends(security.require_login)]
    )
    def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    app.include_router(api.router)
    app.include_router(review_api.router)
    app.include_router(team_api.router)
    app.include_router(sign_in.public)
    app.include_router(sign_in.router)
    app.include_router(pages.router)
    app.include_router(explain.router)
    app.include_router(audits.router)
    app.include_router(review_forms.router)
    app.include_router(team_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_handlers(app)
    app.add_middleware(SessionMiddleware, **security.session_options(sec, https_only=https_only))
    app.add_middleware(security.SecurityHeaders, allowed_hosts=sec.allowed_hosts)
    return app
