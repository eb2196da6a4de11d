"""Why an output was chosen over its siblings: the reranker's verdict and features, the bandit's arm.

Everything comes from what the store keeps: the `reward_model` verdict each reranked draft
carries (score, rank, model id), the arm and its posterior recorded in the output's params when
the bandit routed the request, and the sibling outputs. The reward model's features are rebuilt
from the stored verdicts and text; when the model in the data folder is the one that scored the
output, each feature's share of the score is shown, and the text embedding's share is what
remains of the stored score.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contentgen.checks.problems import RERANKED_OUT, problems_from_detail
from contentgen.checks.reward import REWARD_EVALUATION, default_model_dir
from contentgen.explain.records import BanditChoice, Feature, RerankerChoice, Selection, Sibling
from contentgen.storage.arm_keys import ARM_PARAM, POSTERIOR_PARAM, context_of
from contentgen.types import Evaluation, Output


def _reward(output: Output) -> Evaluation | None:
    return next((e for e in output.evaluations if e.name == REWARD_EVALUATION), None)


def reranker_choice(output: Output, data_dir: Path) -> RerankerChoice | None:
    """The reward model's verdict on `output` and the features behind it (None if not reranked)."""
    verdict = _reward(output)
    if verdict is None:
        return None
    detail = verdict.detail
    stored_model = detail.get("model")
    choice = RerankerChoice(
        model=str(stored_model) if stored_model else None,
        score=verdict.score,
        rank=detail.get("rank"),
        of=detail.get("of"),
        chosen=detail.get("chosen"),
    )
    return _with_features(choice, output, data_dir)


def _with_features(choice: RerankerChoice, output: Output, data_dir: Path) -> RerankerChoice:
    from dataclasses import replace

    from contentgen.checks.reward import RewardModel, verdict_features
    from contentgen.errors import ConfigError

    try:
        model = RewardModel.load(default_model_dir(data_dir))
    except ConfigError:
        return replace(choice, note="no reward model in the data folder to rebuild features")
    text = output.text or ""
    others = [e for e in output.evaluations if e.name != REWARD_EVALUATION]
    names = [f"{n}.{part}" for n in model.evaluators for part in ("passed", "score")]
    values = [*verdict_features(others, model.evaluators), *_lengths(text)]
    names += ["log_chars", "log_words"]
    if model.model_id != choice.model:
        note = f"the reward model is now {model.model_id}, not {choice.model}: values only"
        return replace(
            choice,
            features=tuple(Feature(n, v) for n, v in zip(names, values, strict=True)),
            note=note,
        )
    first = len(model.mean) - len(values)  # the embedding's columns come first
    contributions = [
        float((v - model.mean[first + i]) / model.scale[first + i] * model.coef[first + i])
        for i, v in enumerate(values)
    ]
    features = tuple(
        Feature(n, round(v, 4), round(c, 4))
        for n, v, c in zip(names, values, contributions, strict=True)
    )
    rest = None
    if choice.score is not None:
        rest = round(choice.score - model.intercept - sum(contributions), 4)
    return replace(
        choice,
        features=features,
        intercept=round(model.intercept, 4),
        embedding_contribution=rest,
    )


def _lengths(text: str) -> list[float]:
    import math

    return [math.log1p(len(text)), math.log1p(len(text.split()))]


def bandit_choice(
    output: Output, channel: str | None, current: Sequence[Any] = ()
) -> BanditChoice | None:
    """The arm recorded in the output's params and its posterior then (and now, from `current`,
    the stored arm records)."""
    arm = output.provenance.params.get(ARM_PARAM)
    if not arm:
        return None
    context = context_of(channel)
    posterior = output.provenance.params.get(POSTERIOR_PARAM)
    alpha = beta = None
    if isinstance(posterior, dict):
        alpha, beta = posterior.get("alpha"), posterior.get("beta")
    now = next(
        (r for r in current if (r.task, r.context, r.arm) == (str(output.task), context, str(arm))),
        None,
    )
    return BanditChoice(
        arm=str(arm),
        context=context,
        alpha=alpha,
        beta=beta,
        current_alpha=1.0 + now.successes if now is not None else None,
        current_beta=1.0 + now.failures if now is not None else None,
    )


def siblings_of(output: Output, outputs: Sequence[Output]) -> tuple[Sibling, ...]:
    """The request's other outputs, in order, with their reward-model standing."""
    found = []
    for other in sorted(outputs, key=lambda o: o.index):
        if other.id == output.id:
            continue
        verdict = _reward(other)
        found.append(
            Sibling(
                output_id=other.id,
                index=other.index,
                status=other.status,
                reason=other.reason,
                reward_score=verdict.score if verdict else None,
                reward_rank=verdict.detail.get("rank") if verdict else None,
            )
        )
    return tuple(found)


def summary(output: Output, reranker: RerankerChoice | None, bandit: BanditChoice | None) -> str:
    """One sentence on why the output is where it is."""
    reranked_out = any(
        p.kind == RERANKED_OUT for e in output.evaluations for p in problems_from_detail(e.detail)
    ) or (output.reason or "").startswith("reranked out")
    if output.status == "ok":
        why = "kept: it passed every gating check"
    elif reranked_out:
        why = "not kept: it passed every gating check but lost the reranking"
    else:
        why = f"{output.status}: {output.reason or 'a check failed'}"
    if reranker is not None and reranker.rank is not None:
        why += (
            f"; the reward model {reranker.model or ''} ranked it {reranker.rank} of "
            f"{reranker.of} (score {reranker.score})"
        )
    if bandit is not None:
        why += f"; routed by bandit arm {bandit.arm!r}"
        if bandit.mean is not None:
            why += f" (posterior mean {bandit.mean:.2f} when chosen)"
    return why + "."


def selection(
    output: Output,
    outputs: Sequence[Output],
    *,
    channel: str | None,
    data_dir: Path,
    arms: Sequence[Any] = (),
) -> Selection:
    """Everything about how this output was chosen over its siblings."""
    reranker = reranker_choice(output, data_dir)
    bandit = bandit_choice(output, channel, arms)
    return Selection(
        summary=summary(output, reranker, bandit),
        siblings=siblings_of(output, outputs),
        reranker=reranker,
        bandit=bandit,
    )
