"""The offensive-language classifier from cached arrays: alt-profanity-check's scores, no sklearn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from contentgen.checks import profanity_model
from contentgen.modelfiles.atomic import COMPLETE_MARKER

DATA = Path(__file__).resolve().parents[1] / "data"
TEXTS = [
    "You are a stupid idiot",
    "What the f*ck is this garbage",
    "Damn good coffee, damn it",
    "Great shoes for the trail.",
    "",
    "the and of it",
    "Ünïcödé wörds: straße, CAFÉ, naïve",
    "I LOVE these boots 100%!!! Shit happens, but not to them.",
    "Headline: Trail Runner X\nDescription: Grippy, light, 89.99 EUR.",
]


def _corpus() -> list[str]:
    rows = [json.loads(line) for line in (DATA / "adversarial_copy.jsonl").open(encoding="utf-8")]
    return TEXTS + ["\n".join(r["fields"].values()) for r in rows if r.get("fields")]


def test_the_cached_arrays_score_exactly_as_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from profanity_check import predict_prob as reference

    monkeypatch.setenv("CONTENTGEN_CACHE_DIR", str(tmp_path))
    folder = profanity_model._cached_folder()
    assert folder.is_relative_to(tmp_path) and (folder / COMPLETE_MARKER).is_file()
    texts = _corpus()
    ours = profanity_model._read(folder).predict_prob(texts)
    assert len(texts) > 50 and ours.shape == (len(texts),)
    assert np.abs(ours - reference(texts)).max() < 1e-12
    assert ours[0] > 0.9 and ours[3] < 0.1  # the insult and the product copy, told apart


def test_a_process_with_the_cache_built_never_imports_sklearn(tmp_path: Path) -> None:
    env = {**os.environ, "CONTENTGEN_CACHE_DIR": str(tmp_path)}
    script = (
        "import sys\n"
        "from contentgen.checks.profanity_model import predict_prob\n"
        "print(round(float(predict_prob(['you stupid idiot'])[0]), 3), 'sklearn' in sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0][1] == "True"  # the first process builds the cache with scikit-learn
    assert runs[1] == [runs[0][0], "False"]
