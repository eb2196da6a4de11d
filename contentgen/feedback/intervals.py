"""Confidence intervals for the report: t interval of a mean, Wilson interval of a proportion."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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


def wilson_interval(successes: int, n: int, z: float = Z95) -> Estimate:
    """Proportion with the Wilson score interval (sensible even at 0 or n successes)."""
    if n == 0:
        return Estimate(None, None, None, 0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)
