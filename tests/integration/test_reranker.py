"""Best-of-n reranking: a reward model from stored ratings raises held-out quality; gates hold."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

import pytest
import torch

from contentgen import MarketingRequest
from contentgen.errors import ConfigError, TrainingError
from contentgen.feedback.reward_model import RewardModel, train_from_store, utility
from contentgen.feedback.sim_world import hidden_quality, products, rater_score, sim_engine


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An engine's ratings from the held-out synthetic rater, and a reward model trained on them."""
    torch.set_num_threads(1)
    work = tmp_path_factory.mktemp("rerank")
    rater = random.Random(0)
    with sim_engine(work / "train", bandit=False) as engine:
        requests = [
            MarketingRequest(
                product=p, channel="social_post", variants=4, params={"style": "mixed"}, seed=i
            )
            for i, p in enumerate(products(40, seed=0))
        ]
        for request, result in zip(requests, engine.generate_many(requests), strict=True):
            for output in result.outputs:
                engine.rate(
                    output.id,
                    rater="sim",
                    score=rater_score(output.text or "", dict(request.product), rater),
                )
        report = train_from_store(engine.store, work / "model", seed=0)
    assert report.examples >= 150
    assert report.metrics["top1_utility"] > report.metrics["random_utility"], report.metrics
    return work


def test_reranked_picks_score_higher_than_random_on_held_out_products(
    trained: Path, tmp_path: Path
) -> None:
    held_out = products(100, seed=0)[60:80]  # never seen in training (the first 40)
    with sim_engine(tmp_path, rerank=True, bandit=False, best_of=6) as engine:
        RewardModel.load(trained / "model").save(tmp_path / "reward_model")
        requests = [
            MarketingRequest(
                product=p,
                channel="social_post",
                variants=1,
                params={"style": "mixed"},
                seed=1000 + i,
            )
            for i, p in enumerate(held_out)
        ]
        results = engine.generate_many(requests)
        chosen, random_pick = [], []
        for request, result in zip(requests, results, strict=True):
            product = dict(request.product)
            (best,) = result.outputs
            out = [o for o in result.rejected if o.reason == "reranked out"]
            gated = [o for o in result.rejected if o.reason != "reranked out"]
            assert len(out) + len(gated) + 1 >= 6
            twins = "the same words as another variant of the request"
            assert all(o.reason.startswith("price_check") or o.reason == twins for o in gated)
            verdicts = {e.name: e for e in best.evaluations}
            assert verdicts["price_check"].passed, "a gated candidate is never chosen"
            assert (
                verdicts["reward_model"].detail["rank"] == 1
                and verdicts["reward_model"].detail["chosen"]
            )
            assert best.provenance.params["best_of"] == 6
            scores = [e.score for o in out for e in o.evaluations if e.name == "reward_model"]
            assert all(s <= verdicts["reward_model"].score for s in scores)
            pool = [best, *out]
            chosen.append(hidden_quality(best.text or "", product))
            random_pick.append(
                statistics.fmean(hidden_quality(o.text or "", product) for o in pool)
            )
        stored = engine.list_outputs(limit=500, status="rejected")
        assert any(o.reason == "reranked out" for o in stored), "losers are stored for audit"
    assert statistics.fmean(chosen) > statistics.fmean(random_pick) + 0.5, (chosen, random_pick)


def test_rerank_without_a_trained_model_names_the_command(tmp_path: Path) -> None:
    request = MarketingRequest(
        product={"name": "Lamp", "price": "20.99"}, channel="social_post", variants=1
    )
    with (
        sim_engine(tmp_path, rerank=True, bandit=False, best_of=4) as engine,
        pytest.raises(ConfigError, match="train-reranker"),
    ):
        engine.generate(request)


def test_too_few_ratings_is_a_training_error(tmp_path: Path) -> None:
    with (
        sim_engine(tmp_path, bandit=False) as engine,
        pytest.raises(TrainingError, match="at least 10"),
    ):
        train_from_store(engine.store, tmp_path / "m")


def test_rating_utilities() -> None:
    assert [utility("score", s, None) for s in (1, 3, 5)] == [0.0, 0.5, 1.0]
    assert utility("thumb", None, True) == 1.0 and utility("comment", None, None) is None
