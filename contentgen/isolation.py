"""Running generators so a bad one cannot take the host down: timeouts and process isolation.

`call_once` runs `generate()` with a per-call timeout (the retries around it are
`contentgen.retry`'s). In-process timeouts use a worker thread; Python cannot kill a thread, so a
generator that hangs keeps its thread (and its CPU/GPU) until it returns, and later calls to that
generator fail fast instead of piling up. For generators you do not trust, `isolated_class` wraps
the class so it runs in a child process (multiprocessing "spawn"): a crash, `os._exit`, segfault
or hang there fails only that call with a GeneratorError naming the generator and the reason, and
the child is started again for the next call.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import signal
import threading
import weakref
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any

from contentgen.errors import GeneratorError, ModelNotAvailableError, TransientGeneratorError
from contentgen.generator import Generator
from contentgen.types import Candidate, ModelInfo, Prompt, PromptError

logger = logging.getLogger(__name__)

_busy: weakref.WeakKeyDictionary[Generator, threading.Thread] = weakref.WeakKeyDictionary()
_busy_lock = threading.Lock()


def call_once(generator: Generator, prompts: Sequence[Prompt], timeout_s: float | None) -> Any:
    """One `generate()` call, cut at `timeout_s` (in a thread, or the isolated child process)."""
    if isinstance(generator, IsolatedGenerator):
        return generator.generate_within(
            prompts, timeout_s if timeout_s is not None else generator.timeout_s
        )
    if timeout_s is None:
        return generator.generate(prompts)
    with _busy_lock:
        previous = _busy.get(generator)
        if previous is not None and previous.is_alive():
            raise GeneratorError(
                f"generator {generator.id} is still running a call that timed out; a thread "
                "cannot be stopped, so mark the generator untrusted "
                "(settings.untrusted_generators) to run it in a process that can be"
            )
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = generator.generate(prompts)
        except BaseException as exc:  # carried back to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, name=f"contentgen-generate-{generator.id}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        with _busy_lock:
            _busy[generator] = worker
        raise TimeoutError(f"generator {generator.id} did not return within {timeout_s:g} s")
    if "error" in box:
        error = box["error"]
        if not isinstance(error, Exception):
            raise GeneratorError(
                f"generator {generator.id} failed: {type(error).__name__}: {error}"
            )
        raise error
    return box["result"]


def checked(
    generator: Generator, prompts: Sequence[Prompt], result: Any
) -> list[list[Candidate] | PromptError]:
    """The result of `generate()`, checked: per prompt a list of Candidates or a PromptError."""
    if not isinstance(result, list | tuple) or len(result) != len(prompts):
        size = len(result) if isinstance(result, list | tuple) else type(result).__name__
        raise GeneratorError(
            f"generator {generator.id} returned {size} results for {len(prompts)} prompts"
        )
    for group in result:
        if isinstance(group, PromptError):
            continue
        if not isinstance(group, list | tuple) or not all(isinstance(c, Candidate) for c in group):
            raise GeneratorError(
                f"generator {generator.id} must return, per prompt, a list of Candidates "
                "(or a PromptError), "
                f"got {type(group).__name__} {_type_names(group)}"
            )
    return [group if isinstance(group, PromptError) else list(group) for group in result]


def _type_names(group: Any) -> list[str]:
    return sorted({type(c).__name__ for c in group}) if isinstance(group, list | tuple) else []


# -- process isolation ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Mappings (MappingProxyType cannot be pickled) become dicts, recursively."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _describe(exc: BaseException) -> tuple[str, str, bool]:
    transient = isinstance(exc, TransientGeneratorError | TimeoutError)
    return type(exc).__name__, str(exc), transient


def _child_main(
    conn: Connection, generator_cls: type[Generator], options: Mapping[str, Any]
) -> None:
    """The child process: build and load the generator, then answer batches until told to stop."""
    try:
        generator = generator_cls(**options)
        generator.load()
        conn.send(("ready", _plain(dataclasses.asdict(generator.model_info()))))
    except BaseException as exc:
        conn.send(("error", _describe(exc)))
        return
    while True:
        try:
            prompts = conn.recv()
        except (EOFError, OSError):
            return
        if prompts is None:
            generator.close()
            return
        try:
            result = generator.generate(prompts)
            plain = [
                group
                if isinstance(group, PromptError)
                else [dataclasses.replace(c, meta=_plain(c.meta)) for c in group]
                for group in result
            ]
            conn.send(("ok", plain))
        except BaseException as exc:
            conn.send(("error", _describe(exc)))


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "no exit code"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _stop(process: Any, conn: Connection | None) -> None:
    try:
        if conn is not None and process.is_alive():
            conn.send(None)
            process.join(0.5)
    except (OSError, ValueError):
        pass
    if process.is_alive():
        process.terminate()
        process.join(1.0)
    if process.is_alive():
        process.kill()
        process.join(1.0)
    if conn is not None:
        conn.close()


class IsolatedGenerator(Generator):
    """A generator whose work runs in a child process; build subclasses with `isolated_class`."""

    target: type[Generator]
    timeout_s: float | None = 120.0
    start_timeout_s: float | None = 600.0

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._process: Any = None
        self._conn: Connection | None = None
        self._info: ModelInfo | None = None
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize | None = None

    def _load(self) -> None:
        with self._lock:
            self._ensure_started()

    def model_info(self) -> ModelInfo:
        """The model the child reported when it loaded (or the configured one before that)."""
        return self._info or ModelInfo(
            model_id=str(self.config.get("model", self.id)), backend="isolated"
        )

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate] | PromptError]:
        """Generate in the child process with this class's `timeout_s`."""
        return self.generate_within(prompts, self.timeout_s)

    def generate_within(
        self, prompts: Sequence[Prompt], timeout_s: float | None
    ) -> list[list[Candidate] | PromptError]:
        """Send prompts to the child and wait up to `timeout_s`; a crash or hang fails this call."""
        with self._lock:
            self._ensure_started()
            assert self._conn is not None
            plain = [
                dataclasses.replace(p, data=_plain(p.data), params=_plain(p.params))
                for p in prompts
            ]
            try:
                self._conn.send(plain)
            except (OSError, ValueError):
                raise self._crashed("receiving prompts") from None
            kind, payload = self._receive(timeout_s, "generating")
            if kind == "error":
                raise _error(self.id, "failed", payload)
            return payload  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the child process."""
        with self._lock:
            self._shutdown()

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        self._shutdown()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_child_main,
            args=(child, self.target, dict(self.config)),
            name=f"contentgen:{self.id}",
        )
        process.start()
        child.close()  # so the parent sees EOF when the child dies
        self._process, self._conn = process, parent
        self._finalizer = weakref.finalize(self, _stop, process, parent)
        kind, payload = self._receive(self.start_timeout_s, "starting")
        if kind == "error":
            self._shutdown()
            raise _error(self.id, "failed to load in its isolated process", payload)
        self._info = ModelInfo(**payload)

    def _receive(self, timeout_s: float | None, doing: str) -> tuple[str, Any]:
        assert self._conn is not None
        try:
            ready = self._conn.poll(timeout_s)
        except (OSError, ValueError):
            ready = True
        if not ready:
            self._shutdown()
            raise TransientGeneratorError(
                f"generator {self.id} timed out after {timeout_s:g} s while {doing}; its isolated "
                "process was stopped and restarts on the next call"
            )
        try:
            return self._conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            raise self._crashed(doing) from None

    def _crashed(self, doing: str) -> GeneratorError:
        process = self._process
        if process is not None:
            process.join(2.0)
        reason = _exit_reason(process.exitcode if process is not None else None)
        self._shutdown()
        return GeneratorError(
            f"generator {self.id} crashed in its isolated process while {doing} ({reason}); "
            "it restarts on the next call"
        )

    def _shutdown(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # runs _stop once
        self._process, self._conn, self._finalizer = None, None, None


def _error(generator_id: str, what: str, payload: tuple[str, str, bool]) -> GeneratorError:
    name, message, transient = payload
    cls: type[GeneratorError] = (
        ModelNotAvailableError
        if name == "ModelNotAvailableError"
        else TransientGeneratorError
        if transient
        else GeneratorError
    )
    return cls(f"generator {generator_id} {what}: {name}: {message}")


def isolated_class(
    generator_cls: type[Generator],
    *,
    timeout_s: float | None = 120.0,
    start_timeout_s: float | None = 600.0,
) -> type[IsolatedGenerator]:
    """A Generator class with the id, options and tasks of `generator_cls`, run in a child process.

    `generator_cls` must be importable by module path (the child imports it again under "spawn").
    """
    attrs = {
        name: getattr(generator_cls, name)
        for name in ("id", "version", "modality", "tasks", "description", "Options", "options")
    }
    attrs.update(
        target=generator_cls,
        timeout_s=timeout_s,
        start_timeout_s=start_timeout_s,
        __doc__=f"{generator_cls.__name__} in an isolated child process.",
        __module__=__name__,
    )
    return type(f"Isolated{generator_cls.__name__}", (IsolatedGenerator,), attrs)
