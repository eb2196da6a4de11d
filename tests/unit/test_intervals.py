"""Report intervals against textbook values, and their invariants over every (passed, total)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contentgen.errors import ValidationError
from contentgen.feedback.intervals import Estimate, mean_interval, wilson_interval
from contentgen.feedback.report_html import error_bar
from tests.fuzzing import examples


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


@pytest.mark.parametrize(("passed", "total"), [(1, 1), (10, 10), (13, 13), (25, 25), (199, 199)])
def test_all_passed_gives_exactly_one_not_a_hair_below(passed: int, total: int) -> None:
    # The textbook "centre + half" gave 0.9999999999999999 here: a negative error bar.
    estimate = wilson_interval(passed, total)
    assert estimate.value == 1.0 and estimate.high == 1.0
    assert error_bar(estimate)[1] == 0.0


def _check(estimate: Estimate, passed: int, total: int) -> None:
    assert estimate.n == total and estimate.value == passed / total
    low, p, high = estimate.low, estimate.value, estimate.high
    assert low is not None and high is not None
    assert 0.0 <= low <= p <= high <= 1.0
    assert (low == 0.0) == (passed == 0)
    assert (passed == total) <= (high == 1.0)
    below, above = error_bar(estimate)
    assert below >= 0.0 and above >= 0.0


def test_every_pair_up_to_200_keeps_the_interval_ordered_and_exact_at_the_ends() -> None:
    for total in range(1, 201):
        for passed in range(total + 1):
            estimate = wilson_interval(passed, total)
            _check(estimate, passed, total)
            # below 1 unless all passed, and strictly around p when neither end is reached
            assert (estimate.high == 1.0) == (passed == total), (passed, total)
            if 0 < passed < total:
                assert estimate.low < estimate.value < estimate.high, (passed, total)  # type: ignore[operator]


@st.composite
def counts(draw: st.DrawFn) -> tuple[int, int]:
    total = draw(st.integers(1, 10**15))
    passed = draw(st.one_of(st.integers(0, total), st.sampled_from([0, 1, total - 1, total])))
    return passed, total


@settings(max_examples=examples(400))
@given(counts())
@example((10**15 - 1, 10**15))
@example((1, 10**15))
def test_large_totals_keep_the_interval_ordered(pair: tuple[int, int]) -> None:
    passed, total = pair
    _check(wilson_interval(passed, total), passed, total)


@pytest.mark.parametrize(("passed", "total"), [(-1, 3), (4, 3), (0, -1)])
def test_impossible_counts_are_refused(passed: int, total: int) -> None:
    with pytest.raises(ValidationError, match="successes"):
        wilson_interval(passed, total)


def test_no_data_and_one_value() -> None:
    assert mean_interval([]).format() == "- (n=0)"
    assert mean_interval([4.0]).format() == "4.00 (n=1)"
    assert wilson_interval(0, 0).value is None
    assert error_bar(wilson_interval(0, 0)) == (0.0, 0.0)
