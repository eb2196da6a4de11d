"""The reranker gate: of a request's best-of-n drafts, keep the k the reward model scores highest.

The evaluators stay hard gates: a draft that failed one is already rejected before the reward
model sees it, so it can never be chosen. The reranker only decides: for each pool of drafts
(text and verdicts) it returns a `Ranking`, which drafts to keep and one `reward_model` verdict
per draft (score, rank, n), and the engine applies it. Drafts that passed every gate but lost
are stored as rejected, reason "reranked out", so the choice is auditable and can be relearned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.checks.reward import REWARD_EVALUATION, Embedder, RewardModel, default_model_dir
from contentgen.errors import ValidationError
from contentgen.types import MAX_VARIANTS, BaseRequest, Evaluation, Output

if TYPE_CHECKING:
    from contentgen.config import Settings

BEST_OF_PARAM = "best_of"
# One draft as the reranker sees it: its text and the verdicts the evaluators gave it.
Scored = tuple[str, Sequence[Evaluation]]


def best_of_for(request: BaseRequest, settings: Settings) -> int:
    """How many candidates to generate: request.params['best_of'], else Settings.rerank_best_of."""
    value = request.params.get(BEST_OF_PARAM, settings.rerank_best_of)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VARIANTS:
        raise ValidationError(
            f"params.{BEST_OF_PARAM}",
            f"must be a whole number from 1 to {MAX_VARIANTS}, got {value!r}",
        )
    return value


@dataclass(frozen=True)
class Ranking:
    """The decision for one pool: the drafts to keep (indices, best first) and every verdict."""

    keep: tuple[int, ...]
    verdicts: tuple[Evaluation, ...]  # one reward_model verdict per draft, in pool order


def rank(scores: Sequence[float], k: int, *, model_id: str) -> Ranking:
    """Keep the k highest scores; every draft gets a verdict with its score and rank."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ranks = {i: r for r, i in enumerate(order, start=1)}
    verdicts = tuple(
        Evaluation(
            name=REWARD_EVALUATION,
            passed=True,
            score=round(float(scores[i]), 4),
            detail={
                "rank": ranks[i],
                "of": len(scores),
                "chosen": ranks[i] <= k,
                "model": model_id,
            },
        )
        for i in range(len(scores))
    )
    return Ranking(tuple(order[:k]), verdicts)


def reranked_out(output: Output) -> bool:
    """Whether the reranker chose other drafts over this one (its reward_model verdict says so)."""
    return any(
        e.name == REWARD_EVALUATION and e.detail.get("chosen") is False for e in output.evaluations
    )


class Reranker:
    """A loaded reward model that ranks pools of drafts; it keeps no state about any request."""

    def __init__(self, model: RewardModel, embed: Embedder | None = None) -> None:
        self.model = model
        self.embed = embed

    @classmethod
    def load(cls, data_dir: Path, *, model_dir: Path | None = None) -> Reranker:
        """The reward model trained for this data folder (ConfigError naming the command if none)."""
        return cls(RewardModel.load(model_dir or default_model_dir(data_dir)))

    def decide(self, pools: Sequence[tuple[Sequence[Scored], int]]) -> list[Ranking]:
        """One Ranking per (drafts, k) pool; every draft of every pool is scored in one call."""
        flat = [draft for drafts, _ in pools for draft in drafts]
        scores = self.model.predict([t for t, _ in flat], [e for _, e in flat], self.embed)
        rankings = []
        start = 0
        for drafts, k in pools:
            mine = scores[start : start + len(drafts)]
            start += len(drafts)
            rankings.append(rank(mine, k, model_id=self.model.model_id))
        return rankings
