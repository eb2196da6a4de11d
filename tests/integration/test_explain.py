"""`engine.explain(id)`: the grounding map measured on planted facts, and every other part read
back from what the engine stored (template, checks, reranker, bandit, model, seed, fallback)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from pydantic import Field

from contentgen import Engine, MarketingRequest
from contentgen.checks.reward import RewardModel, default_model_dir, feature_matrix
from contentgen.config import Route, Settings
from contentgen.feedback.arms import BanditArm
from contentgen.generator import Generator
from contentgen.generator_options import GeneratorOptions
from contentgen.plugins import load_plugins
from contentgen.tasks.news_summary import NewsSummaryRequest
from contentgen.types import ALL_TASKS, Candidate, Evaluation, Prompt, Task
from tests.conftest import fast_plugin
from tests.grounding_sets import PlantedOutput, news_outputs, product_outputs

PRECISION_FLOOR = RECALL_FLOOR = 0.95


class PlantedOptions(GeneratorOptions):
    """The options of testing:planted."""

    texts: dict[str, str] = Field(default_factory=dict, description="answer per product/article")


class PlantedGenerator(Generator):
    """Answers each prompt with the planted text for its product name (or article)."""

    id: ClassVar[str] = "testing:planted"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[frozenset[Task]] = ALL_TASKS
    Options = PlantedOptions
    settings: PlantedOptions

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        return [[Candidate(text=self.settings.texts[_key(p.data)])] for p in prompts]


def _key(data: Any) -> str:
    product = data.get("product")
    return str(product["name"]) if product else str(data["article"])[:80]


def _planted_engine(tmp_path: Path, outputs: Sequence[PlantedOutput]) -> Engine:
    def register_generators(register):  # type: ignore[no-untyped-def]
        register(PlantedGenerator)

    from contentgen.plugins import plugin_module

    plugins = load_plugins(
        (),
        use_entry_points=False,
        extra=[("planted", plugin_module("planted", register_generators=register_generators))],
    )
    texts = {_key(o.facts): o.text for o in outputs}
    settings = Settings(
        data_dir=tmp_path,
        routes={t: Route("testing:planted") for t in ("marketing", "news_summary")},
        generators={"testing:planted": {"texts": texts}},
        use_entry_points=False,
        repair_attempts=0,  # a rejected answer (too short for the channel) is still explained
    )
    return Engine(settings, plugins, evaluators=[])


def _articles(count: int) -> list[str]:
    """News articles from the copywriting corpus's news generator."""
    import random

    from contentgen.datasets.copywriting.briefs import _faker
    from contentgen.datasets.copywriting.news import generate_news

    return [item.record()["article"] for item in generate_news(count, random.Random(5), _faker(5))]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_the_grounding_map_points_at_the_planted_facts(tmp_path: Path) -> None:
    planted = product_outputs(150, seed=11) + news_outputs(_articles(80), seed=11)
    assert len(planted) >= 200
    requests: list[Any] = [
        MarketingRequest(
            product=o.facts["product"], audience=o.facts["audience"], channel="product_description"
        )
        if "product" in o.facts
        else NewsSummaryRequest(article=o.facts["article"], method="abstractive")
        for o in planted
    ]
    true_links = predicted = correct = found = span_right = 0
    with _planted_engine(tmp_path, planted) as engine:
        results = engine.generate_many(requests)
        for case, result in zip(planted, results, strict=True):
            output = (*result.outputs, *result.rejected)[0]
            assert output.text == case.text
            grounding = engine.explain(output.id).grounding
            links = [(s_i, link) for s_i, s in enumerate(grounding.sentences) for link in s.links]
            truths = [
                (t.fact, (t.output_start, t.output_end), (t.fact_start, t.fact_end))
                for t in case.planted
            ]
            pairs = {(s_i, link.fact) for s_i, link in links}
            predicted += len(pairs)
            for s_i, fact in pairs:
                spans = [
                    (k.output_start, k.output_end) for i, k in links if (i, k.fact) == (s_i, fact)
                ]
                correct += any(f == fact and _overlaps(o, s) for f, o, _ in truths for s in spans)
            true_links += len(truths)
            for fact, out_span, fact_span in truths:
                hits = [
                    k
                    for _, k in links
                    if k.fact == fact and _overlaps(out_span, (k.output_start, k.output_end))
                ]
                found += bool(hits)
                span_right += any(_overlaps(fact_span, (k.fact_start, k.fact_end)) for k in hits)
    precision, recall = correct / predicted, found / true_links
    print(
        f"\ngrounding map over {len(planted)} outputs, {true_links} planted fact uses: "
        f"precision {precision:.4f}, recall {recall:.4f}, fact span right {span_right / found:.4f}"
    )
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR
    assert span_right == found


class BrokenGenerator(Generator):
    """A generator whose model never loads: requests fall back to the route's fallback."""

    id: ClassVar[str] = "testing:broken"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[frozenset[Task]] = ALL_TASKS

    def _load(self) -> None:
        raise RuntimeError("weights missing")

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        raise AssertionError("never loaded")


class NoTrail:
    """A gate that fails copy containing 'Trail', with the word as evidence."""

    name = "no_trail"
    tasks = frozenset({Task.MARKETING})
    gate = True

    def evaluate(self, items: Sequence[Any]) -> list[Evaluation]:
        from contentgen.checks.problems import Problem, verdict

        found = []
        for item in items:
            at = item.text.find("Trail")
            problems = [Problem(self.name, "banned", "text", "Trail", start=at, end=at + 5)]
            found.append(verdict(self.name, problems if at >= 0 else []))
        return found


def _engine(tmp_path: Path, **changes: Any) -> Engine:
    def register_generators(register):  # type: ignore[no-untyped-def]
        register(BrokenGenerator)

    from contentgen.plugins import plugin_module

    plugins = load_plugins(
        (),
        use_entry_points=False,
        extra=[
            ("testing", fast_plugin()),
            ("broken", plugin_module("broken", register_generators=register_generators)),
        ],
    )
    settings = Settings(
        data_dir=tmp_path,
        routes={
            "marketing": Route("testing:echo"),
            "news_summary": Route("testing:broken", fallback="testing:echo"),
        },
        use_entry_points=False,
        **changes,
    )
    return Engine(settings, plugins, evaluators=[NoTrail()])


def test_explain_names_template_examples_checks_model_seed_and_fallback(tmp_path: Path) -> None:
    with _engine(tmp_path) as engine:
        request = MarketingRequest(
            product={"name": "Trail Runner", "price_eur": "89.00"},
            channel="sms",
            seed=42,
            params={"temperature": 0.7},
        )
        result = engine.generate(request)
        output = (*result.outputs, *result.rejected)[0]
        why = engine.explain(output.id)
        news = engine.generate(NewsSummaryRequest(article="Rain is due. Markets rose on Monday."))
        fell_back = engine.explain(news.outputs[0].id)
    assert why.template.template_id == "marketing/sms" and why.template.unchanged
    assert why.template.stored_hash == output.provenance.template_hash
    assert why.template.examples and why.template.examples[0].answer
    (check,) = why.checks
    assert check.name == "no_trail" and check.gate is True and not check.passed
    (problem,) = check.problems
    assert output.text is not None
    assert output.text[problem.start : problem.end] == "Trail" == problem.evidence
    assert why.status == "rejected" and "rejected" in why.selection.summary
    assert why.model.generator_id == "testing:echo" and why.model.model_id == "echo"
    assert why.model.decoding["temperature"] == 0.7 and why.model.seed == output.provenance.seed
    assert [link.fact for s in why.grounding.sentences for link in s.links][:1] == ["product.name"]
    assert fell_back.model.fallback_from == "testing:broken"
    assert fell_back.model.generator_id == "builtin:extractive"  # the news task's own fallback
    assert json.loads(json.dumps(why.as_dict()))["checks"][0]["problems"][0]["evidence"] == "Trail"


def _hashed(texts: Sequence[str]) -> np.ndarray:
    """A deterministic stand-in for MiniLM: words hashed into 384 dimensions."""
    import zlib

    rows = np.zeros((len(texts), 384), dtype=np.float32)
    for row, text in zip(rows, texts, strict=True):
        for word in text.lower().split():
            row[zlib.crc32(word.encode()) % 384] += 1.0
    return rows


def test_explain_shows_the_rerankers_features_and_the_siblings(tmp_path: Path) -> None:
    from contentgen.checks.rerank import Reranker

    rng = np.random.default_rng(0)
    columns = 384 + 2
    model = RewardModel(
        evaluators=("no_trail",),
        mean=rng.normal(0, 1, columns + 2).astype(np.float32),
        scale=np.ones(columns + 2, dtype=np.float32),
        coef=rng.normal(0, 0.1, columns + 2).astype(np.float32),
        intercept=3.0,
        meta={"model_id": "rm-test"},
    )
    model.save(default_model_dir(tmp_path))
    with _engine(tmp_path, rerank=True, rerank_best_of=3) as engine:
        engine.reranker = Reranker(model, embed=_hashed)
        request = MarketingRequest(
            product={"name": "Wool Throw"}, channel="sms", variants=1, seed=7
        )
        result = engine.generate(request)
        (kept,) = result.outputs
        why = engine.explain(kept.id)
    reranker = why.selection.reranker
    assert reranker is not None and reranker.model == "rm-test" and reranker.rank == 1
    assert len(why.selection.siblings) == 2
    assert {s.reward_rank for s in why.selection.siblings} == {2, 3}
    assert reranker.score is not None and reranker.embedding_contribution is not None
    total = reranker.intercept + reranker.embedding_contribution
    total += sum(f.contribution or 0 for f in reranker.features)
    assert abs(total - reranker.score) < 1e-3
    features = feature_matrix([kept.text or ""], [kept.evaluations], model.evaluators, _hashed)
    assert [f.value for f in reranker.features] == pytest.approx(features[0, 384:], abs=1e-4)
    assert "ranked it 1 of 3" in why.selection.summary


def test_explain_shows_the_bandit_arm_and_its_posterior_when_chosen(tmp_path: Path) -> None:
    arms = (
        BanditArm(task=Task.MARKETING, name="warm", template="marketing/sms"),
        BanditArm(task=Task.MARKETING, name="cool", generator="testing:echo"),
    )
    with _engine(tmp_path, bandit=True, bandit_arms=arms) as engine:

        def make(seed: int) -> Any:
            request = MarketingRequest(
                product={"name": "Lamp"}, channel="sms", seed=seed, params={"bandit_arm": "warm"}
            )
            result = engine.generate(request)
            return (*result.outputs, *result.rejected)[0]

        first = make(1)
        engine.rate(first.id, rater="ana", thumb="up")
        second = make(2)
        before, after = engine.explain(first.id), engine.explain(second.id)
    assert before.selection.bandit is not None and after.selection.bandit is not None
    assert (before.selection.bandit.alpha, before.selection.bandit.beta) == (1.0, 1.0)
    assert (after.selection.bandit.alpha, after.selection.bandit.beta) == (2.0, 1.0)
    assert after.selection.bandit.arm == "warm" and after.selection.bandit.context == "sms"
    assert after.model.routing["bandit_arm"] == "warm"
    assert "bandit_posterior" not in after.model.decoding
