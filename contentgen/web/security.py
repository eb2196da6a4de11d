"""Web security: access token, signed session (pseudonym, CSRF token), host check and headers.

Every access-token try (login form or Authorization: Bearer) is counted per client by the app's
LoginThrottle: after a few wrong ones the client gets 429 + Retry-After, tokens unchecked.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contentgen.errors import ConfigError, ValidationError
from contentgen.web import identity
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
    reviewers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        token: str | None,
        secret_key: str | None,
        allowed_hosts: Sequence[str] | None,
        reviewers: Mapping[str, str] | None = None,
    ) -> WebSecurity:
        """Check the tokens; default to a random session key and, without tokens, loopback hosts.

        `reviewers` maps reviewer names to personal tokens (see contentgen.web.identity).
        """
        if token is not None and len(token.strip()) < MIN_TOKEN_CHARS:
            raise ConfigError(
                f"{TOKEN_ENV} must be at least {MIN_TOKEN_CHARS} characters; create one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(24))'"
            )
        people = dict(reviewers or {})
        if token and token.strip() in people.values():
            raise ConfigError(f"{TOKEN_ENV} must differ from every reviewer's personal token")
        if allowed_hosts is None:
            # Without a token only loopback names are served: this blocks DNS-rebinding pages.
            hosts: tuple[str, ...] | None = None if token or people else LOCAL_HOSTS
        else:
            hosts = None if "*" in allowed_hosts else tuple(h.lower() for h in allowed_hosts)
        secret = secret_key or secrets.token_urlsafe(32)
        return cls(token.strip() if token else None, secret, hosts, people)

    @property
    def token_required(self) -> bool:
        """True when every request must prove it knows a token (shared or personal)."""
        return self.token is not None or bool(self.reviewers)

    def reviewer_fingerprint(self, name: str) -> str | None:
        """What a reviewer's session stores (None for a name without a personal token)."""
        token = self.reviewers.get(name)
        return identity.fingerprint(self.secret_key, name, token) if token else None

    def token_fingerprint(self) -> str:
        """What a logged-in session stores: changing the token logs every session out."""
        return hashlib.sha256(f"{self.secret_key}:{self.token}".encode()).hexdigest()[:32]

    def token_matches(self, candidate: str) -> bool:
        """Constant-time comparison with the configured token."""
        if self.token is None:
            return False
        return hmac.compare_digest(candidate.strip().encode(), self.token.encode())

    def who(self, candidate: str) -> tuple[bool, str | None]:
        """(token right, reviewer name): the shared token gives no name, a personal one its owner."""
        reviewer = identity.match(self.reviewers, candidate)
        return (reviewer is not None or self.token_matches(candidate)), reviewer


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


def token_try(request: Request, candidate: str) -> tuple[bool, str | None]:
    """Check a token this client sent: refused while it is throttled, counted either way.

    Returns whether it is right and, for a personal token, whose it is.
    """
    security = security_of(request)
    if not security.token_required:
        return False, None
    throttle = throttle_of(request)
    client = client_key(request.client.host if request.client else None)
    throttle.check(client)
    right, reviewer = security.who(candidate)
    if right:
        throttle.succeeded(client)
        return True, reviewer
    throttle.failed(client)
    return False, None


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
    verdict, reviewer = token_try(request, value)
    request.state.bearer_ok = verdict
    request.state.bearer_reviewer = reviewer
    return verdict


def is_authenticated(request: Request) -> bool:
    """No token configured, a Bearer token, or a session that logged in with the token."""
    security = security_of(request)
    if not security.token_required:
        return True
    if bearer_ok(request):
        return True
    stored = request.session.get("auth")
    if not isinstance(stored, str):
        return False
    reviewer = request.session.get("reviewer")
    expected = (
        security.reviewer_fingerprint(reviewer)
        if isinstance(reviewer, str)
        else (security.token_fingerprint() if security.token is not None else None)
    )
    return expected is not None and hmac.compare_digest(stored, expected)


def require_login(request: Request) -> None:
    """Dependency: refuse requests that are not authenticated."""
    if not is_authenticated(request):
        raise NotAuthenticated()


def log_in(request: Request, token: str) -> bool:
    """Mark the session as logged in when `token` is right (with a fresh CSRF token).

    Raises LoginThrottled while this client has to wait after too many wrong tokens.
    """
    security = security_of(request)
    right, reviewer = token_try(request, token)
    if not right:
        return False
    rater = rater_of(request)
    request.session.clear()
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    if reviewer is not None:
        request.session["auth"] = security.reviewer_fingerprint(reviewer)
        request.session["reviewer"] = reviewer
    else:
        request.session["auth"] = security.token_fingerprint()
        if rater and rater not in security.reviewers:
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


def signed_in_reviewer(request: Request) -> str | None:
    """The reviewer a personal token proved (Bearer, or the signed-in session), else None."""
    if bearer_ok(request):
        found = getattr(request.state, "bearer_reviewer", None)
        return found if isinstance(found, str) else None
    reviewer = request.session.get("reviewer")
    if isinstance(reviewer, str) and is_authenticated(request):
        return reviewer
    return None


def rater_of(request: Request) -> str | None:
    """Who rates: the reviewer a personal token proved, else the session's pseudonym, if any."""
    reviewer = signed_in_reviewer(request)
    if reviewer is not None:
        return reviewer
    rater = request.session.get("rater")
    return rater if isinstance(rater, str) and rater else None


def check_name(request: Request, name: str) -> str:
    """A pseudonym this request may rate under: not a personal-token holder's name."""
    cleaned = " ".join(str(name).split())
    if not cleaned or len(cleaned) > 200:
        raise ValidationError("rater", "enter a name or pseudonym of 1 to 200 characters")
    if cleaned.casefold() in {n.casefold() for n in security_of(request).reviewers}:
        raise ValidationError(
            "rater", f"{cleaned!r} signs in with a personal access token; choose another name"
        )
    return cleaned


def set_rater(request: Request, name: str) -> str:
    """Store a reviewer pseudonym in the session after checking it."""
    reviewer = signed_in_reviewer(request)
    if reviewer is not None:
        raise ValidationError(
            "rater", f"you are signed in as {reviewer} with your own token; sign out to switch"
        )
    cleaned = check_name(request, name)
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
