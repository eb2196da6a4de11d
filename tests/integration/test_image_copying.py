"""The memorisation check of the trained image models, against the real Fashion-MNIST.

Planted copies (training images with Gaussian pixel noise) are flagged with their source; the
search agrees with brute force; real test-set images and the shipped GAN's samples are not
flagged; and the generator rejects an image the check flags, with the training image as evidence.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from contentgen.checks.image_copying import (
    DEFAULT_THRESHOLD,
    image_verdicts,
    training_index,
)
from contentgen.training.data import fashion_mnist_dir, load_fashion_mnist
from contentgen.training.pretrained import shipped_checkpoint

pytestmark = pytest.mark.skipif(
    not (fashion_mnist_dir() / "train-images-idx3-ubyte.gz").is_file(),
    reason="Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)",
)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    found = training_index("fashion-mnist", 28, 1)
    assert found is not None and len(found) == 60_000
    return found


def _noisy(index, picks: np.ndarray, sigma: float, seed: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    clean = index.pixels[picks].astype(np.float32) / 255
    return np.clip(clean + rng.normal(0, sigma, clean.shape).astype(np.float32), 0, 1)


def test_planted_noisy_copies_are_flagged_with_their_source(index) -> None:  # type: ignore[no-untyped-def]
    picks = np.random.default_rng(0).choice(len(index), 200, replace=False)
    verdicts = image_verdicts(index, _noisy(index, picks, 0.02, seed=1))
    flagged = [v for v in verdicts if not v.passed]
    assert len(flagged) == 200
    assert [v.detail["nearest_index"] for v in verdicts] == picks.tolist()
    problem = verdicts[0].detail["problems"][0]
    assert problem["kind"] == "near_training_image" and problem["field"] == "image"
    assert f"#{picks[0]} " in problem["evidence"]


def test_the_search_is_exact_within_the_threshold(index) -> None:  # type: ignore[no-untyped-def]
    picks = np.random.default_rng(2).choice(len(index), 60, replace=False)
    # Noise levels around the threshold, so some copies fall inside it and some outside.
    images = np.concatenate(
        [_noisy(index, picks[i::3], s, i) for i, s in enumerate((0.03, 0.04, 0.05))]
    )
    train = index.pixels.astype(np.float32) / 255
    flat = images.reshape(len(images), -1)
    squared = (flat**2).sum(1)[:, None] + (train**2).sum(1)[None] - 2 * flat @ train.T
    brute = np.sqrt(np.maximum(squared.min(1), 0) / flat.shape[1])
    found = np.array([n.distance for n in index.nearest(images, DEFAULT_THRESHOLD)])
    inside = brute <= DEFAULT_THRESHOLD
    assert 0 < inside.sum() < len(images)
    assert np.allclose(found[inside], brute[inside], atol=1e-4)
    assert ((found <= DEFAULT_THRESHOLD) == inside).all()


def test_real_test_images_and_gan_samples_are_rarely_flagged(index) -> None:  # type: ignore[no-untyped-def]
    from contentgen.training.pretrained import load_pretrained
    from contentgen.training.sampling import sample_images

    test = load_fashion_mnist("test").images[:1000].numpy().astype(np.float32) / 255
    real = sum(not v.passed for v in image_verdicts(index, test))
    gan = load_pretrained(shipped_checkpoint("gan"))
    samples = sample_images(gan, [i % 10 for i in range(500)], list(range(500))).numpy()
    fake = sum(not v.passed for v in image_verdicts(index, samples))
    print(f"\nflagged: {real} of 1000 Fashion-MNIST test images, {fake} of 500 GAN samples")
    assert real <= 10
    assert fake == 0


def test_the_gan_generator_rejects_a_flagged_image_with_the_evidence(tmp_path: Path) -> None:
    from contentgen import Engine
    from contentgen.tasks.image import ImageRequest

    # A threshold of 1 flags every image: the wiring, not the model, is under test here.
    engine = Engine.from_config(
        None,
        data_dir=tmp_path,
        use_entry_points=False,
        generators={"builtin:gan": {"copy_threshold": 1.0}},
    )
    with engine:
        request = ImageRequest(prompt="a dress", count=1, seed=3, generator="builtin:gan")
        result = engine.generate_many([request])[0]
    assert result.outputs == () and result.rejected  # every draw, repairs too, was flagged
    rejected = result.rejected[0]
    (verdict,) = [e for e in rejected.evaluations if e.name == "copying"]
    assert not verdict.passed and verdict.detail["training_set"] == "fashion-mnist:train"
    assert "training image #" in (rejected.reason or "")
