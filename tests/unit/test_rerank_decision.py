"""The reranker gate decides which drafts to keep; it changes nothing it is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contentgen.checks.rerank import Reranker, rank, reranked_out
from contentgen.types import Evaluation, Output, Provenance, Task


@dataclass
class _LengthModel:
    """A stand-in reward model: longer texts score higher."""

    model_id: str = "length"
    calls: int = 0

    def predict(
        self, texts: Sequence[str], evaluations: object, embed: object = None
    ) -> list[float]:
        self.calls += 1
        return [float(len(t)) for t in texts]


def test_rank_keeps_the_k_best_and_gives_every_draft_a_verdict() -> None:
    ranking = rank([0.2, 0.9, 0.5], 2, model_id="m")
    assert ranking.keep == (1, 2)
    assert [v.detail["rank"] for v in ranking.verdicts] == [3, 1, 2]
    assert [v.detail["chosen"] for v in ranking.verdicts] == [False, True, True]
    assert {v.name for v in ranking.verdicts} == {"reward_model"}


def test_pools_are_scored_in_one_call_and_decided_apart() -> None:
    model = _LengthModel()
    pools = [
        ([("short", ()), ("much longer", ())], 1),
        ([("a", ()), ("bb", ()), ("ccc", ())], 2),
    ]
    before = [list(p) for p, _ in pools]
    first, second = Reranker(model).decide(pools)  # type: ignore[arg-type]
    assert (first.keep, second.keep) == ((1,), (2, 1))
    assert model.calls == 1
    assert [list(p) for p, _ in pools] == before  # a decision, not an edit


def test_a_verdict_keeps_the_drafts_own_verdicts_apart() -> None:
    own = (Evaluation(name="channel", passed=True),)
    (decision,) = Reranker(_LengthModel()).decide([([("text", own)], 1)])  # type: ignore[arg-type]
    assert decision.keep == (0,) and own == (Evaluation(name="channel", passed=True),)


def _output(*evaluations: Evaluation) -> Output:
    provenance = Provenance(
        generator_id="testing:echo",
        generator_version="1",
        model_id=None,
        model_revision=None,
        template_id=None,
        template_hash=None,
        params={},
        seed=0,
        timings={},
    )
    return Output(
        id="o",
        request_id="r",
        task=Task("marketing"),
        index=0,
        text="t",
        fields={},
        image_path=None,
        image_sha256=None,
        status="rejected",
        reason="reranked out",
        provenance=provenance,
        evaluations=evaluations,
    )


def test_an_output_the_reranker_dropped_is_known_by_its_verdict_not_its_reason() -> None:
    lost, won = rank([0.1, 0.9], 1, model_id="m").verdicts
    gate = Evaluation(name="channel", passed=False, detail={"chosen": False})
    assert reranked_out(_output(gate, lost))
    assert not reranked_out(_output(won))
    assert not reranked_out(_output(gate))  # another check's detail is not the reranker's
