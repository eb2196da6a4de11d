"""Web security: access token, signed session (pseudonym, CSRF token), host check and headers.

Every access-token try (login form or Authorization: Bearer) is counted per client by the app's
LoginThrottle: after a few wrong ones the client gets 429 + Retry-After, tokens unchecked.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contentgen.errors import ConfigError, ValidationError
from contentgen.web.throttle import LoginThrottle, client_key

TOKEN_ENV = "CONTENTGEN_WEB_TOKEN"
SECRET_ENV = "CONTENTGEN_WEB_SECRET"
MIN_TOKEN_CHARS = 16
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class NotAuthenticated(Exception):
    """The request carries neither a valid session nor a valid Bearer token."""


class CsrfRejected(Exception):
    """A state-changing request without a matching CSRF token."""


@dataclass(frozen=True)
class WebSecurity:
    """The app's security settings: optional access token, session key and allowed Host names."""

    token: str | None
    secret_key: str
    allowed_hosts: tuple[str, ...] | None

    @classmethod
    def build(
        cls, token: str | None, secret_key: str | None, allowed_hosts: Sequence[str] | None
    ) -> WebSecurity:
        """Check the token; default to a random session key and, without a token, loopback hosts."""
        if token is not None and len(token.strip()) < MIN_TOKEN_CHARS:
            raise ConfigError(
                f"{TOKEN_ENV} must be at least {MIN_TOKEN_CHARS} characters; create one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(24))'"
            )
        if allowed_hosts is None:
            # Without a token only loopback names are served: this blocks DNS-rebinding pages.
            hosts: tuple[str, ...] | None = None if token else LOCAL_HOSTS
        else:
            hosts = None if "*" in allowed_hosts else tuple(h.lower() for h in allowed_hosts)
        return cls(token.strip() if token else None, secret_key or secrets.token_urlsafe(32), hosts)

    @property
    def token_required(self) -> bool:
        """True when every request must prove it knows the token."""
        return self.token is not None

    def token_fingerprint(self) -> str:
        """What a logged-in session stores: changing the token logs every session out."""
        return hashlib.sha256(f"{self.secret_key}:{self.token}".encode()).hexdigest()[:32]

    def token_matches(self, candidate: str) -> bool:
        """Constant-time comparison with the configured token."""
        if self.token is None:
            return False
        return hmac.compare_digest(candidate.strip().encode(), self.token.encode())


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1 and localhost: the only binds allowed without a token."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def security_of(request: Request) -> WebSecurity:
    """The app's WebSecurity."""
    return request.app.state.security  # type: ignore[no-any-return]


def throttle_of(request: Request) -> LoginThrottle:
    """The app's LoginThrottle."""
    return request.app.state.login_throttle  # type: ignore[no-any-return]


def token_try(request: Request, candidate: str) -> bool:
    """Check a token this client sent: refused while it is throttled, counted either way."""
    security = security_of(request)
    if not security.token_required:
        return False
    throttle = throttle_of(request)
    client = client_key(request.client.host if request.client else None)
    throttle.check(client)
    if security.token_matches(candidate):
        throttle.succeeded(client)
        return True
    throttle.failed(client)
    return False


def bearer_ok(request: Request) -> bool:
    """True when an Authorization: Bearer header carries the configured token.

    The verdict is kept for the rest of the request, so one request is one try however many
    checks ask.
    """
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    verdict = getattr(request.state, "bearer_ok", None)
    if isinstance(verdict, bool):
        return verdict
    # Set first: a throttled try raises, and the error page must not count or raise again.
    request.state.bearer_ok = False
    verdict = token_try(request, value)
    request.state.bearer_ok = verdict
    return verdict


def is_authenticated(request: Request) -> bool:
    """No token configured, a Bearer token, or a session that logged in with the token."""
    security = security_of(request)
    if not security.token_required:
        return True
    if bearer_ok(request):
        return True
    stored = request.session.get("auth")
    return isinstance(stored, str) and hmac.compare_digest(stored, security.token_fingerprint())


def require_login(request: Request) -> None:
    """Dependency: refuse requests that are not authenticated."""
    if not is_authenticated(request):
        raise NotAuthenticated()


def log_in(request: Request, token: str) -> bool:
    """Mark the session as logged in when `token` is right (with a fresh CSRF token).

    Raises LoginThrottled while this client has to wait after too many wrong tokens.
    """
    security = security_of(request)
    if not token_try(request, token):
        return False
    rater = rater_of(request)
    request.session.clear()
    request.session["auth"] = security.token_fingerprint()
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    if rater:
        request.session["rater"] = rater
    return True


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def require_csrf(request: Request) -> None:
    """Dependency: state-changing requests carry the session's CSRF token (Bearer calls exempt)."""
    if request.method in SAFE_METHODS or bearer_ok(request):
        return
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if not sent and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = request.session.get(CSRF_FIELD)
    if not (
        sent and isinstance(expected, str) and hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfRejected()


def rater_of(request: Request) -> str | None:
    """The reviewer pseudonym stored in the signed session, if any."""
    rater = request.session.get("rater")
    return rater if isinstance(rater, str) and rater else None


def set_rater(request: Request, name: str) -> str:
    """Store a reviewer pseudonym in the session after checking it."""
    cleaned = " ".join(str(name).split())
    if not cleaned or len(cleaned) > 200:
        raise ValidationError("rater", "enter a name or pseudonym of 1 to 200 characters")
    request.session["rater"] = cleaned
    return cleaned


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site (no scheme, host or protocol-relative URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target


def _host_name(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key == b"host":
            host = value.decode("latin-1").strip().lower()
            if host.startswith("["):
                return host.split("]", 1)[0] + "]"
            return host.rsplit(":", 1)[0] if ":" in host else host
    return ""


class SecurityHeaders:
    """ASGI middleware: reject unexpected Host headers, add CSP and friends to every response."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        if self.allowed_hosts is not None and _host_name(scope) not in self.allowed_hosts:
            response = PlainTextResponse("invalid Host header", status_code=400)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def session_options(security: WebSecurity, *, https_only: bool) -> dict[str, Any]:
    """Keyword arguments for Starlette's signed-cookie SessionMiddleware."""
    return {
        "secret_key": security.secret_key,
        "session_cookie": "contentgen_session",
        "max_age": 14 * 24 * 3600,
        "same_site": "lax",
        "https_only": https_only,
    }
