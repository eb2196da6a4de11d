"""Tuning takes bf16 autocast only on CPUs whose kernels run bf16 natively."""

from __future__ import annotations

import pytest

from contentgen.hostinfo import HostCPU
from contentgen.training.lora_sft import native_bf16


@pytest.mark.parametrize(
    ("features", "cap", "expected"),
    [
        (("AMX", "AVX512-BF16", "VNNI", "AVX-512", "AVX2"), None, True),
        (("AVX512-BF16", "VNNI", "AVX-512", "AVX2"), None, True),
        (("VNNI", "AVX-512", "AVX2"), None, False),
        (("AVX2",), None, False),
        (("AVX512-BF16", "VNNI", "AVX-512", "AVX2"), "AVX2", False),
        (("AVX512-BF16", "VNNI", "AVX-512", "AVX2"), "AVX512_CORE_VNNI", False),
        (("AVX512-BF16", "VNNI", "AVX-512", "AVX2"), "AVX512_CORE_BF16", True),
        (("AMX", "AVX512-BF16", "AVX-512", "AVX2"), "AVX512_CORE_AMX", True),
    ],
)
def test_bf16_is_native_only_with_amx_or_avx512_bf16_not_capped_off(
    features: tuple[str, ...], cap: str | None, expected: bool
) -> None:
    assert native_bf16(HostCPU(model="test CPU", features=features, cap=cap)) is expected
