"""Review-server safety rules that need no database: binds, tokens, redirects, Host names."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from contentgen.cli.serve import check_bind
from contentgen.errors import ConfigError
from contentgen.web.security import (
    LOCAL_HOSTS,
    SecurityHeaders,
    WebSecurity,
    is_loopback,
    safe_next,
)

TOKEN = "a-long-enough-token-123"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_binds_need_no_token(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com"])
def test_other_binds_need_the_token(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(ConfigError, match="CONTENTGEN_WEB_TOKEN"):
        check_bind(host, None)
    check_bind(host, TOKEN)


def test_tokens_must_be_long_and_decide_the_allowed_hosts() -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        WebSecurity.build("hunter2", None, None)
    assert WebSecurity.build(None, None, None).allowed_hosts == LOCAL_HOSTS
    assert WebSecurity.build(TOKEN, None, None).allowed_hosts is None
    assert WebSecurity.build(None, None, ["*"]).allowed_hosts is None
    secured = WebSecurity.build(TOKEN, "k", None)
    assert secured.token_matches(TOKEN) and not secured.token_matches(TOKEN + "x")
    assert (
        WebSecurity.build(None, None, None).secret_key
        != WebSecurity.build(None, None, None).secret_key
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/outputs/abc?x=1", "/outputs/abc?x=1"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_redirect_targets_stay_on_the_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8000", 200),
        ("localhost", 200),
        ("[::1]:8000", 200),
        ("evil.example", 400),
        ("127.0.0.1.evil.example", 400),
        ("localhost.evil.example:8000", 400),
    ],
)
def test_only_loopback_host_names_are_answered_without_a_token(host: str, status: int) -> None:
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("hi"))])
    client = TestClient(SecurityHeaders(app, LOCAL_HOSTS))
    response = client.get("/", headers={"Host": host})
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
