"""What CPU this process runs on: model name and the vector ISA that kernels may dispatch to.

Numerical backends (oneDNN inside OpenVINO, CTranslate2, torch) pick kernels per instruction set,
so a guarantee such as "a prompt's text does not depend on its batch" can hold on an AVX-512 host
and fail on an AVX2-only one. Benchmarks name the host with this, generators record it in
provenance, and tests use the ISA cap variables to run the lower ISA's kernels on a higher host.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# oneDNN (and OpenVINO's CPU plugin) read these to dispatch no higher than the named ISA.
ISA_CAP_VARIABLES: tuple[str, ...] = ("ONEDNN_MAX_CPU_ISA", "OV_CPU_MAX_ISA")
# Every library's cap at once: the kernels an AVX2-only host (the AMD EPYC machines) runs.
# `make test-avx2` sets the same variables.
AVX2_ONLY_ENVIRONMENT: dict[str, str] = {
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "OV_CPU_MAX_ISA": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
    "CT2_FORCE_CPU_ISA": "AVX2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
}
# Flags that decide which kernels run, highest first, with the names people use for them.
_ISA_FLAGS: tuple[tuple[str, str], ...] = (
    ("amx_tile", "AMX"),
    ("avx512_bf16", "AVX512-BF16"),
    ("avx512_vnni", "VNNI"),
    ("avx512f", "AVX-512"),
    ("avx_vnni", "AVX-VNNI"),
    ("avx2", "AVX2"),
)


@dataclass(frozen=True)
class HostCPU:
    """The CPU as the kernels see it: model name, ISA features, and any cap in force."""

    model: str
    features: tuple[str, ...]
    cap: str | None = None

    @property
    def isa(self) -> str:
        """A short ISA description, e.g. 'AVX-512+VNNI+AMX' or 'AVX2 (capped from AVX-512+AMX)'."""
        native = _isa_name(self.features)
        if self.cap is None:
            return native
        return f"{self.cap.upper()} (capped from {native})"

    def describe(self) -> str:
        """'<model>, <isa>, <n> cores' for benchmark tables and provenance."""
        return f"{self.model}, {self.isa}, {os.cpu_count() or 1} cores"


def _isa_name(features: tuple[str, ...]) -> str:
    order = [name for _, name in _ISA_FLAGS if name in features]
    if "AVX-512" in order:
        return "+".join(["AVX-512", *[n for n in ("VNNI", "AVX512-BF16", "AMX") if n in order]])
    return order[-1] if order else platform.machine() or "unknown"


def _cpuinfo(path: Path = Path("/proc/cpuinfo")) -> tuple[str, set[str]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or platform.machine() or "unknown CPU", set()
    model, flags = "", set[str]()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and not model:
            model = value.strip()
        elif key == "flags" and not flags:
            flags = set(value.split())
    return model or platform.processor() or platform.machine() or "unknown CPU", flags


@cache
def host_cpu() -> HostCPU:
    """This machine's CPU, read once from /proc/cpuinfo (Linux) or the platform module."""
    model, flags = _cpuinfo()
    features = tuple(name for flag, name in _ISA_FLAGS if flag in flags)
    cap = next((os.environ[v] for v in ISA_CAP_VARIABLES if os.environ.get(v)), None)
    return HostCPU(model=model, features=features, cap=cap)
