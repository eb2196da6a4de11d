"""Build a cache directory exactly once: in a temp dir beside it, under a lock, then one rename."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

COMPLETE_MARKER = ".contentgen-complete"


def is_complete(target: Path, stamp: str = "ok") -> bool:
    """True when `target` was fully built by `build_atomically` from the source named by `stamp`."""
    marker = target / COMPLETE_MARKER
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == stamp


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: the atomic rename alone still keeps the cache consistent
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def build_atomically(target: Path, build: Callable[[Path], None], stamp: str = "ok") -> Path:
    """Run `build(tmp_dir)` unless `target` is complete, then move the result to `target`.

    `stamp` identifies the source (e.g. a package version); a directory built from another source
    is rebuilt. A second process waiting on the lock finds the finished directory and does no
    work; a crash leaves only a temp dir, never a half-written `target`.
    """
    if is_complete(target, stamp):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(target.parent / f".{target.name}.lock"):
        if is_complete(target, stamp):
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            build(tmp)
            (tmp / COMPLETE_MARKER).write_text(stamp + "\n", encoding="utf-8")
            if target.exists():
                # An incomplete or stale directory from an older build: replace it.
                stale = target.with_name(f".{target.name}.stale-{os.getpid()}")
                os.replace(target, stale)
                shutil.rmtree(stale, ignore_errors=True)
            os.replace(tmp, target)
            log.info("built %s", target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target
