"""Report intervals against textbook values."""

from __future__ import annotations

import pytest

from contentgen.feedback.intervals import mean_interval, wilson_interval


def test_t_interval_of_a_small_sample() -> None:
    estimate = mean_interval([3.0, 4.0, 5.0])
    # mean 4, sd 1, t(0.975, df=2) = 4.303: 4 +/- 4.303 / sqrt(3)
    assert estimate.value == 4.0 and estimate.n == 3
    assert estimate.low == pytest.approx(1.5159, abs=1e-3) and estimate.high == pytest.approx(
        6.4841, abs=1e-3
    )
    assert estimate.format() == "4.00 [1.52, 6.48] (n=3)"


def test_wilson_interval_known_value_and_extremes() -> None:
    estimate = wilson_interval(8, 10)
    assert estimate.low == pytest.approx(0.4902, abs=1e-3) and estimate.high == pytest.approx(
        0.9433, abs=1e-3
    )
    zero = wilson_interval(0, 5)
    assert zero.value == 0 and zero.low == 0 and 0.4 < (zero.high or 0) < 0.45
    assert wilson_interval(5, 5).high == 1.0
    assert wilson_interval(8, 10).format(percent=True) == "80% [49%, 94%] (n=10)"


def test_no_data_and_one_value() -> None:
    assert mean_interval([]).format() == "- (n=0)"
    assert mean_interval([4.0]).format() == "4.00 (n=1)"
    assert wilson_interval(0, 0).value is None
