"""Paired effect sizes: mean difference with a bootstrap interval, a sign-flip permutation test,
and Holm's correction over a family of tests.

For a counterfactual pair the null hypothesis "the attribute makes no difference" means the two
outputs of a pair are exchangeable, so flipping the sign of any pair's difference is equally
likely: the sign-flip permutation test (scipy's `permutation_test`, permutation_type="samples")
is exact under it and needs no normality. The interval is a percentile bootstrap of the mean
difference (scipy's `bootstrap`). Both are seeded, so a report is reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class PairedEffect:
    """The effect of swapping group A for B on one measure: B - A over the pairs."""

    n: int
    mean_a: float
    mean_b: float
    difference: float
    ci_low: float
    ci_high: float
    effect_size: float | None  # Cohen's d_z: mean difference / SD of the differences
    p_value: float


def paired_effect(
    a: Sequence[float], b: Sequence[float], *, confidence: float, resamples: int, seed: int
) -> PairedEffect:
    """The paired effect of B vs A; pairs where either value is NaN are left out."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    d = y - x
    n = int(d.size)
    if n == 0:
        nan = float("nan")
        return PairedEffect(0, nan, nan, nan, nan, nan, None, 1.0)
    mean = float(d.mean())
    if np.all(d == d[0]):  # no spread: the interval is the point, the test has one outcome
        p = 1.0 if mean == 0 else float(min(1.0, 2.0 / 2.0**n))
        size = None if mean != 0 else 0.0
        return PairedEffect(n, float(x.mean()), float(y.mean()), mean, mean, mean, size, p)
    test = stats.permutation_test(
        (d,),
        np.mean,
        permutation_type="samples",
        n_resamples=resamples,
        alternative="two-sided",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    interval = stats.bootstrap(
        (d,),
        np.mean,
        confidence_level=confidence,
        n_resamples=resamples,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed + 1),
    ).confidence_interval
    sd = float(d.std(ddof=1))
    return PairedEffect(
        n=n,
        mean_a=float(x.mean()),
        mean_b=float(y.mean()),
        difference=mean,
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        effect_size=mean / sd if sd > 0 else None,
        p_value=float(test.pvalue),
    )


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values: reject where adjusted < alpha keeps the family-wise error <= alpha."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
