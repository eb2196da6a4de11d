"""alt-profanity-check's classifier as plain arrays, so loading it needs no scikit-learn.

The package ships a scikit-learn TF-IDF vectorizer and a linear SVM calibrated on 5 folds
(sigmoid) as joblib pickles; unpickling them imports scikit-learn, about 1.3 CPU-seconds, the
largest share of a one-shot call's checks. Their parameters are read out once (with
scikit-learn) into the model cache as JSON and .npz, and the same arithmetic runs on numpy:
lower-cased word tokens, tf x idf, l2 norm, each fold's decision value through its sigmoid,
averaged. A test holds the result equal to `profanity_check.predict_prob`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

VOCABULARY = "vocabulary.json"
ARRAYS = "classifier.npz"
_lock = threading.Lock()
_model: ProfanityModel | None = None


@dataclass(frozen=True)
class ProfanityModel:
    """The vectorizer's vocabulary, token pattern and idf; each fold's line and sigmoid."""

    vocabulary: dict[str, int]
    token_pattern: re.Pattern[str]
    idf: np.ndarray  # (features,)
    coef: np.ndarray  # (folds, features)
    intercept: np.ndarray  # (folds,)
    sigmoid_a: np.ndarray  # (folds,)
    sigmoid_b: np.ndarray  # (folds,)

    def predict_prob(self, texts: Sequence[str]) -> np.ndarray:
        """The probability that each text is offensive (class 1), as the package computes it."""
        import numpy as np

        decision = np.zeros((len(texts), len(self.intercept)))
        for row, text in enumerate(texts):
            counts: dict[int, float] = {}
            for token in self.token_pattern.findall(text.lower()):
                column = self.vocabulary.get(token)
                if column is not None:
                    counts[column] = counts.get(column, 0.0) + 1.0
            if not counts:
                continue  # no known word: the decision is each fold's intercept alone
            columns = np.fromiter(counts, dtype=np.int64)
            weights = np.fromiter(counts.values(), dtype=np.float64) * self.idf[columns]
            decision[row] = self.coef[:, columns] @ (weights / np.linalg.norm(weights))
        decision += self.intercept
        positive = 1.0 / (1.0 + np.exp(self.sigmoid_a * decision + self.sigmoid_b))
        return np.asarray(positive.mean(axis=1))


def predict_prob(texts: Sequence[str]) -> np.ndarray:
    """`profanity_check.predict_prob(texts)` from the cached arrays (built on first use)."""
    return load().predict_prob(texts)


def load() -> ProfanityModel:
    """The process-wide model: the cached arrays, extracted from the package once."""
    global _model  # a process-wide cache of read-only weights, not configuration
    with _lock:
        if _model is None:
            _model = _read(_cached_folder())
        return _model


def _cached_folder() -> Path:
    from contentgen.modelfiles.atomic import build_atomically
    from contentgen.modelfiles.resolve import default_cache_dir

    stamp = f"alt-profanity-check {version('alt-profanity-check')}"
    target = default_cache_dir() / "checks" / "profanity-check"
    return build_atomically(target, _extract, stamp)


def _read(folder: Path) -> ProfanityModel:
    import numpy as np

    meta = json.loads((folder / VOCABULARY).read_text(encoding="utf-8"))
    with np.load(folder / ARRAYS) as arrays:
        return ProfanityModel(
            vocabulary=meta["vocabulary"],
            token_pattern=re.compile(meta["token_pattern"]),
            idf=arrays["idf"],
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            sigmoid_a=arrays["sigmoid_a"],
            sigmoid_b=arrays["sigmoid_b"],
        )


def _extract(folder: Path) -> None:
    """Read the package's pickled vectorizer and classifier out into JSON and .npz (once)."""
    import numpy as np
    from profanity_check import profanity_check

    vectorizer, model = profanity_check.vectorizer, profanity_check.model
    expected = {
        "analyzer": "word",
        "lowercase": True,
        "ngram_range": (1, 1),
        "norm": "l2",
        "strip_accents": None,
        "sublinear_tf": False,
        "use_idf": True,
        "tokenizer": None,
        "preprocessor": None,
    }
    found = {k: vectorizer.get_params()[k] for k in expected}
    folds = model.calibrated_classifiers_
    if found != expected or model.method != "sigmoid" or list(model.classes_) != [0, 1]:
        raise RuntimeError(f"alt-profanity-check's model changed shape: {found}, {model.method}")
    (folder / VOCABULARY).write_text(
        json.dumps(
            {
                "vocabulary": {k: int(v) for k, v in vectorizer.vocabulary_.items()},
                "token_pattern": vectorizer.token_pattern,
            }
        ),
        encoding="utf-8",
    )
    np.savez(
        folder / ARRAYS,
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        coef=np.stack([f.estimator.coef_[0] for f in folds]).astype(np.float64),
        intercept=np.array([f.estimator.intercept_[0] for f in folds], dtype=np.float64),
        sigmoid_a=np.array([f.calibrators[0].a_ for f in folds], dtype=np.float64),
        sigmoid_b=np.array([f.calibrators[0].b_ for f in folds], dtype=np.float64),
    )
