"""The diversity evaluator on real MiniLM embeddings (torch), beside its lexical fallback."""

from __future__ import annotations

import pytest
import torch

from contentgen.evaluation import EvalInput
from contentgen.feedback.evaluators import DiversityEvaluator
from contentgen.types import Evaluation, Task


def _judge(texts: list[str], embeddings: bool) -> list[Evaluation]:
    items = [
        EvalInput(task=Task.MARKETING, text=t, siblings=tuple(texts[:i] + texts[i + 1 :]))
        for i, t in enumerate(texts)
    ]
    return DiversityEvaluator(embeddings=embeddings).evaluate(items)


@pytest.mark.slow
def test_embedding_similarity_sees_paraphrases_that_share_no_words() -> None:
    torch.set_num_threads(1)
    paraphrases = [
        "These running shoes keep your feet dry in the rain.",
        "Waterproof trainers: wet weather will never soak your socks again.",
    ]
    unrelated = [
        "These running shoes keep your feet dry in the rain.",
        "Our quarterly earnings call starts at noon on Thursday.",
    ]
    embedded = _judge(paraphrases, embeddings=True)
    lexical = _judge(paraphrases, embeddings=False)
    far = _judge(unrelated, embeddings=True)
    assert embedded[0].detail["similarity"] == "embedding"
    # MiniLM sees the shared meaning that word overlap misses
    assert embedded[0].detail["max_similarity"] > lexical[0].detail["max_similarity"] + 0.2
    assert far[0].detail["max_similarity"] < embedded[0].detail["max_similarity"] - 0.2
    assert embedded[0].detail["max_similarity"] == embedded[1].detail["max_similarity"]


@pytest.mark.slow
def test_identical_variants_fail_on_embeddings_too() -> None:
    torch.set_num_threads(1)
    text = "Light trail shoes with sticky grip for wet rock."
    for verdict in _judge([text, text, text], embeddings=True):
        assert not verdict.passed and verdict.score is not None and verdict.score < 0.01
