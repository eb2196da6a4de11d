"""Outcomes of a partly failed `generate()` call, kept for the engine's row-by-row retry of it.

When one prompt of a model batch fails, the engine fails the whole batch and the batch runner
asks again one prompt at a time. A generator whose prompts are independent requests (a served
model) keeps each prompt's outcome, answer or error, so that retry costs no server work, repeats
no wait and gives every prompt the outcome it already had. Entries are taken once and expire.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class CarryOver(Generic[T]):
    """A bounded, thread-safe map of key -> outcome; each outcome is handed out at most once."""

    def __init__(
        self,
        *,
        limit: int = 4096,
        ttl_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._items: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit
        self._ttl_s = ttl_s
        self._clock = clock

    def keep(self, key: str, outcome: T) -> None:
        """Remember `outcome` under `key` (the oldest entries go first when full)."""
        with self._lock:
            self._items[key] = (self._clock(), outcome)
            self._items.move_to_end(key)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def take(self, key: str) -> T | None:
        """The outcome kept under `key`, removed; None when there is none or it is too old."""
        with self._lock:
            found = self._items.pop(key, None)
        if found is None or self._clock() - found[0] > self._ttl_s:
            return None
        return found[1]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
