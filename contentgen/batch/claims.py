"""This process's run of a batch job: it claims rows before generating them and keeps them alive.

Two runs of one job at once (two terminals, two machines, a cron job overlapping a manual run)
each claim a window of rows before generating it; a row claimed by a live run is left to it, and
waited for at the end. A run renews its lease from a background thread, so a long model batch
does not lose its rows; a run killed on this host is seen dead at once (its process is gone), one
on another host when its lease lapses (LEASE_S), and its rows are taken over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.storage.job_claims import (
    Claim,
    RunOwner,
    claim_items,
    end_run,
    heartbeat,
    start_run,
)

if TYPE_CHECKING:
    from contentgen.storage.store import Store
    from contentgen.types import JobItem

log = logging.getLogger(__name__)
# Long enough for a busy database to answer a heartbeat, short enough that a machine that died
# mid-job hands its rows to the others within a couple of minutes.
LEASE_S = 120.0


@cache
def _host() -> str:
    """This host, with its process-id namespace: pids only compare within one namespace."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}"


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks) of a process from /proc, None where there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()  # the command name may hold spaces and ')'
    return (fields[0], fields[19]) if len(fields) > 19 else None


def this_process() -> RunOwner:
    """The owner record of the current process."""
    stat = _proc_stat(os.getpid())
    return RunOwner(_host(), os.getpid(), stat[1] if stat else None)


def process_gone(owner: RunOwner) -> bool:
    """True only when the owner's process certainly no longer runs: same host and namespace,
    and its pid is free, a zombie, or taken by a newer process."""
    if owner.host != _host() or os.name != "posix":  # os.kill(pid, 0) terminates on Windows
        return False
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, owned by another user
    stat = _proc_stat(owner.pid)
    if stat is None:
        return False
    state, started = stat
    return state == "Z" or (owner.pid_started is not None and started != owner.pid_started)


class RunLease:
    """A registered run of one job: claim rows, renew the lease in the background, end."""

    def __init__(
        self,
        store: Store,
        job_id: str,
        *,
        retry_failed: bool = False,
        lease_s: float = LEASE_S,
        heartbeat_s: float | None = None,
    ) -> None:
        self.store = store
        self.job_id = job_id
        self.retry_failed = retry_failed
        self.lease_s = lease_s
        self.heartbeat_s = heartbeat_s if heartbeat_s is not None else lease_s / 6
        self.run_id = start_run(store, job_id, this_process())
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._renew, name=f"contentgen-lease-{self.run_id[:8]}", daemon=True
        )
        self._thread.start()

    def claim(self, items: Sequence[JobItem], *, insert: bool = True) -> Claim:
        """Claim these rows for this run; the rest are finished or held by another live run."""
        return claim_items(
            self.store,
            self.job_id,
            self.run_id,
            items,
            insert=insert,
            retry_failed=self.retry_failed,
            lease_s=self.lease_s,
            is_dead=process_gone,
        )

    def _renew(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            try:
                heartbeat(self.store, self.run_id)
            except (
                Exception
            ) as exc:  # a database hiccup must not end the run; the next try may work
                log.warning("could not renew the claim of batch run %s: %s", self.run_id, exc)

    def close(self) -> None:
        """Stop renewing and end the run, handing back rows it claimed but did not finish."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        end_run(self.store, self.run_id)
