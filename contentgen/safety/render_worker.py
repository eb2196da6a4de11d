"""The render worker: a child process that renders sandboxed templates, so a runaway can be killed.

Started by `render_process.py` as `python -P -m contentgen.safety.render_worker`. It reads
length-prefixed frames on stdin (pickled by its parent: trusted) and answers on stdout in JSON,
so the parent never unpickles anything a template produced. A render frame holds a slice of
jobs, each pickled on its own; the worker answers each job in a frame of its own as soon as it
has rendered, so the parent can time (and, if need be, kill) each job separately. Each library is sent once (its
template sources, problems and limits, under a content key) and compiled here on first use.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import struct
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import jinja2
from jinja2.sandbox import SecurityError

from contentgen.errors import TemplateError
from contentgen.safety.budget import Budget, RenderLimits
from contentgen.safety.sandbox import LimitedSandbox, render_limited
from contentgen.safety.untrusted import data_filter, delimiter_instructions

FRAME = struct.Struct("!I")
_LIBRARIES_KEPT = 32


def prompt_environment(
    autoescape: bool, loader: jinja2.BaseLoader, limits: RenderLimits | None = None
) -> LimitedSandbox:
    """The sandbox prompt templates render in (and are parsed with): strict, with `data`."""
    env = LimitedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        loader=loader,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        limits=limits,
    )
    # `{{ x | data }}` cleans untrusted text inline; `{{ x | data('facts') }}` delimits a block.
    env.filters["data"] = env.guard_filter("data", data_filter)
    env.globals["data_instructions"] = delimiter_instructions()
    return env


@dataclass
class _Library:
    """One library version: sources by key ('<id>' or '<id>#system'), problems, limits."""

    sources: Mapping[str, tuple[str, bool]]
    problems: Mapping[str, str]
    limits: RenderLimits
    compiled: dict[str, jinja2.Template] = field(default_factory=dict)
    envs: dict[bool, LimitedSandbox] = field(default_factory=dict)

    def _include(self, name: str) -> str:
        # Only library ids may be included: no absolute paths, no '../', no file system access.
        if name in self.problems:
            raise TemplateError(f"{name} cannot be included: {self.problems[name]}")
        if "#" in name or name not in self.sources:
            raise TemplateError(
                f"templates may only include library ids like 'marketing/search_ad', not {name!r}"
            )
        return self.sources[name][0]

    def template(self, key: str) -> jinja2.Template:
        """The compiled template for a source key (compiled once per worker)."""
        compiled = self.compiled.get(key)
        if compiled is None:
            source, html = self.sources[key]
            env = self.envs.get(html)
            if env is None:
                loader = jinja2.FunctionLoader(self._include)
                env = self.envs[html] = prompt_environment(html, loader, self.limits)
            compiled = self.compiled[key] = env.from_string(source)
        return compiled

    def render(self, parts: list[tuple[str, Mapping[str, Any]]]) -> list[str]:
        """Render every part under one budget: they are one request's prompt."""
        budget = Budget(self.limits)
        return [render_limited(self.template(k), v, self.limits, budget) for k, v in parts]


def failure(exc: BaseException) -> dict[str, str]:
    """A render exception as a record the parent turns back into a TemplateError."""
    if isinstance(exc, jinja2.UndefinedError):
        return {"kind": "undefined", "message": exc.message or str(exc)}
    if isinstance(exc, SecurityError):
        return {"kind": "security", "message": str(exc)}
    if isinstance(exc, TemplateError):
        return {"kind": "template", "message": str(exc)}
    if isinstance(exc, jinja2.TemplateError):
        return {"kind": "jinja", "message": str(exc)}
    if isinstance(exc, RecursionError):
        return {"kind": "security", "message": "recursion"}
    if isinstance(exc, MemoryError):
        return {"kind": "security", "message": "out of memory"}
    return {"kind": "other", "message": f"{type(exc).__name__}: {exc}"}


def _read(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def _write(stream: BinaryIO, reply: Mapping[str, Any]) -> None:
    # ensure_ascii keeps lone surrogates (undecodable input) representable.
    data = json.dumps(reply, ensure_ascii=True).encode("ascii")
    stream.write(FRAME.pack(len(data)) + data)
    stream.flush()


def handle(
    libraries: OrderedDict[str, _Library], message: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    """Answer one request frame: one reply, or one per render job as each finishes."""
    if message.get("op") == "init":
        sys.path[:] = list(dict.fromkeys([*message["sys_path"], *sys.path]))
        limit = message.get("memory_limit")
        if limit:
            try:
                import resource

                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            except (ImportError, ValueError, OSError):
                pass  # best effort: the size budgets still apply
        yield {"ready": True}
        return
    key = message["library"]
    if "define" in message:
        sources, problems, limits = message["define"]
        libraries[key] = _Library(sources, problems, RenderLimits(**limits))
    library = libraries.get(key)
    if library is None:
        yield {"unknown_library": True}
        return
    libraries.move_to_end(key)
    while len(libraries) > _LIBRARIES_KEPT:
        libraries.popitem(last=False)
    for job in message["jobs"]:
        yield _render_job(library, job)


def _render_job(library: _Library, job: bytes) -> dict[str, Any]:
    """One job (pickled on its own, so one row's odd data fails only that row)."""
    try:
        parts = pickle.loads(job)  # noqa: S301 - written by our own parent process
        return {"texts": library.render(parts)}
    except Exception as exc:  # every render failure goes back as a record
        return {"error": failure(exc)}


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer frames until the parent closes the pipe; each reply is flushed as it is made."""
    libraries: OrderedDict[str, _Library] = OrderedDict()
    while True:
        header = _read(requests, FRAME.size)
        if header is None:
            return
        body = _read(requests, FRAME.unpack(header)[0])
        if body is None:
            return
        try:
            message = pickle.loads(body)  # noqa: S301 - written by our own parent process
            for reply in handle(libraries, message):
                _write(replies, reply)
        except OSError:
            return  # the parent has gone
        except Exception as exc:  # a frame we cannot use: say so for all its jobs, keep serving
            _write(replies, {"error": failure(exc), "all": True})


def main() -> None:
    """Serve on stdin/stdout; anything else printing goes to stderr, not into the protocol."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
