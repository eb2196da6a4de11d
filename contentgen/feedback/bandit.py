"""Thompson-sampling bandit over configured routing arms per task and channel, learned from ratings.

Each arm keeps a Beta(1 + successes, 1 + failures) posterior: a thumb up, a score of 4 or 5, or
winning a pairwise preference is a success; a thumb down, a score of 1-3 or losing is a failure.
The posterior is recomputed from the ratings table (so re-imports and deletions can never
double-count) and persisted in `bandit_arms` for the report and `contentgen bandit show`.
"""

from __future__ import annotations

import logging
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from contentgen.errors import ConfigError, ValidationError
from contentgen.feedback.arms import ANY_CONTEXT, ARM_PARAM, BanditArm
from contentgen.storage.arm_keys import POSTERIOR_PARAM
from contentgen.types import BaseRequest

if TYPE_CHECKING:
    from contentgen.config import Settings
    from contentgen.registry import GeneratorRegistry
    from contentgen.storage.feedback import ArmOutcome, ArmRecord
    from contentgen.storage.store import Store
    from contentgen.tasks.registry import TaskRegistry
    from contentgen.templates import TemplateLibrary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArmBelief:
    """What the bandit believes about one arm in one context: a Beta posterior."""

    task: str
    context: str
    arm: str
    successes: int
    failures: int
    pulls: int
    mean_score: float | None
    configured: bool = True

    @property
    def alpha(self) -> float:
        """Beta posterior alpha (uniform prior)."""
        return 1.0 + self.successes

    @property
    def beta(self) -> float:
        """Beta posterior beta (uniform prior)."""
        return 1.0 + self.failures

    @property
    def mean(self) -> float:
        """Posterior mean success rate."""
        return self.alpha / (self.alpha + self.beta)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Equal-tailed credible interval of the success rate."""
        return beta_interval(self.alpha, self.beta, level)


def beta_interval(alpha: float, beta: float, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed credible interval of a Beta (normal approximation without scipy)."""
    tail = (1 - level) / 2
    try:
        from scipy.stats import beta as beta_dist

        return float(beta_dist.ppf(tail, alpha, beta)), float(beta_dist.ppf(1 - tail, alpha, beta))
    except ImportError:
        mean = alpha / (alpha + beta)
        sd = math.sqrt(alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1)))
        return max(0.0, mean - 1.96 * sd), min(1.0, mean + 1.96 * sd)


def thompson_choice(posteriors: Sequence[tuple[str, float, float]], rng: random.Random) -> str:
    """Draw once from each (name, alpha, beta) posterior; return the name of the largest draw."""
    if not posteriors:
        raise ValueError("thompson_choice needs at least one arm")
    draws = [(rng.betavariate(a, b), i) for i, (_, a, b) in enumerate(posteriors)]
    return posteriors[max(draws)[1]][0]


def channel_context(request: BaseRequest, tasks: TaskRegistry | None = None) -> str:
    """The context a request's arm is chosen in: its channel (its task's output spec), else '*'.

    `tasks` is the engine's task registry; without it, the built-in tasks.
    """
    if tasks is None:
        from contentgen.tasks.registry import builtin_tasks

        tasks = builtin_tasks()
    output = tasks.spec_for(request).output_spec(request)
    return output.name if output is not None else ANY_CONTEXT


def compute_records(
    outcomes: Sequence[ArmOutcome],
    pulls: dict[tuple[str, str, str], int],
    arms: Sequence[BanditArm],
) -> list[ArmRecord]:
    """One record per (task, context, arm) from the outcomes; unused configured arms included."""
    from contentgen.storage.feedback import ArmRecord

    wins: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    scores: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for o in outcomes:
        key = (o.task, o.context, o.arm)
        wins[key][0 if o.success else 1] += 1
        if o.score is not None:
            scores[key].append(o.score)
    keys = set(wins) | set(pulls)
    specs = {(str(a.task), a.name): a.spec() for a in arms}
    seen_arms = {(task, arm) for task, _, arm in keys}
    for arm in arms:
        if (str(arm.task), arm.name) not in seen_arms:
            keys.add((str(arm.task), arm.channel or ANY_CONTEXT, arm.name))
    records = []
    for task, context, name in sorted(keys):
        s, f = wins.get((task, context, name), [0, 0])
        seen = scores.get((task, context, name))
        records.append(
            ArmRecord(
                task=task,
                context=context,
                arm=name,
                successes=s,
                failures=f,
                pulls=pulls.get((task, context, name), 0),
                mean_score=sum(seen) / len(seen) if seen else None,
                spec=specs.get((task, name), {"configured": False}),
            )
        )
    return records


def refresh_arms(store: Store, arms: Sequence[BanditArm] = ()) -> list[ArmRecord]:
    """Recompute every arm's posterior from the ratings and persist it in the arm table."""
    from contentgen.storage.feedback import FeedbackStore

    feedback = FeedbackStore(store)
    records = compute_records(feedback.arm_outcomes(), feedback.arm_pulls(), arms)
    feedback.save_arms(records)
    return records


def beliefs(records: Sequence[ArmRecord]) -> list[ArmBelief]:
    """Arm records as posteriors."""
    return [
        ArmBelief(
            task=r.task,
            context=r.context,
            arm=r.arm,
            successes=r.successes,
            failures=r.failures,
            pulls=r.pulls,
            mean_score=r.mean_score,
            configured=r.spec.get("configured", True) is not False,
        )
        for r in records
    ]


class BanditRouter:
    """Picks an arm (Thompson sampling) for requests naming neither generator nor template."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        templates: TemplateLibrary,
        registry: GeneratorRegistry | None = None,
        *,
        rng: random.Random | None = None,
        tasks: TaskRegistry | None = None,
    ) -> None:
        self.arms = settings.bandit_arms
        self.store = store
        self.templates = templates
        self.tasks = tasks
        self._rng = rng or random.Random()
        self._fingerprint: tuple[int, str | None] | None = None
        self._counts: dict[tuple[str, str, str], tuple[int, int]] = {}
        self._check(registry)

    def _check(self, registry: GeneratorRegistry | None) -> None:
        for arm in self.arms:
            where = f"bandit arm {arm.name!r} ({arm.task})"
            if arm.template is not None and not self.templates.exists(arm.template):
                raise ConfigError(
                    f"{where}: unknown template {arm.template!r} "
                    f"(valid: {', '.join(self.templates.ids(arm.task))})"
                )
            if arm.generator is not None and registry is not None:
                valid = [s.id for s in registry.for_task(arm.task)]
                if arm.generator not in valid:
                    raise ConfigError(
                        f"{where}: generator {arm.generator!r} cannot serve it "
                        f"(valid: {', '.join(valid)})"
                    )

    def eligible(self, request: BaseRequest) -> list[BanditArm]:
        """The configured arms that can serve this request's task and channel."""
        context = channel_context(request, self.tasks)
        found = []
        for arm in self.arms:
            if arm.task != request.task or arm.channel not in (None, context):
                continue
            if arm.template is not None:
                channel = self.templates.get(arm.template).channel
                if channel is not None and channel != context:
                    continue
            found.append(arm)
        return found

    def refresh(self, *, force: bool = False) -> None:
        """Reload posteriors when ratings changed since the last look (a cheap count query)."""
        from contentgen.storage.feedback import FeedbackStore

        fingerprint = FeedbackStore(self.store).ratings_fingerprint()
        if force or fingerprint != self._fingerprint:
            records = refresh_arms(self.store, self.arms)
            self._counts = {(r.task, r.context, r.arm): (r.successes, r.failures) for r in records}
            self._fingerprint = fingerprint

    def choose(self, request: BaseRequest) -> BanditArm | None:
        """The arm Thompson sampling picks for `request` (None when no arm applies)."""
        arms = self.eligible(request)
        if not arms:
            return None
        explicit = request.params.get(ARM_PARAM)
        if explicit is not None:
            for arm in arms:
                if arm.name == explicit:
                    return arm
            raise ValidationError(
                f"params.{ARM_PARAM}", f"unknown arm {explicit!r}", [a.name for a in arms]
            )
        self.refresh()
        context = channel_context(request, self.tasks)
        posteriors = []
        for arm in arms:
            s, f = self._counts.get((str(request.task), context, arm.name), (0, 0))
            posteriors.append((arm.name, 1.0 + s, 1.0 + f))
        rng = random.Random(f"bandit:{request.seed}") if request.seed is not None else self._rng
        name = thompson_choice(posteriors, rng)
        return next(a for a in arms if a.name == name)

    def posterior(self, request: BaseRequest, arm: BanditArm) -> dict[str, float]:
        """The arm's Beta posterior {alpha, beta} for this request's context, as of now."""
        self.refresh()
        key = (str(request.task), channel_context(request, self.tasks), arm.name)
        s, f = self._counts.get(key, (0, 0))
        return {"alpha": 1.0 + s, "beta": 1.0 + f}

    def route(self, request: BaseRequest) -> BaseRequest:
        """The request with the chosen arm's generator, template, params and name filled in."""
        if request.generator is not None or request.template is not None:
            return request
        arm = self.choose(request)
        if arm is None:
            return request
        params: dict[str, Any] = {**arm.params, **request.params, ARM_PARAM: arm.name}
        params[POSTERIOR_PARAM] = self.posterior(request, arm)  # what `explain` shows later
        log.debug("bandit picked arm %s for a %s request", arm.name, request.task)
        return replace(request, generator=arm.generator, template=arm.template, params=params)
