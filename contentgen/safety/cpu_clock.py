"""A child process's CPU time, and how long a render job may still take when it is starved."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process `pid`, or None where the kernel does not say."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


@dataclass(frozen=True)
class JobClock:
    """A render job's CPU budget in its worker, and the wall time it may take when starved."""

    cpu_start: float
    cpu_limit: float
    wall_cap: float  # time.monotonic() value

    def grace(self, cpu_now: float | None) -> float:
        """Seconds more to wait: what is left of the CPU budget, at most until the wall cap."""
        if cpu_now is None:
            return 0.0
        cpu_left = self.cpu_limit - (cpu_now - self.cpu_start)
        return max(0.0, min(cpu_left, self.wall_cap - time.monotonic()))
