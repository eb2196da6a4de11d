"""A pool of render worker processes: any template render stops within 1.5x its time budget.

The sandbox's checks run between operations, and one long C call (a quadratic regex, a huge
sort) cannot be interrupted from Python on any thread but the main one; threads cannot be killed
at all. So renders run in warm child processes (`render_worker.py`), one render per worker at a
time, and the parent kills a worker that has not answered by `1.5 * max_seconds` after the job
was sent, then starts a replacement in the background. The budget is the worker's CPU time where
the kernel reports it (Linux `/proc`): a worker that a loaded machine has starved of CPU gets
more wall time, up to `STARVED_WALL_FACTOR` budgets, so an ordinary render never fails because
other jobs are busy, while a render that burns CPU is still stopped at 1.5x. A render costs a pipe round trip
(well under a millisecond for an ordinary prompt) instead of a process start. POSIX only (it
waits on pipes with `select`).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import io
import json
import logging
import math
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from contentgen.safety.budget import RenderLimits
from contentgen.safety.cpu_clock import JobClock, process_cpu_seconds
from contentgen.safety.render_worker import FRAME

logger = logging.getLogger(__name__)

HARD_LIMIT_FACTOR = 1.5  # a worker is killed this many budgets after its job was sent
STARVED_WALL_FACTOR = 20.0  # ... or, while it has used less CPU than that, this many budgets
_START_TIMEOUT_S = 60.0  # a slow, loaded machine may take seconds to start Python
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class RenderFailure(Exception):
    """A render that did not produce text: `kind` says why, `message` says what happened."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class LibraryPayload:
    """What a worker needs to render a library's templates, under a content key."""

    key: str
    sources: Mapping[str, tuple[str, bool]]  # '<id>' or '<id>#system' -> (source, html)
    problems: Mapping[str, str]  # broken template ids -> why (so includes of them say so)
    limits: RenderLimits


class _Timeout(Exception):
    pass


class _Gone(Exception):
    pass


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # Requests freeze their mappings; the worker gets plain dicts (read-only there anyway).
        if isinstance(obj, MappingProxyType):
            return dict, (dict(obj),)
        return NotImplemented


def _dumps(message: Mapping[str, Any]) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(message)
    return buffer.getvalue()


class _Worker:
    """One child process and the parent's ends of its pipes."""

    def __init__(self, memory_limit: int | None) -> None:
        if not sys.executable:
            raise RenderFailure("unavailable", "no Python executable to start the render worker")
        env = {**os.environ}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p
        )
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-P", "-m", "contentgen.safety.render_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
        except OSError as exc:
            raise RenderFailure("unavailable", f"cannot start the render worker: {exc}") from None
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._to = self.proc.stdin.fileno()
        self._from = self.proc.stdout.fileno()
        os.set_blocking(self._to, False)
        os.set_blocking(self._from, False)
        # poll, not select: select cannot watch descriptors above 1024 (busy servers have them)
        self._writable = select.poll()
        self._writable.register(self._to, select.POLLOUT)
        self._readable = select.poll()
        self._readable.register(self._from, select.POLLIN)
        self.known: set[str] = set()
        self.job: JobClock | None = None
        init = {"op": "init", "sys_path": list(sys.path), "memory_limit": memory_limit}
        try:
            reply = self.exchange(_dumps(init), time.monotonic() + _START_TIMEOUT_S)
        except (_Timeout, _Gone):
            self.kill()
            raise RenderFailure(
                "unavailable", f"the render worker did not start (exit code {self.proc.poll()})"
            ) from None
        if not reply.get("ready"):
            self.kill()
            raise RenderFailure("unavailable", f"the render worker did not start: {reply}")

    def exchange(self, data: bytes, deadline: float) -> dict[str, Any]:
        """Send one frame and read the reply, giving up at `deadline` (monotonic)."""
        self._send(FRAME.pack(len(data)) + data, deadline)
        (size,) = FRAME.unpack(self._receive(FRAME.size, deadline))
        try:
            reply: dict[str, Any] = json.loads(self._receive(size, deadline))
        except ValueError:
            raise _Gone from None  # a garbled reply: the worker is not in a state to trust
        return reply

    def _send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait(deadline, write=True)
            try:
                view = view[os.write(self._to, view) :]
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError):
                raise _Gone from None

    def _receive(self, size: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        while size:
            self._wait(deadline, write=False)
            try:
                chunk = os.read(self._from, min(size, 1 << 20))
            except BlockingIOError:
                continue
            except OSError:
                raise _Gone from None
            if not chunk:
                raise _Gone
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def cpu_seconds(self) -> float | None:
        """The child's CPU time so far (user + system), or None where the kernel does not say."""
        return process_cpu_seconds(self.proc.pid)

    def _wait(self, deadline: float, *, write: bool) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            remaining = self._starved_grace()
        if remaining <= 0:
            raise _Timeout
        poller = self._writable if write else self._readable
        if not poller.poll(max(1, math.ceil(remaining * 1000))):
            raise _Timeout

    def _starved_grace(self) -> float:
        """Seconds more to wait for a job whose worker has not yet used its CPU budget; else 0."""
        return 0.0 if self.job is None else self.job.grace(self.cpu_seconds())

    def kill(self) -> None:
        """Stop the child now and reap it in the background (a killed child exits in ms)."""
        with contextlib.suppress(OSError):
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        threading.Thread(
            target=self.proc.wait, name="contentgen-render-reaper", daemon=True
        ).start()


class RenderPool:
    """Warm render workers shared by every library and thread of a process; grows on demand."""

    def __init__(self, max_workers: int | None = None, memory_limit_mb: int | None = 1024) -> None:
        self.max_workers = max_workers or max(2, min(8, os.cpu_count() or 2))
        self.memory_limit = memory_limit_mb * 2**20 if memory_limit_mb else None
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
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
                worker = _Worker(self.memory_limit)
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
        try:
            body = {"op": "render", "library": library.key, "parts": list(parts)}
            plain = _dumps(body)
        except Exception as exc:  # an object in the data that cannot cross a process boundary
            raise RenderFailure(
                "variables",
                f"template variables must be plain data (text, numbers, lists, mappings): {exc}",
            ) from None
        seconds = library.limits.max_seconds
        deadline = time.monotonic() + seconds * HARD_LIMIT_FACTOR
        for attempt in (1, 2):
            worker = self._acquire()
            cpu_start = worker.cpu_seconds()
            worker.job = (
                None
                if cpu_start is None
                else JobClock(
                    cpu_start,
                    seconds * HARD_LIMIT_FACTOR,
                    time.monotonic() + seconds * STARVED_WALL_FACTOR,
                )
            )
            try:
                reply = self._run(worker, library, body, plain, deadline)
            except _Gone:
                try:
                    code: int | None = worker.proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    code = None
                self._release(worker, ok=False)
                if attempt == 1:
                    continue  # it may have died while idle; rendering has no side effects
                raise RenderFailure(
                    "crashed", f"the render process died (exit code {code})"
                ) from None
            except _Timeout:
                self._release(worker, ok=False)
                raise RenderFailure(
                    "security",
                    f"render took longer than {seconds:g} s "
                    f"(stopped at {seconds * HARD_LIMIT_FACTOR:g} s)",
                ) from None
            except BaseException:
                self._release(worker, ok=False)
                raise
            self._release(worker, ok=True)
            if "error" in reply:
                raise RenderFailure(reply["error"]["kind"], reply["error"]["message"])
            texts: list[str] = reply["texts"]
            return texts
        raise AssertionError("unreachable")

    def _run(
        self,
        worker: _Worker,
        library: LibraryPayload,
        body: dict[str, Any],
        plain: bytes,
        deadline: float,
    ) -> dict[str, Any]:
        if library.key in worker.known:
            reply = worker.exchange(plain, deadline)
            if not reply.get("unknown_library"):
                return reply
            worker.known.discard(library.key)  # the worker dropped it (it keeps the latest few)
        define = (
            dict(library.sources),
            dict(library.problems),
            dataclasses.asdict(library.limits),
        )
        reply = worker.exchange(_dumps({**body, "define": define}), deadline)
        worker.known.add(library.key)
        return reply

    def _acquire(self) -> _Worker:
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
            return _Worker(self.memory_limit)
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker, *, ok: bool) -> None:
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
            worker = _Worker(self.memory_limit)
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
