"""One render worker process seen from its parent: start it, exchange frames, time it, kill it.

The pool (`render_pool.py`) decides which worker renders what and when one is killed; this
module only owns a child's pipes. Replies are read through a buffer, so the several reply frames
of a slice of renders that arrive together cost one read.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import MappingProxyType
from typing import Any

from contentgen.safety.cpu_clock import JobClock, process_cpu_seconds
from contentgen.safety.render_worker import FRAME

_START_TIMEOUT_S = 60.0  # a slow, loaded machine may take seconds to start Python
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_READ_SIZE = 1 << 16


class RenderFailure(Exception):
    """A render that did not produce text: `kind` says why, `message` says what happened."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


class Timeout(Exception):
    """The worker did not answer by the job's deadline (nor within its starved-CPU grace)."""


class Gone(Exception):
    """The worker died, closed its pipes or sent something that is not a reply."""


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # Requests freeze their mappings; the worker gets plain dicts (read-only there anyway).
        if isinstance(obj, MappingProxyType):
            return dict, (dict(obj),)
        return NotImplemented


def dumps(message: Any) -> bytes:
    """Pickle a message for a worker (frozen mappings become dicts)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(message)
    return buffer.getvalue()


class Worker:
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
        self._buffer = bytearray()
        self.known: set[str] = set()
        self.job: JobClock | None = None
        init = {"op": "init", "sys_path": list(sys.path), "memory_limit": memory_limit}
        try:
            reply = self.exchange(dumps(init), time.monotonic() + _START_TIMEOUT_S)
        except (Timeout, Gone):
            self.kill()
            raise RenderFailure(
                "unavailable", f"the render worker did not start (exit code {self.proc.poll()})"
            ) from None
        if not reply.get("ready"):
            self.kill()
            raise RenderFailure("unavailable", f"the render worker did not start: {reply}")

    def exchange(self, data: bytes, deadline: float) -> dict[str, Any]:
        """Send one frame and read the reply, giving up at `deadline` (monotonic)."""
        self.send(data, deadline)
        return self.reply(deadline)

    def send(self, data: bytes, deadline: float) -> None:
        """Send one frame, giving up at `deadline` (monotonic)."""
        view = memoryview(FRAME.pack(len(data)) + data)
        while view:
            self._wait(deadline, write=True)
            try:
                view = view[os.write(self._to, view) :]
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError):
                raise Gone from None

    def reply(self, deadline: float) -> dict[str, Any]:
        """Read one reply frame, giving up at `deadline` (monotonic)."""
        (size,) = FRAME.unpack(self._receive(FRAME.size, deadline))
        try:
            reply: dict[str, Any] = json.loads(self._receive(size, deadline))
        except ValueError:
            raise Gone from None  # a garbled reply: the worker is not in a state to trust
        return reply

    def _receive(self, size: int, deadline: float) -> bytes:
        while len(self._buffer) < size:
            self._wait(deadline, write=False)
            try:
                chunk = os.read(self._from, max(_READ_SIZE, size - len(self._buffer)))
            except BlockingIOError:
                continue
            except OSError:
                raise Gone from None
            if not chunk:
                raise Gone
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def cpu_seconds(self) -> float | None:
        """The child's CPU time so far (user + system), or None where the kernel does not say."""
        return process_cpu_seconds(self.proc.pid)

    def _wait(self, deadline: float, *, write: bool) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            remaining = self._starved_grace()
        if remaining <= 0:
            raise Timeout
        poller = self._writable if write else self._readable
        if not poller.poll(max(1, math.ceil(remaining * 1000))):
            raise Timeout

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
