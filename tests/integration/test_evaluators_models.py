"""The diversity evaluator on real MiniLM embeddings (OpenVINO or torch), beside its lexical fallback."""

from __future__ import annotations

import pytest
import torch

from contentgen.checks.base import EvalInput
from contentgen.checks.diversity import DiversityEvaluator
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


@pytest.mark.slow
def test_openvino_and_torch_embed_alike_and_in_input_order() -> None:
    import numpy as np

    from contentgen import embeddings

    torch.set_num_threads(1)
    texts = [
        "Waterproof trainers: wet weather will never soak your socks again, whatever the trail.",
        "Shoes.",
        "These running shoes keep your feet dry in the rain.",
        "Our quarterly earnings call starts at noon on Thursday.",
    ]
    path = embeddings._model_path()
    on_openvino = embeddings._openvino_encoder(path)(texts)
    on_torch = embeddings._torch_encoder(path)(texts)
    assert np.abs(on_openvino - on_torch).max() < 1e-5
    # embed() sorts by length into batches; each row still belongs to its own text
    one_by_one = np.stack([embeddings.embed([t])[0] for t in texts])
    assert np.abs(embeddings.embed(texts, batch_size=2) - one_by_one).max() < 1e-5
    assert np.abs(one_by_one - on_torch).max() < 1e-5


@pytest.mark.slow
def test_the_compiled_model_read_back_from_openvinos_cache_embeds_exactly_as_compiled() -> None:
    import numpy as np

    from contentgen import embeddings

    texts = ["Shoes.", "These running shoes keep your feet dry in the rain."]
    path = embeddings._model_path()
    first = embeddings._openvino_encoder(path)(texts)  # compiles, or reads an earlier blob
    cached = embeddings._openvino_ir(path).parent / embeddings.COMPILED_DIR
    assert any(cached.glob("*.blob"))
    assert np.array_equal(embeddings._openvino_encoder(path)(texts), first)
