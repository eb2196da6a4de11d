"""Metrics: classifier-feature FID (not Inception FID), conditional accuracy, accuracy, -ELBO."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from contentgen.training.data import ImageDataset


@torch.inference_mode()
def classifier_outputs(
    classifier: Any, images: torch.Tensor, chunk: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Penultimate-layer features (float64) and predicted labels of images in [0, 1]."""
    classifier.eval()
    feats, preds = [], []
    for start in range(0, len(images), chunk):
        f = classifier.features(images[start : start + chunk])
        feats.append(f.double().numpy())
        preds.append(classifier.head(f).argmax(1).numpy())
    return np.concatenate(feats), np.concatenate(preds)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (rows are samples)."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # Tr sqrt(A B) = Tr sqrt(A^1/2 B A^1/2); the symmetric form keeps eigh stable and real.
    vals, vecs = np.linalg.eigh(cov_a)
    root_a = (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T
    cross = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = float(np.sqrt(np.clip(cross, 0, None)).sum())
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root)


def conditional_accuracy(
    predicted: np.ndarray, requested: Sequence[int], class_names: Sequence[str]
) -> tuple[float, dict[str, float]]:
    """How often the classifier assigns a sample to the class it was made for (all, per class)."""
    wanted = np.asarray(requested)
    hits = predicted == wanted
    per_class = {
        name: float(hits[wanted == i].mean())
        for i, name in enumerate(class_names)
        if (wanted == i).any()
    }
    return float(hits.mean()), per_class


def accuracy(classifier: Any, data: ImageDataset) -> tuple[float, dict[str, float]]:
    """Test accuracy of a classifier, overall and per class."""
    _, predicted = classifier_outputs(classifier, data.floats(slice(None)))
    return conditional_accuracy(predicted, data.labels.tolist(), data.class_names)


@torch.inference_mode()
def negative_elbo(
    vae: Any, data: ImageDataset, seed: int = 0, chunk: int = 1000
) -> dict[str, float]:
    """Mean -ELBO, reconstruction and KL on `data` in nats per image (one posterior sample each)."""
    vae.eval()
    noise = torch.Generator().manual_seed(seed)
    totals = np.zeros(3)
    for start in range(0, len(data), chunk):
        part = slice(start, start + chunk)
        values = vae.negative_elbo(data.floats(part), data.labels[part], noise)
        totals += [float(v.sum()) for v in values]
    mean = totals / max(len(data), 1)
    return {"negative_elbo_nats": mean[0], "reconstruction_nats": mean[1], "kl_nats": mean[2]}
