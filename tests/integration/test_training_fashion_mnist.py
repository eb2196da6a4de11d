"""A short real training run on a Fashion-MNIST subset: the losses fall and the card records it."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from contentgen.training.api import train_model  # noqa: E402
from contentgen.training.data import fashion_mnist_dir, load_fashion_mnist  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (fashion_mnist_dir() / "t10k-images-idx3-ubyte.gz").is_file(),
    reason="Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)",
)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def test_fashion_mnist_loads_with_the_documented_shape() -> None:
    test = load_fashion_mnist("test")
    assert test.images.shape == (10_000, 1, 28, 28)
    assert test.labels.bincount().tolist() == [1000] * 10
    assert test.class_names[9] == "ankle boot"


def test_vae_loss_falls_on_a_real_subset(tmp_path: Path) -> None:
    result = train_model(
        "vae",
        tmp_path / "vae",
        data="fashion-mnist",
        steps=120,
        batch_size=32,
        seed=0,
        limit=4000,
        checkpoint_every=60,
        log_every=20,
        evaluate=False,
        model_config={"latent_dim": 8, "base_channels": 16, "hidden_dim": 128},
    )
    first, last = result.history[0]["loss"], result.history[-1]["loss"]
    assert last < 0.75 * first, f"-ELBO went from {first:.1f} to {last:.1f} nats"
    assert result.card["training"]["steps"] == 120


def test_classifier_learns_above_chance_on_a_real_subset(tmp_path: Path) -> None:
    result = train_model(
        "classifier",
        tmp_path / "clf",
        data="fashion-mnist",
        steps=80,
        batch_size=32,
        seed=0,
        limit=4000,
        checkpoint_every=80,
        log_every=20,
        model_config={"width": 8, "feature_dim": 32},
    )
    assert result.history[-1]["loss"] < result.history[0]["loss"]
    assert result.metrics["test_accuracy"] > 0.6  # chance is 0.1
