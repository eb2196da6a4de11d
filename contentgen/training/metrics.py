"""Metrics: classifier-feature FID (not Inception FID), conditional accuracy, accuracy, -ELBO,
and the k-NN fidelity/diversity measures of Naeem et al. (2020): density and coverage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from contentgen.training.data import ImageDataset

NEAREST_K = 5  # Naeem et al.'s recommended k for density and coverage


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
    predicted: np.ndarray, requested: Sequence[int] | np.ndarray, class_names: Sequence[str]
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


def nearest_radii(features: np.ndarray, k: int = NEAREST_K) -> np.ndarray:
    """Each row's distance to its k-th nearest other row (the radius of its k-NN ball)."""
    if len(features) <= k:
        raise ValueError(f"k-NN radii need more than k={k} samples, got {len(features)}")
    points = torch.from_numpy(np.asarray(features, dtype=np.float32))
    radii = []
    for start in range(0, len(points), 2048):
        block = torch.cdist(points[start : start + 2048], points)
        # the k+1-th smallest distance: the smallest is the point itself (0)
        radii.append(block.topk(k + 1, dim=1, largest=False).values[:, k])
    return torch.cat(radii).double().numpy()


def density_coverage(real: np.ndarray, fake: np.ndarray, k: int = NEAREST_K) -> dict[str, float]:
    """Naeem et al. (2020) density (fidelity, ~1 for real data) and coverage (diversity, in [0, 1]).

    Each real sample gets a ball reaching its k-th nearest real neighbour. Density counts how many
    real balls hold each fake sample, divided by k; coverage is the share of real samples whose
    ball holds at least one fake sample. A collapsed generator has high density, low coverage.
    """
    radii = torch.from_numpy(nearest_radii(real, k)).float()
    reals = torch.from_numpy(np.asarray(real, dtype=np.float32))
    fakes = torch.from_numpy(np.asarray(fake, dtype=np.float32))
    hits, nearest = 0, torch.full((len(reals),), float("inf"))
    for start in range(0, len(fakes), 2048):  # chunks keep 10k x 10k distances out of memory
        dist = torch.cdist(fakes[start : start + 2048], reals)
        hits += int((dist <= radii[None, :]).sum())
        nearest = torch.minimum(nearest, dist.min(0).values)
    density = hits / (k * len(fakes))
    coverage = float((nearest <= radii).double().mean())
    return {"density": density, "coverage": coverage}


def mean_pairwise_distance(features: np.ndarray, limit: int = 2000) -> float:
    """Mean Euclidean distance between distinct rows (the first `limit` rows): a spread measure."""
    points = torch.from_numpy(np.asarray(features[:limit], dtype=np.float32))
    n = len(points)
    if n < 2:
        return 0.0
    return float(torch.cdist(points, points).sum()) / (n * (n - 1))


def per_class_fidelity(
    real: np.ndarray,
    real_labels: Sequence[int],
    fake: np.ndarray,
    fake_labels: Sequence[int],
    class_names: Sequence[str],
    k: int = NEAREST_K,
) -> dict[str, dict[str, float]]:
    """Density, coverage and diversity (spread of fake / spread of real) within each class."""
    real_y, fake_y = np.asarray(real_labels), np.asarray(fake_labels)
    out: dict[str, dict[str, float]] = {}
    for index, name in enumerate(class_names):
        r, f = real[real_y == index], fake[fake_y == index]
        if len(r) <= k or len(f) == 0:
            continue
        spread = mean_pairwise_distance(r)
        out[name] = {
            **density_coverage(r, f, k),
            "diversity": mean_pairwise_distance(f) / spread if spread else 0.0,
        }
    return out


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
