"""Training the reward model: labels from stored ratings, a ridge fit, held-out ranking metrics.

Labels are each output's mean rating utility in [0, 1] (score s -> (s - 1) / 4, thumb up -> 1,
down -> 0). The model is a ridge regression on standardised features, chosen by cross-validated
alpha (scikit-learn); the model itself, its features and its loading are `contentgen.checks.reward`
(the reranker uses it at generation time).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.checks.reward import (
    REWARD_EVALUATION,
    Embedder,
    RewardModel,
    default_model_dir,
    feature_matrix,
)
from contentgen.errors import TrainingError
from contentgen.types import Output

if TYPE_CHECKING:
    import numpy as np

    from contentgen.storage.store import Store

__all__ = [
    "MIN_EXAMPLES",
    "RewardModel",
    "TrainReport",
    "TrainingSet",
    "default_model_dir",
    "train_from_store",
    "train_reward_model",
    "training_set",
    "utility",
]

log = logging.getLogger(__name__)
MIN_EXAMPLES = 10


def utility(kind: str, score: int | None, thumb: bool | None) -> float | None:
    """One rating as a number in [0, 1]; None for kinds that carry no level."""
    if kind == "score" and score is not None:
        return (score - 1) / 4
    if kind == "thumb" and thumb is not None:
        return 1.0 if thumb else 0.0
    return None


@dataclass(frozen=True)
class TrainingSet:
    """Rated outputs and their labels (mean utility), grouped by request for honest splits."""

    outputs: tuple[Output, ...]
    labels: tuple[float, ...]

    @property
    def groups(self) -> list[str]:
        """The request id of each example."""
        return [o.request_id for o in self.outputs]


def training_set(store: Store) -> TrainingSet:
    """Every rated text output with its mean rating utility."""
    from contentgen.storage.feedback import FeedbackStore

    values: dict[str, list[float]] = defaultdict(list)  # insertion order = first rating time
    for row in FeedbackStore(store).rated_rows():
        value = utility(row.kind, row.score, row.thumb)
        if value is not None:
            values[row.output_id].append(value)
    ids = list(values)
    outputs: list[Output] = []
    for start in range(0, len(ids), 500):
        outputs += [o for o in store.get_outputs(ids[start : start + 500]) if o.text]
    return TrainingSet(
        tuple(outputs), tuple(sum(values[o.id]) / len(values[o.id]) for o in outputs)
    )


def evaluator_names(outputs: Sequence[Output]) -> tuple[str, ...]:
    """The evaluators seen on the training outputs (the reward verdict excluded)."""
    return tuple(sorted({e.name for o in outputs for e in o.evaluations} - {REWARD_EVALUATION}))


def fit(
    features: np.ndarray, labels: Sequence[float] | np.ndarray
) -> tuple[Any, Any, Any, float, float]:
    """Standardise and fit a ridge regression with cross-validated alpha; returns arrays + alpha."""
    import numpy as np
    from sklearn.linear_model import RidgeCV

    y = np.asarray(labels, dtype=np.float64)
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-8] = 1.0
    model = RidgeCV(alphas=np.logspace(-1, 4, 16)).fit((features - mean) / scale, y)
    return mean, scale, model.coef_.astype(np.float64), float(model.intercept_), float(model.alpha_)


@dataclass(frozen=True)
class TrainReport:
    """What training produced and how well it ranks held-out requests."""

    model: RewardModel
    examples: int
    holdout_examples: int
    metrics: Mapping[str, float]
    path: Path | None = None


def holdout_metrics(
    pred: Sequence[float], labels: Sequence[float], groups: Sequence[str]
) -> dict[str, float]:
    """Spearman rho, within-request pairwise accuracy and top-1 utility vs a random pick."""
    from scipy.stats import spearmanr

    metrics: dict[str, float] = {}
    if len(set(labels)) > 1 and len(pred) > 2:
        metrics["spearman"] = float(spearmanr(pred, labels).statistic)
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    right = total = 0
    top, rand = [], []
    for members in by_group.values():
        if len(members) < 2:
            continue
        for a_i, a in enumerate(members):
            for b in members[a_i + 1 :]:
                if labels[a] != labels[b]:
                    total += 1
                    right += (pred[a] - pred[b]) * (labels[a] - labels[b]) > 0
        top.append(labels[max(members, key=lambda i: pred[i])])
        rand.append(sum(labels[i] for i in members) / len(members))
    if total:
        metrics["pairwise_accuracy"] = right / total
    if top:
        metrics["top1_utility"] = sum(top) / len(top)
        metrics["random_utility"] = sum(rand) / len(rand)
    return {k: float(v) for k, v in metrics.items()}


def train_reward_model(
    data: TrainingSet, *, seed: int = 0, holdout: float = 0.2, embed: Embedder | None = None
) -> TrainReport:
    """Fit on (1 - holdout) of the requests, report held-out metrics, then refit on everything."""
    import numpy as np

    if len(data.outputs) < MIN_EXAMPLES:
        raise TrainingError(
            f"the reward model needs at least {MIN_EXAMPLES} rated text outputs, "
            f"found {len(data.outputs)}; "
            "rate more outputs (contentgen rate / contentgen review import) first"
        )
    names = evaluator_names(data.outputs)
    features = feature_matrix(
        [o.text or "" for o in data.outputs], [o.evaluations for o in data.outputs], names, embed
    )
    labels = np.asarray(data.labels)
    groups = data.groups
    unique = list(dict.fromkeys(groups))  # request ids are random: order by first rating, not by id
    rng = np.random.default_rng(seed)
    test_groups = (
        set(rng.permutation(unique)[: max(1, int(len(unique) * holdout))])
        if len(unique) > 4
        else set()
    )
    test = np.array([g in test_groups for g in groups])
    metrics: dict[str, float] = {}
    if test.any() and (~test).sum() >= MIN_EXAMPLES // 2:
        mean, scale, coef, intercept, _ = fit(features[~test], labels[~test])
        pred = ((features[test] - mean) / scale) @ coef + intercept
        metrics = holdout_metrics(
            list(pred), list(labels[test]), [g for g, t in zip(groups, test, strict=True) if t]
        )
    mean, scale, coef, intercept, alpha = fit(features, labels)
    trained_at = datetime.now(UTC)
    meta = {
        "model_id": f"ridge-{trained_at:%Y%m%d%H%M%S}",
        "trained_at": trained_at.isoformat(),
        "examples": len(labels),
        "holdout_examples": int(test.sum()),
        "alpha": alpha,
        "features": "all-MiniLM-L6-v2 embedding (384) + evaluator passed/score + log length",
        "label": "mean rating utility: score (s-1)/4, thumb up 1 / down 0",
        "holdout_metrics": metrics,
    }
    model = RewardModel(names, mean, scale, coef, intercept, meta)
    return TrainReport(model, len(labels), int(test.sum()), metrics)


def train_from_store(
    store: Store, out_dir: Path, *, seed: int = 0, embed: Embedder | None = None
) -> TrainReport:
    """Train on every stored rating and save the model to `out_dir`."""
    report = train_reward_model(training_set(store), seed=seed, embed=embed)
    path = report.model.save(out_dir)
    log.info("reward model trained on %d outputs, saved to %s", report.examples, path)
    return TrainReport(report.model, report.examples, report.holdout_examples, report.metrics, path)
