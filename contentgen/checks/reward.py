"""The reward model at generation time: load a trained one and predict how raters will like a text.

Features are a MiniLM embedding, the evaluator verdicts and the length; the model is a ridge
regression saved as plain JSON + an .npz of arrays (never pickle), so loading it needs only
numpy. Training it from stored ratings is `contentgen.feedback.reward_model`'s job.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import ConfigError
from contentgen.types import Evaluation

if TYPE_CHECKING:
    import numpy as np

REWARD_EVALUATION = "reward_model"  # the verdict the reranker stores; never a feature itself
MODEL_JSON = "reward_model.json"
MODEL_ARRAYS = "reward_model.npz"
Embedder = Callable[[Sequence[str]], "np.ndarray"]


def _default_embed(texts: Sequence[str]) -> np.ndarray:
    from contentgen.embeddings import embed
    from contentgen.modelfiles.resolve import quiet_progress_bars

    with quiet_progress_bars():  # the first call loads MiniLM, which would draw a progress bar
        return embed(texts)


def verdict_features(evaluations: Sequence[Evaluation], names: Sequence[str]) -> list[float]:
    """Two numbers per evaluator: passed (1/0; 0.5 when it did not run) and score (0 when none)."""
    by_name = {e.name: e for e in evaluations}
    out: list[float] = []
    for name in names:
        verdict = by_name.get(name)
        out.append(0.5 if verdict is None else float(verdict.passed))
        out.append(
            float(verdict.score) if verdict is not None and verdict.score is not None else 0.0
        )
    return out


def feature_matrix(
    texts: Sequence[str],
    evaluations: Sequence[Sequence[Evaluation]],
    evaluator_names: Sequence[str],
    embed: Embedder | None = None,
) -> np.ndarray:
    """Rows of [embedding (384), evaluator verdicts, log length in characters and words]."""
    import numpy as np

    vectors = (embed or _default_embed)(list(texts))
    extra = np.array(
        [
            [*verdict_features(ev, evaluator_names), np.log1p(len(t)), np.log1p(len(t.split()))]
            for t, ev in zip(texts, evaluations, strict=True)
        ],
        dtype=np.float32,
    ).reshape(len(texts), 2 * len(evaluator_names) + 2)
    return np.hstack([vectors.astype(np.float32), extra])


@dataclass(frozen=True)
class RewardModel:
    """A trained reward model: standardisation, ridge weights and provenance."""

    evaluators: tuple[str, ...]
    mean: Any
    scale: Any
    coef: Any
    intercept: float
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def model_id(self) -> str:
        """A short id recorded beside every reranked output."""
        return str(self.meta.get("model_id", "reward-model"))

    def predict_features(self, features: np.ndarray) -> np.ndarray:
        """Predicted utility for prepared feature rows."""
        return ((features - self.mean) / self.scale) @ self.coef + self.intercept

    def predict(
        self,
        texts: Sequence[str],
        evaluations: Sequence[Sequence[Evaluation]],
        embed: Embedder | None = None,
    ) -> list[float]:
        """Predicted utility (higher is better) for each text with its evaluator verdicts."""
        if not texts:
            return []
        features = feature_matrix(texts, evaluations, self.evaluators, embed)
        return [float(v) for v in self.predict_features(features)]

    def save(self, directory: Path) -> Path:
        """Write reward_model.json + reward_model.npz into `directory`."""
        import numpy as np

        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / MODEL_ARRAYS, mean=self.mean, scale=self.scale, coef=self.coef)
        doc = {
            "evaluators": list(self.evaluators),
            "intercept": self.intercept,
            "meta": dict(self.meta),
        }
        (directory / MODEL_JSON).write_text(
            json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8"
        )
        return directory

    @classmethod
    def load(cls, directory: Path) -> RewardModel:
        """Read a saved model; a missing one names the command that trains it."""
        import numpy as np

        if not (directory / MODEL_JSON).is_file() or not (directory / MODEL_ARRAYS).is_file():
            raise ConfigError(
                f"no reward model in {directory}; train one from your ratings with "
                "`contentgen feedback train-reranker` (or switch rerank off)"
            )
        doc = json.loads((directory / MODEL_JSON).read_text(encoding="utf-8"))
        with np.load(directory / MODEL_ARRAYS, allow_pickle=False) as arrays:
            mean, scale, coef = arrays["mean"], arrays["scale"], arrays["coef"]
        return cls(
            tuple(doc["evaluators"]),
            mean,
            scale,
            coef,
            float(doc["intercept"]),
            doc.get("meta", {}),
        )


def default_model_dir(data_dir: Path) -> Path:
    """Where the engine looks for the reward model: <data_dir>/reward_model."""
    return data_dir / "reward_model"
