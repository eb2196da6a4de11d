"""Confidence intervals for the report: t interval of a mean, Wilson interval of a proportion."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from contentgen.errors import ValidationError

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval and sample size."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    def format(self, digits: int = 2, *, percent: bool = False) -> str:
        """'3.81 [3.42, 4.20] (n=25)', or a percentage form; '-' when there is no data."""
        if self.value is None:
            return f"- (n={self.n})"
        scale, unit = (100.0, "%") if percent else (1.0, "")
        d = 0 if percent else digits
        value = f"{self.value * scale:.{d}f}{unit}"
        if self.low is None or self.high is None:
            return f"{value} (n={self.n})"
        low, high = f"{self.low * scale:.{d}f}{unit}", f"{self.high * scale:.{d}f}{unit}"
        return f"{value} [{low}, {high}] (n={self.n})"


def _t_quantile(df: int, level: float) -> float:
    try:
        from scipy.stats import t

        return float(t.ppf(0.5 + level / 2, df))
    except ImportError:  # the normal quantile is close enough once df > 30
        return Z95


def mean_interval(values: Sequence[float], level: float = 0.95) -> Estimate:
    """Mean with a Student-t confidence interval (no interval for fewer than two values)."""
    n = len(values)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = sum(values) / n
    if n < 2:
        return Estimate(mean, None, None, n)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = _t_quantile(n - 1, level) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def _wilson_bounds(successes: int, n: int, z: float) -> tuple[float, float]:
    # Accurate for successes <= n / 2. The bounds are the roots of
    # (1 + z²/n)x² - (2p + z²/n)x + p² = 0; the upper one is a sum of positive terms and the
    # lower one is taken from the product of the roots, p² / (1 + z²/n), instead of
    # "centre - half", which cancels: no rounding below 0, and exactly 0 only when p is 0.
    p = successes / n
    spread = z * z / n
    high = (p + spread / 2 + z * math.sqrt(p * (1 - p) / n + spread / (4 * n))) / (1 + spread)
    low = 0.0 if successes == 0 else p * (p / ((1 + spread) * high))
    return low, high


def wilson_interval(successes: int, n: int, z: float = Z95) -> Estimate:
    """Proportion with the Wilson score interval: 0 <= low <= p <= high <= 1, exact at 0 and n."""
    if n < 0 or not 0 <= successes <= n:
        raise ValidationError("successes", f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return Estimate(None, None, None, 0)
    p = successes / n
    if 2 * successes <= n:
        low, high = _wilson_bounds(successes, n, z)
    else:
        # Mirror the failures' interval, so 1 is exact at n and nothing cancels near 1.
        failures_low, failures_high = _wilson_bounds(n - successes, n, z)
        low, high = 1.0 - failures_high, 1.0 - failures_low
    return Estimate(p, max(0.0, min(low, p)), min(1.0, max(high, p)), n)
