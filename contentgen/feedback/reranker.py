"""Best-of-n reranking: generate n candidates, keep the k the reward model scores highest.

The evaluators stay hard gates: a candidate that failed a gate is already rejected before the
reward model sees it, so it can never be chosen. Candidates that passed every gate but lost are
stored too, as status "rejected" with reason "reranked out", each with a `reward_model` verdict
(score, rank, n) so the choice is auditable and can be relearned from.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import ValidationError
from contentgen.feedback.reward_model import (
    REWARD_EVALUATION,
    Embedder,
    RewardModel,
    default_model_dir,
)
from contentgen.types import MAX_VARIANTS, BaseRequest, Evaluation, Task

if TYPE_CHECKING:
    from contentgen.config import Settings
    from contentgen.drafts import Draft
    from contentgen.engine import Work

log = logging.getLogger(__name__)
RERANKED_OUT = "reranked out"
BEST_OF_PARAM = "best_of"
# Tasks whose requests carry a variant count; a news summary is always one text.
RERANK_FIELDS = {Task.MARKETING: "variants", Task.CUSTOMER_SERVICE: "variants"}


def best_of_for(request: BaseRequest, settings: Settings) -> int:
    """How many candidates to generate: request.params['best_of'], else Settings.rerank_best_of."""
    value = request.params.get(BEST_OF_PARAM, settings.rerank_best_of)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VARIANTS:
        raise ValidationError(
            f"params.{BEST_OF_PARAM}",
            f"must be a whole number from 1 to {MAX_VARIANTS}, got {value!r}",
        )
    return value


def rerank_drafts(
    drafts: Sequence[Draft], k: int, scores: Sequence[float], *, model_id: str
) -> tuple[list[Draft], list[Draft]]:
    """Split gate-passing drafts into the k best by score and the rest (marked 'reranked out')."""
    order = sorted(range(len(drafts)), key=lambda i: -scores[i])
    kept: list[Draft] = []
    dropped: list[Draft] = []
    for rank, i in enumerate(order, start=1):
        chosen = rank <= k
        verdict = Evaluation(
            name=REWARD_EVALUATION,
            passed=True,
            score=round(float(scores[i]), 4),
            detail={"rank": rank, "of": len(drafts), "chosen": chosen, "model": model_id},
        )
        draft = replace(drafts[i], evaluations=(*drafts[i].evaluations, verdict))
        if chosen:
            kept.append(draft)
        else:
            dropped.append(replace(draft, problems=(RERANKED_OUT,)))
    return kept, dropped


@dataclass
class BestOf:
    """One engine run's best-of-n state: widened works and what they asked for originally."""

    model: RewardModel
    widened: list[tuple[Work, BaseRequest]]
    embed: Embedder | None = None

    @classmethod
    def widen(
        cls,
        works: Sequence[Work],
        settings: Settings,
        *,
        model_dir: Path | None = None,
        embed: Embedder | None = None,
    ) -> BestOf | None:
        """Ask each rerankable work for best_of candidates; None when no work needs reranking."""
        chosen: list[tuple[Work, int]] = []
        for work in works:
            name = RERANK_FIELDS.get(work.request.task)
            if name is None or work.error:
                continue
            n = best_of_for(work.request, settings)
            if n > work.request.n:
                chosen.append((work, n))
        if not chosen:
            return None
        model = RewardModel.load(model_dir or default_model_dir(settings.data_dir))
        widened = []
        for work, n in chosen:
            original = work.request
            wider: dict[str, Any] = {RERANK_FIELDS[original.task]: n}
            work.request = replace(original, **wider)
            params: dict[str, Any] = {**work.plan.params, BEST_OF_PARAM: n}
            if float(params.get("temperature", 0.8)) <= 0:
                params["temperature"] = 0.8  # n greedy candidates would all be the same text
            work.plan = replace(work.plan, params=params)
            widened.append((work, original))
        return cls(model, widened, embed)

    def select(self) -> None:
        """Keep each work's best k accepted drafts; the others become 'reranked out' rejections."""
        pool = [(w, d) for w, _ in self.widened for d in w.accepted if d.text]
        scores = self.model.predict(
            [d.text or "" for _, d in pool], [d.evaluations for _, d in pool], self.embed
        )
        by_work: dict[int, list[float]] = {}
        for (work, _), score in zip(pool, scores, strict=True):
            by_work.setdefault(id(work), []).append(score)
        for work, original in self.widened:
            work.request = original
            drafts = [d for d in work.accepted if d.text]
            kept, dropped = rerank_drafts(
                drafts, original.n, by_work.get(id(work), []), model_id=self.model.model_id
            )
            work.accepted = kept
            work.rejected = [*dropped, *work.rejected]
            log.debug("reranked %d candidates down to %d", len(drafts), len(kept))
