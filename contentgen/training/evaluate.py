"""Measure a trained model for its card: accuracy, -ELBO, classifier-FID, conditional accuracy."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from contentgen.training.data import DataSplits
from contentgen.training.metrics import (
    accuracy,
    classifier_outputs,
    conditional_accuracy,
    frechet_distance,
    negative_elbo,
)
from contentgen.training.pretrained import read_card, shipped_checkpoint
from contentgen.training.sampling import balanced_labels, sample_images

logger = logging.getLogger(__name__)

FID_NOTE = (
    "classifier_fid is the Fréchet distance between Gaussians fitted to the penultimate-layer "
    "features of contentgen's own image classifier (real test images vs generated samples). "
    "It is NOT Inception FID and is not comparable with published FID numbers."
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
    real_features, _ = classifier_outputs(classifier, splits.test.floats(slice(None)))
    reference = splits.train.floats(slice(0, len(splits.test)))
    train_features, _ = classifier_outputs(classifier, reference)
    overall, by_class = conditional_accuracy(predicted, labels, names)
    card = read_card(classifier_path) if classifier_path else {}
    metrics.update(
        {
            "classifier_fid": _round(frechet_distance(real_features, fake_features)),
            "classifier_fid_real_train_vs_test": _round(
                frechet_distance(real_features, train_features)
            ),
            "conditional_accuracy": _round(overall),
            "conditional_accuracy_per_class": {k: _round(v) for k, v in by_class.items()},
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
