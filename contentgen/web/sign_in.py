"""Signing in: the access-token form, signing out, and the reviewer's name (see web.identity)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from contentgen.errors import ValidationError
from contentgen.web import security
from contentgen.web.context import render
from contentgen.web.throttle import LoginThrottled

public = APIRouter(include_in_schema=False, dependencies=[Depends(security.require_csrf)])
router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(security.require_login), Depends(security.require_csrf)],
)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@public.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The access-token form (only when a token is configured)."""
    if not security.security_of(request).token_required or security.is_authenticated(request):
        return _see_other(security.safe_next(next))
    return render(request, "login.html", title="Sign in", next=security.safe_next(next), error=None)


@public.post("/login")
def login(
    request: Request, token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    """Check the access token; a right one turns the session into a logged-in one."""
    target = security.safe_next(next)
    try:
        if security.log_in(request, token):
            return _see_other(target)
    except LoginThrottled as exc:
        page = render(
            request,
            "login.html",
            status_code=429,
            title="Sign in",
            next=target,
            error=f"Too many wrong access tokens. Try again in {exc.retry_after_s} seconds.",
        )
        page.headers["retry-after"] = str(exc.retry_after_s)
        return page
    return render(
        request,
        "login.html",
        status_code=401,
        title="Sign in",
        next=target,
        error="That access token is not right.",
    )


@public.post("/logout")
def logout(request: Request) -> Response:
    """Forget the session (login and reviewer name)."""
    request.session.clear()
    return _see_other("/login" if security.security_of(request).token_required else "/whoami")


@router.get("/whoami")
def whoami_form(request: Request, next: str = "/") -> Response:
    """Ask the reviewer for a name or pseudonym."""
    return render(
        request,
        "whoami.html",
        title="Who are you?",
        next=security.safe_next(next),
        error=None,
        signed_in=security.signed_in_reviewer(request),
    )


@router.post("/whoami")
def whoami(
    request: Request, rater: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    """Store the reviewer name in the signed session cookie."""
    try:
        security.set_rater(request, rater)
    except ValidationError as exc:
        return render(
            request,
            "whoami.html",
            status_code=422,
            title="Who are you?",
            next=security.safe_next(next),
            error=str(exc),
            signed_in=security.signed_in_reviewer(request),
        )
    return _see_other(security.safe_next(next))
