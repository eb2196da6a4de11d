"""Per-client throttling of failed access-token tries: a few free, then exponentially longer waits.

In-process and thread-safe (one review server process; no Redis). A client is its remote address
(IPv6 by /64 network, the block one host usually holds); other clients are never affected, and a
right token resets the client's count.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


class LoginThrottled(Exception):
    """This client failed too often: no token is checked until `retry_after_s` has passed."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many wrong access tokens; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are free, how the wait grows, when a client is forgotten."""

    free_failures: int = 5
    first_wait_s: float = 1.0
    max_wait_s: float = 900.0
    forget_after_s: float = 3600.0
    max_clients: int = 10_000

    def wait_after(self, failures: int) -> float:
        """Seconds a client waits after its `failures`-th failure in a row (0 while free)."""
        if failures < self.free_failures:
            return 0.0
        doublings = min(failures - self.free_failures, 64)  # 2**64 s is past any max_wait_s
        return float(min(self.max_wait_s, self.first_wait_s * 2**doublings))


@dataclass
class _Client:
    failures: int
    last_failure: float
    blocked_until: float


class LoginThrottle:
    """Failed-login bookkeeping per client; `clock` is injectable so tests never sleep."""

    def __init__(
        self, policy: ThrottlePolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self.clock = clock
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Whole seconds until `client` may try a token again (0: it may now)."""
        with self._lock:
            record = self._current(client, self.clock())
            if record is None:
                return 0
            return max(0, math.ceil(record.blocked_until - self.clock()))

    def check(self, client: str) -> None:
        """Raise LoginThrottled while `client` must wait."""
        wait = self.retry_after(client)
        if wait > 0:
            raise LoginThrottled(wait)

    def failed(self, client: str) -> int:
        """Count a wrong token from `client`; returns the whole seconds it must now wait."""
        now = self.clock()
        with self._lock:
            record = self._current(client, now) or _Client(0, now, now)
            record.failures += 1
            record.last_failure = now
            record.blocked_until = now + self.policy.wait_after(record.failures)
            self._clients[client] = record
            self._clients.move_to_end(client)
            while len(self._clients) > self.policy.max_clients:
                self._clients.popitem(last=False)  # the client quiet for longest goes first
            return math.ceil(record.blocked_until - now)

    def succeeded(self, client: str) -> None:
        """A right token: forget the client's failures."""
        with self._lock:
            self._clients.pop(client, None)

    def failures(self, client: str) -> int:
        """Failures in a row currently counted for `client`."""
        with self._lock:
            record = self._current(client, self.clock())
            return record.failures if record else 0

    def _current(self, client: str, now: float) -> _Client | None:
        record = self._clients.get(client)
        if record is not None and now - record.last_failure >= self.policy.forget_after_s:
            del self._clients[client]
            return None
        return record


def client_key(host: str | None) -> str:
    """The throttling key of a remote address: the address, or its /64 network for IPv6."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
