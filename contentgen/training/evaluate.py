"""Measure a trained model for its card: accuracy, -ELBO, classifier-FID, conditional accuracy,
density and coverage, per class and beside the same figures for real data."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from contentgen.training.data import DataSplits
from contentgen.training.metrics import (
    NEAREST_K,
    accuracy,
    classifier_outputs,
    conditional_accuracy,
    density_coverage,
    frechet_distance,
    negative_elbo,
    per_class_fidelity,
)
from contentgen.training.pretrained import read_card, shipped_checkpoint
from contentgen.training.sampling import balanced_labels, sample_images

logger = logging.getLogger(__name__)

FID_NOTE = (
    "classifier_fid is the Fréchet distance between Gaussians fitted to the penultimate-layer "
    "features of contentgen's own image classifier (real test images vs generated samples). "
    "It is NOT Inception FID and is not comparable with published FID numbers."
)
FIDELITY_NOTE = (
    f"density and coverage (Naeem et al. 2020, k={NEAREST_K}) compare generated and real test "
    "images in the same classifier features: coverage is the share of real images with a "
    "generated one among their k nearest real neighbours (diversity; ~0.97 for real data), "
    "density how crowded generated images sit among real ones (fidelity; ~1 for real data). "
    "Per class they are measured within the class; diversity there is the mean feature distance "
    "between generated images over that between real ones. real_reference holds the same figures "
    "for held-out real images (training images vs test images), as the bar to compare with."
)
LIKELIHOOD_NOTE = (
    "Bernoulli likelihood: each pixel intensity in [0, 1] is scored with binary cross-entropy "
    "against the decoder's sigmoid output; -ELBO = reconstruction + KL, in nats per image, "
    "one posterior sample per test image. Samples show the Bernoulli means."
)


def _round(value: float) -> float:
    return round(float(value), 4)


def evaluate_classifier(model: Any, splits: DataSplits) -> dict[str, Any]:
    """Test accuracy, overall and per class."""
    if len(splits.test) == 0:
        return {}
    overall, per_class = accuracy(model, splits.test)
    return {
        "test_accuracy": _round(overall),
        "test_accuracy_per_class": {k: _round(v) for k, v in per_class.items()},
        "test_images": len(splits.test),
    }


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _rounded(v) if isinstance(v, dict) else _round(v) for k, v in values.items()}


def fidelity_metrics(
    real: Any, real_labels: Any, fake: Any, fake_labels: Any, names: list[str]
) -> dict[str, Any]:
    """Classifier-FID, density and coverage of `fake` against `real` features, all and per class.

    Density and coverage need more than k real images (per class: in that class); with fewer
    they are left out rather than guessed.
    """
    found: dict[str, Any] = {"classifier_fid": frechet_distance(real, fake)}
    if len(real) > NEAREST_K:
        found.update(density_coverage(real, fake))
    per_class = per_class_fidelity(real, real_labels, fake, fake_labels, names)
    if per_class:
        found["fidelity_per_class"] = per_class
    return _rounded(found)


def evaluate_generative(
    model: Any,
    splits: DataSplits,
    classifier: Any | None,
    classifier_path: Path | None,
    samples: int,
    seed: int,
) -> dict[str, Any]:
    """Test -ELBO (VAE) and, given a classifier for the same classes, FID + conditional accuracy."""
    metrics: dict[str, Any] = {}
    if hasattr(model, "negative_elbo") and len(splits.test):
        elbo = negative_elbo(model, splits.test, seed)
        metrics.update({f"test_{k}": _round(v) for k, v in elbo.items()})
        metrics["likelihood"] = "bernoulli"
    if classifier is None or len(splits.test) < 2:
        return metrics
    names = model.class_names
    per_class = max(1, samples // len(names))
    labels = balanced_labels(len(names), per_class)
    images = sample_images(model, labels, [seed + i for i in range(len(labels))])
    fake_features, predicted = classifier_outputs(classifier, images)
    real_features, real_predicted = classifier_outputs(classifier, splits.test.floats(slice(None)))
    real_labels = splits.test.labels.numpy()
    reference = slice(0, len(splits.test))
    train_features, _ = classifier_outputs(classifier, splits.train.floats(reference))
    train_labels = splits.train.labels[reference].numpy()
    overall, by_class = conditional_accuracy(predicted, labels, names)
    real_overall, real_by_class = conditional_accuracy(real_predicted, real_labels, names)
    card = read_card(classifier_path) if classifier_path else {}
    real_reference = fidelity_metrics(
        real_features, real_labels, train_features, train_labels, names
    )
    worst = min(by_class, key=by_class.__getitem__)
    metrics.update(
        {
            "conditional_accuracy": _round(overall),
            "conditional_accuracy_per_class": {k: _round(v) for k, v in by_class.items()},
            "worst_class": {"name": worst, "conditional_accuracy": _round(by_class[worst])},
            **fidelity_metrics(real_features, real_labels, fake_features, labels, names),
            "classifier_fid_real_train_vs_test": real_reference["classifier_fid"],
            "real_reference": {
                "conditional_accuracy": _round(real_overall),
                "conditional_accuracy_per_class": {k: _round(v) for k, v in real_by_class.items()},
                **real_reference,
            },
            "eval_samples": len(labels),
            "metric_classifier": {
                "path": _display_path(classifier_path),
                "test_accuracy": card.get("metrics", {}).get("test_accuracy"),
            },
        }
    )
    return metrics


def _display_path(path: Path | None) -> str | None:
    """Shipped checkpoints by their package path, so a card never names the build machine."""
    if path is None:
        return None
    shipped = shipped_checkpoint(path.name)
    if path.resolve() == shipped.resolve():
        return f"contentgen/_checkpoints/{path.name}"
    return str(path)


def load_metric_classifier(
    path: Path | None, class_names: list[str]
) -> tuple[Any | None, str | None]:
    """The classifier used for FID/conditional accuracy, or None with the reason it is skipped."""
    from contentgen.training.classifier import ImageClassifier
    from contentgen.training.pretrained import CONFIG_NAME

    if path is None or not (path / CONFIG_NAME).is_file():
        return None, f"no metric classifier at {path}; train one with `contentgen train classifier`"
    classifier = ImageClassifier.from_pretrained(path)
    if classifier.class_names != list(class_names):
        return None, f"the classifier at {path} knows other classes ({classifier.class_names})"
    return classifier, None
