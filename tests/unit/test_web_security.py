"""Review-server safety rules that need no database: binds, tokens, redirects, Host names, and
throttling of wrong access tokens per client (on the real app, with a clock the test moves)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from contentgen.cli.serve import check_bind
from contentgen.engine import Engine
from contentgen.errors import ConfigError
from contentgen.web import create_app
from contentgen.web.security import (
    LOCAL_HOSTS,
    SecurityHeaders,
    WebSecurity,
    is_loopback,
    safe_next,
)
from contentgen.web.throttle import LoginThrottle, ThrottlePolicy, client_key

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


class Clock:
    """A clock the test moves by hand, so throttling is tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_free_tries_then_doubling_waits_up_to_a_cap() -> None:
    clock = Clock()
    throttle = LoginThrottle(ThrottlePolicy(free_failures=3, max_wait_s=10.0), clock=clock)
    waits = [throttle.failed("a") for _ in range(8)]
    assert waits == [0, 0, 1, 2, 4, 8, 10, 10]
    assert throttle.retry_after("a") == 10 and throttle.retry_after("b") == 0
    clock.now += 9.5
    assert throttle.retry_after("a") == 1, "rounded up: never invites a try that is refused"
    clock.now += 0.5
    assert throttle.retry_after("a") == 0 and throttle.failures("a") == 8
    throttle.succeeded("a")
    assert throttle.failures("a") == 0 and throttle.failed("a") == 0


def test_failures_are_forgotten_after_a_quiet_period_and_clients_are_bounded() -> None:
    clock = Clock()
    policy = ThrottlePolicy(free_failures=1, forget_after_s=60.0, max_clients=2)
    throttle = LoginThrottle(policy, clock=clock)
    throttle.failed("a")
    clock.now += 60.0
    assert throttle.failures("a") == 0 and throttle.retry_after("a") == 0
    for client in ("a", "b", "c"):
        throttle.failed(client)
    assert [throttle.failures(c) for c in ("a", "b", "c")] == [0, 1, 1]


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # same /64: one host's addresses
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("testclient", "testclient"),
        (None, "unknown"),
    ],
)
def test_clients_are_keyed_by_address_and_ipv6_by_64_network(host: str | None, key: str) -> None:
    assert client_key(host) == key


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> FastAPI:
    # Login and the session endpoint never touch the engine, so none is needed here.
    return create_app(
        cast(Engine, None),
        token=TOKEN,
        login_throttle=LoginThrottle(ThrottlePolicy(free_failures=5), clock=clock),
    )


def _client(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1", client=(address, 50000))


@pytest.fixture
def attacker(app: FastAPI) -> Iterator[TestClient]:
    with _client(app, "203.0.113.66") as built:
        yield built


def _log_in(client: TestClient, token: str) -> Any:
    page = client.get("/login").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "login form has a CSRF field"
    return client.post(
        "/login",
        data={"token": token, "csrf_token": match.group(1), "next": "/jobs"},
        follow_redirects=False,
    )


def test_thirty_wrong_tokens_in_a_row_get_five_checked_then_429(attacker: TestClient) -> None:
    statuses = [_log_in(attacker, f"wrong-token-{i:04d}-xxxxxx").status_code for i in range(30)]
    assert statuses == [401] * 5 + [429] * 25
    refused = _log_in(attacker, "wrong-token-again-xxxxxxxx")
    assert refused.headers["retry-after"] == "1" and "Try again in 1 seconds" in refused.text


def test_throttling_spares_other_clients_refuses_the_right_token_and_resets_on_success(
    app: FastAPI, attacker: TestClient, clock: Clock
) -> None:
    for _ in range(6):
        _log_in(attacker, "wrong-token-xxxxxxxxxxxx")
    with _client(app, "198.51.100.7") as reviewer:
        assert _log_in(reviewer, "wrong-token-xxxxxxxxxxxx").status_code == 401
        assert _log_in(reviewer, TOKEN).status_code == 303
        assert reviewer.get("/api/session").json()["authenticated"] is True
    # While it waits even the right token is not checked, so guessing learns nothing.
    assert _log_in(attacker, TOKEN).status_code == 429
    clock.now += 1.0
    assert _log_in(attacker, TOKEN).headers["location"] == "/jobs"
    throttle = cast(LoginThrottle, app.state.login_throttle)
    assert throttle.failures("203.0.113.66") == 0


def test_wrong_bearer_tokens_count_once_per_request_and_get_429_json(
    app: FastAPI, attacker: TestClient, clock: Clock
) -> None:
    wrong = {"Authorization": "Bearer wrong-token-xxxxxxxxxxxx"}
    # A POST asks for the token twice (CSRF exemption, login); it is still one try.
    posted = attacker.post("/api/session", json={"rater": "x"}, headers=wrong)
    assert posted.status_code == 401
    assert cast(LoginThrottle, app.state.login_throttle).failures("203.0.113.66") == 1
    statuses = [attacker.get("/api/session", headers=wrong).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    refused = attacker.get("/api/session", headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "try again in 1 s" in refused.json()["detail"]
    page = attacker.get("/jobs", headers=wrong)
    assert page.status_code == 429 and "Error 429" in page.text
    clock.now += 1.0
    right = attacker.get("/api/session", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200 and right.json()["authenticated"] is True


def test_without_a_token_nothing_is_counted(clock: Clock) -> None:
    throttle = LoginThrottle(clock=clock)
    app = create_app(cast(Engine, None), login_throttle=throttle)
    with _client(app, "127.0.0.1") as local:
        for _ in range(10):
            local.get("/api/session", headers={"Authorization": "Bearer anything"})
    assert throttle.failures("127.0.0.1") == 0
