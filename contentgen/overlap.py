"""Model batches in flight: the engine's queue of prepared batches, some already generating.

A generator whose calls wait on a server (`Generator.concurrent_calls`, e.g. builtin:openai) has
each model batch's first call started on a worker thread as soon as the batch is formed, so its
requests are in flight while the engine checks and stores the batches before it. Every other
generator's batches wait in the queue and run on the engine's thread when their turn comes, as
before. Checks, repair rounds and commits stay with the engine, in queue order; this module
only holds the queue and the threads (the engine decides what goes in and when it comes out).
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from contentgen.generation import EarlyCall, Generation, by_generator, chunks
from contentgen.work import Work

if TYPE_CHECKING:
    from contentgen.registry import GeneratorRegistry

log = logging.getLogger(__name__)
AHEAD = 4  # batches queued (their first calls possibly in flight) before the oldest is finished
SLICE = 16  # batch rows prepared at a time, so requests start before a whole window is ready
Batch = list[tuple[int, Work]]  # a model batch's works with their positions in the input


def batch_size(registry: GeneratorRegistry, generator_id: str) -> int:
    """Prompts per model batch for a generator (1 for one that cannot even be built)."""
    try:
        return max(1, registry.get(generator_id).max_batch_size())
    except Exception:  # a generator that cannot be built fails per work when it loads
        return 1


def concurrent(registry: GeneratorRegistry, generator_id: str) -> bool:
    """Whether the generator's calls may overlap (see `Generator.concurrent_calls`)."""
    try:
        return bool(registry.get(generator_id).concurrent_calls)
    except Exception:
        return False


def model_batches(
    works: Sequence[tuple[int, Work]], registry: GeneratorRegistry
) -> Iterator[Batch]:
    """Works grouped by generator, similar prompt lengths together, at most a batch each."""
    position = {id(w): p for p, w in works}
    for gid, group in by_generator([w for _, w in works]).items():
        ordered = sorted(group, key=lambda w: w.prompt_chars)
        for chunk in chunks(ordered, batch_size(registry, gid)):
            yield [(position[id(w)], w) for w in chunk]


def full_batches(
    works: Sequence[tuple[int, Work]], registry: GeneratorRegistry
) -> tuple[list[Batch], list[tuple[int, Work]]]:
    """Full model batches of the concurrent-call generators among `works`, and the works left.

    Those generators wait on a server, not on padding, so their batches need not wait for a
    whole window to be sorted by prompt length.
    """
    groups: dict[str, list[tuple[int, Work]]] = defaultdict(list)
    for entry in works:
        groups[entry[1].generator_id].append(entry)
    ready: list[Batch] = []
    rest: list[tuple[int, Work]] = []
    for gid, group in groups.items():
        size = batch_size(registry, gid)
        cut = len(group) - len(group) % size if concurrent(registry, gid) else 0
        for start in range(0, cut, size):
            ready.append(sorted(group[start : start + size], key=lambda e: e[1].prompt_chars))
        rest += group[cut:]
    return ready, sorted(rest, key=lambda e: e[0])


class CallsAhead:
    """A FIFO of model batches; a concurrent-call generator's batch starts its first call at once."""

    def __init__(self, generation: Generation, registry: GeneratorRegistry) -> None:
        self._generation = generation
        self._registry = registry
        self._queue: deque[tuple[Batch, Future[EarlyCall | None] | None]] = deque()
        self._pool: ThreadPoolExecutor | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, batch: Batch) -> None:
        """Queue a batch, starting its first call now where its generator's calls may overlap."""
        future = None
        if concurrent(self._registry, batch[0][1].generator_id):
            if self._pool is None:  # threads only for streams that have such a generator
                self._pool = ThreadPoolExecutor(AHEAD + 1, thread_name_prefix="contentgen-ahead")
            future = self._pool.submit(self._generation.first_call, [w for _, w in batch])
        self._queue.append((batch, future))

    def pop(self) -> tuple[Batch, EarlyCall | None]:
        """The oldest batch and its first call once made (None: `Generation.run` makes it)."""
        batch, future = self._queue.popleft()
        if future is None:
            return batch, None
        try:
            return batch, future.result()
        except Exception as exc:  # a bug in the early call must not lose the batch: run() calls again
            log.warning("a model batch's early call failed (%s); calling the generator again", exc)
            log.debug("early call failure", exc_info=True)
            return batch, None

    def close(self) -> None:
        """Forget the queued batches; wait for the calls in flight (a thread cannot be stopped)."""
        self._queue.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> CallsAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
