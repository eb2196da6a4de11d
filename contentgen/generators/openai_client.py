"""Talking to an OpenAI-compatible server: an event loop thread, bounded concurrency, retries.

httpx and tenacity are imported when a Sender is built, never when this module is imported.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from contentgen.errors import GeneratorError
from contentgen.generators.openai_wire import (
    RetryableAnswer,
    check_status,
    decode_json,
    model_ids,
)

if TYPE_CHECKING:
    from tenacity import RetryCallState

log = logging.getLogger(__name__)
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class LoopThread:
    """An asyncio event loop in a daemon thread, so sync code on any thread can await on it.

    A generator's `generate()` may run on the caller's thread, on the engine's timeout worker or
    under a framework's running loop; one long-lived loop serves them all and keeps the HTTP
    connections alive between calls.
    """

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the loop and wait for it; cancelled if the waiting thread gives up."""
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("LoopThread.run called from its own loop; await the coroutine")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def close(self) -> None:
        """Stop the loop and its thread (pending work is cancelled)."""
        if self.loop.is_closed():
            return
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self.loop.close()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait: exponential backoff with jitter, Retry-After honoured.

    A wait is `backoff_s * 2**k` plus up to `backoff_s` of jitter, or the server's Retry-After if
    that is longer; no single wait exceeds `max_wait_s`.
    """

    max_retries: int
    backoff_s: float
    max_wait_s: float


class Sender:
    """Sends requests to one server: at most `concurrency` in flight, each retried by a policy."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        *,
        concurrency: int,
        timeout_s: float,
        policy: RetryPolicy,
        sleep: Sleep,
        now: Callable[[], float],
    ) -> None:
        import httpx
        from tenacity import wait_exponential, wait_random

        self.base_url = base_url
        self.timeout_s = timeout_s
        self.policy = policy
        self._client = httpx.AsyncClient(
            headers=dict(headers),
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self._semaphore = asyncio.Semaphore(concurrency)
        self._backoff = wait_exponential(
            multiplier=policy.backoff_s, max=policy.max_wait_s
        ) + wait_random(0, policy.backoff_s)
        self._sleep = sleep
        self._now = now
        self.attempts = 0
        self.retries = 0

    async def call(self, method: str, path: str, body: Any, check: Callable[[Any], T]) -> T:
        """`check(json answer)` of `method path`, retrying whatever raises RetryableAnswer."""
        from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableAnswer),
            sleep=self._sleep,
            before_sleep=self._note_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return check(await self._once(method, path, body))
        raise AssertionError("tenacity ends with a result or the last error")  # pragma: no cover

    async def _once(self, method: str, path: str, body: Any) -> Any:
        import httpx

        url = self.base_url + path
        async with self._semaphore:
            self.attempts += 1
            try:
                response = await self._client.request(method, url, json=body)
            except httpx.TimeoutException as exc:
                raise RetryableAnswer(
                    f"no answer within {self.timeout_s:g} s ({type(exc).__name__})"
                ) from None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise RetryableAnswer(f"connection failed: {type(exc).__name__}: {exc}") from None
            except httpx.HTTPError as exc:
                raise GeneratorError(f"request failed: {type(exc).__name__}: {exc}") from None
        check_status(response.status_code, response.headers, response.content, self._now)
        return decode_json(response.headers, response.content)

    def _wait(self, state: RetryCallState) -> float:
        """Backoff with jitter, or longer when the server sent Retry-After; capped."""
        delay = float(self._backoff(state))
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, RetryableAnswer) and error.retry_after is not None:
            delay = max(delay, error.retry_after)
        return min(delay, self.policy.max_wait_s)

    def _note_retry(self, state: RetryCallState) -> None:
        self.retries += 1
        error = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        # Bodies are never logged: they hold customers' text.
        log.info(
            "%s: %s; retry %d/%d in %.2f s",
            self.base_url,
            error,
            state.attempt_number,
            self.policy.max_retries,
            wait,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


@dataclass(frozen=True)
class ServerStatus:
    """What `contentgen generators` shows about a server: reachable, and which models it lists."""

    base_url: str
    reachable: bool
    models: tuple[str, ...] = ()
    problem: str | None = None


def probe(base_url: str, headers: Mapping[str, str], timeout_s: float) -> ServerStatus:
    """One quick GET of `/models`, no retries; never raises for a server that is down."""
    import time

    import httpx

    try:
        response = httpx.get(base_url + "/models", headers=dict(headers), timeout=timeout_s)
    except httpx.HTTPError as exc:
        return ServerStatus(base_url, False, problem=f"{type(exc).__name__}: {exc}")
    try:
        check_status(response.status_code, response.headers, response.content, time.time)
        ids = model_ids(decode_json(response.headers, response.content))
    except GeneratorError as exc:
        return ServerStatus(base_url, True, problem=str(exc))
    return ServerStatus(base_url, True, tuple(ids))
