"""How property and fuzz tests explore: repeatable in `make test`, open-ended in `make fuzz`.

`make test` loads the "repeatable" Hypothesis profile: examples derived from each test's source
(`derandomize`), no example database, so every host replays exactly the same cases and a failure
found once is found again. `make fuzz` loads "explore": fresh random examples, the local example
database, and `examples(n)` scaled by CONTENTGEN_FUZZ_SCALE. Cases `make fuzz` finds are pinned as
explicit examples in the test that found them.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "CONTENTGEN_HYPOTHESIS_PROFILE"
SCALE_VARIABLE = "CONTENTGEN_FUZZ_SCALE"

settings.register_profile(
    "repeatable", derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile(
    "explore",
    derandomize=False,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def load_profile() -> str:
    """Load the profile named by CONTENTGEN_HYPOTHESIS_PROFILE (default: repeatable)."""
    name = os.environ.get(PROFILE_VARIABLE, "repeatable")
    settings.load_profile(name)
    return name


def examples(count: int) -> int:
    """`count` examples in `make test`; `count` x CONTENTGEN_FUZZ_SCALE in `make fuzz`."""
    try:
        scale = max(1, int(os.environ.get(SCALE_VARIABLE, "1")))
    except ValueError:
        scale = 1
    return count * scale
