"""Density, coverage, diversity and FID on feature sets whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from contentgen.training.metrics import (
    density_coverage,
    frechet_distance,
    mean_pairwise_distance,
    nearest_radii,
    per_class_fidelity,
)


def _gaussian(seed: int, n: int = 2000, dim: int = 8, shift: float = 0.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, dim)) + shift


def test_k_nearest_radii_on_a_line() -> None:
    points = np.arange(10, dtype=float)[:, None]
    assert nearest_radii(points, k=1).tolist() == [1.0] * 10
    assert nearest_radii(points, k=2)[[0, 5, 9]].tolist() == [2.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="more than k"):
        nearest_radii(points[:3], k=3)


def test_a_fresh_draw_of_the_same_distribution_covers_it_and_is_as_dense() -> None:
    found = density_coverage(_gaussian(0), _gaussian(1))
    assert found["coverage"] > 0.9
    assert 0.8 < found["density"] < 1.2


def test_a_collapsed_set_is_dense_but_covers_almost_nothing() -> None:
    real = _gaussian(0)
    collapsed = np.repeat(real[:1], 2000, axis=0) + 1e-3 * _gaussian(2)
    found = density_coverage(real, collapsed)
    assert found["coverage"] < 0.01
    spread = density_coverage(real, _gaussian(1))
    assert found["coverage"] < spread["coverage"] / 50


def test_a_shifted_set_loses_density_and_coverage() -> None:
    real = _gaussian(0)
    found = density_coverage(real, _gaussian(1, shift=1.5))
    assert found["coverage"] < 0.6 and found["density"] < 0.5


def test_mean_pairwise_distance_and_fid_on_known_sets() -> None:
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # 4 sides of length 1 and 2 diagonals of sqrt(2), each counted twice over 12 ordered pairs
    assert mean_pairwise_distance(square) == pytest.approx((4 + 2 * np.sqrt(2)) / 6)
    a, b = _gaussian(0, 5000, 4), _gaussian(1, 5000, 4, shift=2.0)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(a, b) == pytest.approx(4 * 2.0**2, rel=0.05)


def test_per_class_figures_find_the_one_collapsed_class() -> None:
    real = np.concatenate([_gaussian(0, 500), _gaussian(1, 500, shift=5.0)])
    real_labels = [0] * 500 + [1] * 500
    healthy = _gaussian(2, 500)
    collapsed = np.repeat(_gaussian(3, 1, shift=5.0), 500, axis=0)
    fake = np.concatenate([healthy, collapsed])
    found = per_class_fidelity(real, real_labels, fake, real_labels, ["fine", "stuck"])
    assert found["fine"]["coverage"] > 0.85 and found["stuck"]["coverage"] < 0.02
    assert 0.9 < found["fine"]["diversity"] < 1.1 and found["stuck"]["diversity"] == 0.0
