"""A pool of render worker processes: any template render stops within 1.5x its time budget.

The sandbox's checks run between operations, and one long C call (a quadratic regex, a huge
sort) cannot be interrupted from Python on any thread but the main one; threads cannot be killed
at all. So renders run in warm child processes (`render_worker.py`, driven through
`render_process.py`), one slice of render jobs per worker at a time. The worker answers each job
as it finishes, and the parent kills a worker whose current job has not been answered by
`1.5 * max_seconds` after the job began (after the previous job's answer, or the send), then
starts a replacement in the background; the jobs after a killed one go to another worker. The
budget is the worker's CPU time where the kernel reports it (Linux `/proc`): a worker that a
loaded machine has starved of CPU gets more wall time, up to `STARVED_WALL_FACTOR` budgets, so
an ordinary render never fails because other jobs are busy, while a render that burns CPU is
still stopped at 1.5x. A slice of renders costs one pipe round trip (a batch job sends its rows
16 at a time) instead of a process start per render. POSIX only (it waits on pipes with `poll`).
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contentgen.safety.budget import RenderLimits
from contentgen.safety.cpu_clock import JobClock
from contentgen.safety.render_process import Gone, RenderFailure, Timeout, Worker, dumps

__all__ = ["LibraryPayload", "RenderFailure", "RenderPool", "shared_pool"]

logger = logging.getLogger(__name__)

HARD_LIMIT_FACTOR = 1.5  # a worker is killed this many budgets after its current job began
STARVED_WALL_FACTOR = 20.0  # ... or, while it has used less CPU than that, this many budgets
Rendered = list[str] | RenderFailure  # one job's texts, or why it has none


@dataclass(frozen=True)
class LibraryPayload:
    """What a worker needs to render a library's templates, under a content key."""

    key: str
    sources: Mapping[str, tuple[str, bool]]  # '<id>' or '<id>#system' -> (source, html)
    problems: Mapping[str, str]  # broken template ids -> why (so includes of them say so)
    limits: RenderLimits


class RenderPool:
    """Warm render workers shared by every library and thread of a process; grows on demand."""

    def __init__(self, max_workers: int | None = None, memory_limit_mb: int | None = 1024) -> None:
        self.max_workers = max_workers or max(2, min(8, os.cpu_count() or 2))
        self.memory_limit = memory_limit_mb * 2**20 if memory_limit_mb else None
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._count = 0  # idle + busy + starting
        self._starting = 0
        self._closed = False
        self._pid = os.getpid()

    def warm(self, workers: int = 1) -> None:
        """Start workers now (up to `workers` in all), so the first renders need not wait."""
        while True:
            with self._cond:
                if self._count >= min(workers, self.max_workers):
                    return
                self._count += 1
            try:
                worker = Worker(self.memory_limit)
            except BaseException:
                with self._cond:
                    self._count -= 1
                    self._cond.notify()
                raise
            self._release(worker, ok=True)

    def render(
        self, library: LibraryPayload, parts: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> list[str]:
        """Render `parts` ((source key, variables) pairs) as one job under the library's budget."""
        result = self.render_many(library, [parts])[0]
        if isinstance(result, RenderFailure):
            raise result
        return result

    def render_many(
        self, library: LibraryPayload, jobs: Sequence[Sequence[tuple[str, Mapping[str, Any]]]]
    ) -> list[Rendered]:
        """Render several jobs in one worker round trip; each keeps its own budget and failure.

        A job stopped at 1.5x its budget fails alone and the jobs after it go to another
        worker. A job whose worker dies is tried once more in a fresh worker (the worker may
        have died of something else, e.g. while idle); if that one dies too, the job fails.
        """
        results: list[Rendered | None] = [None] * len(jobs)
        blobs: dict[int, bytes] = {}
        for index, parts in enumerate(jobs):
            try:
                blobs[index] = dumps(list(parts))
            except Exception as exc:  # an object in the data that cannot cross a process boundary
                results[index] = RenderFailure(
                    "variables",
                    f"template variables must be plain data (text, numbers, lists, mappings): {exc}",
                )
        pending, died = list(blobs), set()
        seconds = library.limits.max_seconds
        while pending:
            try:
                replies, stop, code = self._slice(library, [blobs[i] for i in pending])
            except RenderFailure as exc:  # no worker to render in: every job left fails so
                replies, stop, code = (
                    [{"error": {"kind": exc.kind, "message": exc.message}}] * len(pending),
                    None,
                    None,
                )
            for index, reply in zip(pending, replies, strict=False):
                results[index] = _rendered(reply)
            pending = pending[len(replies) :]
            if stop is None:
                continue
            current = pending.pop(0)
            if stop is Timeout:
                results[current] = RenderFailure(
                    "security",
                    f"render took longer than {seconds:g} s "
                    f"(stopped at {seconds * HARD_LIMIT_FACTOR:g} s)",
                )
            elif current in died:
                results[current] = RenderFailure(
                    "crashed", f"the render process died (exit code {code})"
                )
            else:
                died.add(current)
                pending.insert(0, current)
        return [r if r is not None else RenderFailure("other", "not rendered") for r in results]

    def _slice(
        self, library: LibraryPayload, blobs: list[bytes]
    ) -> tuple[list[dict[str, Any]], type[Exception] | None, int | None]:
        """Send jobs to one worker and read its answers until done, a timeout or its death:
        the replies received, what stopped them (Timeout, Gone or None) and an exit code."""
        worker = self._acquire()
        body = {"op": "render", "library": library.key, "jobs": blobs}
        replies: list[dict[str, Any]] = []
        try:
            replies.append(self._first_reply(worker, library, body, _start_job(worker, library)))
            while len(replies) < len(blobs) and not replies[-1].get("all"):
                replies.append(worker.reply(_start_job(worker, library)))
        except Gone:
            try:
                code: int | None = worker.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
            self._release(worker, ok=False)
            return replies, Gone, code
        except Timeout:
            self._release(worker, ok=False)
            return replies, Timeout, None
        except BaseException:
            self._release(worker, ok=False)
            raise
        self._release(worker, ok=True)
        if replies[-1].get("all"):  # the whole frame failed: every job it held did
            replies += [replies[-1]] * (len(blobs) - len(replies))
        return replies, None, None

    def _first_reply(
        self, worker: Worker, library: LibraryPayload, body: dict[str, Any], deadline: float
    ) -> dict[str, Any]:
        if library.key in worker.known:
            reply = worker.exchange(dumps(body), deadline)
            if not reply.get("unknown_library"):
                return reply
            worker.known.discard(library.key)  # the worker dropped it (it keeps the latest few)
        define = (
            dict(library.sources),
            dict(library.problems),
            dataclasses.asdict(library.limits),
        )
        reply = worker.exchange(dumps({**body, "define": define}), deadline)
        worker.known.add(library.key)
        return reply

    def _acquire(self) -> Worker:
        with self._cond:
            if os.getpid() != self._pid:  # forked: the workers belong to the parent process
                self._idle, self._count, self._starting, self._pid = [], 0, 0, os.getpid()
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.proc.poll() is None:
                        return worker
                    self._count -= 1  # died while idle (killed from outside): drop it
                if self._starting == 0 and self._count < self.max_workers:
                    self._count += 1
                    break
                self._cond.wait()
        try:
            return Worker(self.memory_limit)
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, worker: Worker, *, ok: bool) -> None:
        if ok:
            with self._cond:
                if not self._closed:
                    self._idle.append(worker)
                    self._cond.notify()
                    return
                self._count -= 1
            worker.kill()
            return
        worker.kill()
        with self._cond:  # the replacement takes the killed worker's place in the count
            if self._closed:
                self._count -= 1
                return
            self._starting += 1
        threading.Thread(target=self._replace, name="contentgen-render-start", daemon=True).start()

    def _replace(self) -> None:
        """Start a worker in place of a killed one, so the next render does not wait for it."""
        try:
            worker = Worker(self.memory_limit)
        except Exception as exc:
            logger.warning("could not start a render worker: %s", exc)
            with self._cond:
                self._starting -= 1
                self._count -= 1
                self._cond.notify_all()
            return
        with self._cond:
            self._starting -= 1
            if not self._closed:
                self._idle.append(worker)
                self._cond.notify_all()
                return
            self._count -= 1
        worker.kill()

    def close(self) -> None:
        """Stop idle workers now and busy ones when their render returns (later renders still
        work, each in a worker of its own)."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._closed = True
        for worker in idle:
            worker.kill()


_shared: RenderPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> RenderPool:
    """The process's render pool, started on first use (worker processes are costly to start)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RenderPool()
            atexit.register(_shared.close)
        return _shared


def _start_job(worker: Worker, library: LibraryPayload) -> float:
    """Start the clocks of the worker's next job; its wall deadline (monotonic)."""
    limit = library.limits.max_seconds * HARD_LIMIT_FACTOR
    now = time.monotonic()
    cpu = worker.cpu_seconds()
    worker.job = (
        None
        if cpu is None
        else JobClock(cpu, limit, now + library.limits.max_seconds * STARVED_WALL_FACTOR)
    )
    return now + limit


def _rendered(reply: dict[str, Any]) -> Rendered:
    """A job's reply as its texts or its failure."""
    if "error" in reply:
        return RenderFailure(reply["error"]["kind"], reply["error"]["message"])
    texts: list[str] = reply["texts"]
    return texts
