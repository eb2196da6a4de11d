"""The engine's generation step for one model batch of prepared works.

Load each work's generator (falling back when it cannot load), call it with the retry policy,
check the candidates into drafts, regenerate what is still missing, shorten over-long drafts,
fall back to another generator when a summary fails a quality detector, and apply the
reranker's decision. A channel asked for field by field is written by `contentgen.fields`.
Only `Engine` calls this; it sequences nothing else.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from contentgen.checks.channels import ChannelSpec
from contentgen.checks.problems import RERANKED_OUT, Problem
from contentgen.checks.rerank import BEST_OF_PARAM, Reranker
from contentgen.checks.reward import REWARD_EVALUATION
from contentgen.drafts import (
    duplicate_problem,
    edit_drafts,
    evaluate_drafts,
    evaluate_many,
    parse_candidate,
    same_copy,
    screen_drafts,
    shorten_draft,
)
from contentgen.fields import wanted_spec, write_fields
from contentgen.generator import Generator
from contentgen.retry import Answer, RetryPolicy
from contentgen.types import Candidate, Prompt, PromptError
from contentgen.work import Work, build_prompt

if TYPE_CHECKING:
    from contentgen.registry import GeneratorRegistry

log = logging.getLogger(__name__)


def by_generator(works: Sequence[Work]) -> dict[str, list[Work]]:
    """Works grouped by the generator that will serve them, in first-seen order."""
    groups: dict[str, list[Work]] = defaultdict(list)
    for work in works:
        groups[work.generator_id].append(work)
    return groups


def chunks(works: Sequence[Work], size: int) -> Iterator[list[Work]]:
    """Consecutive lists of at most `size` works (size < 1 counts as 1)."""
    size = max(1, size)
    for start in range(0, len(works), size):
        yield list(works[start : start + size])


@dataclass(frozen=True)
class EarlyCall:
    """A model batch's first generate() call, made ahead: its prompts, answers and duration."""

    works: tuple[int, ...]  # id() of each work, in the order of the call's prompts
    prompts: list[Prompt]
    answers: list[Answer]
    elapsed_s: float


class Generation:
    """Generates, checks and repairs the drafts of a model batch of works."""

    def __init__(
        self,
        registry: GeneratorRegistry,
        policy: RetryPolicy,
        reranker: Callable[[], Reranker],
    ) -> None:
        self.registry = registry
        self.policy = policy
        self._reranker = reranker

    def run(self, works: Sequence[Work], early: EarlyCall | None = None) -> None:
        """Generate until every work has its drafts, within the policy's rounds.

        `early` is the batch's first call when `first_call` already made it (on another thread).
        """
        widened = [w for w in works if w.best_of is not None and not w.error]
        reranker = self._reranker() if widened else None  # a missing model fails before any work
        for attempt in self.policy.rounds():
            pending = [w for w in works if w.needed]
            if attempt > 0:
                pending = [w for w in pending if self.policy.may_repair(w.plan.params)]
            if not pending:
                break
            for group in by_generator(pending).values():
                self.generate(group, attempt, early)
        for work in works:
            self._shorten_rejected(work)
        rescued = self._rescue(works)
        for work in works:
            if id(work) in rescued:  # its new drafts may be over-long only
                self._shorten_rejected(work)
            self._summary_fallback(work)
        if reranker is not None:
            self._rerank(reranker, widened)

    def _rescue(self, works: Sequence[Work]) -> set[int]:
        """More rounds for the requests with nothing accepted (not those with a fallback to
        take); the id() of each work that got one."""
        rescued: set[int] = set()
        for attempt in self.policy.rescue_rounds():
            pending = [w for w in works if w.needed and not w.accepted and not w.error]
            pending = [w for w in pending if self.policy.may_repair(w.plan.params)]
            pending = [w for w in pending if not w.plan.check_fallback]
            if not pending:
                break
            rescued.update(id(w) for w in pending)
            for group in by_generator(pending).values():
                self.generate(group, attempt)
        return rescued

    def first_call(self, works: Sequence[Work]) -> EarlyCall | None:
        """Make a model batch's first-round call now, as `run` would; None where it cannot.

        Only the generator call: checking its answers is left to `run`, on the engine's thread.
        """
        try:
            generator = self.registry.get(works[0].generator_id)
            generator.load()
        except Exception:  # run() loads it again and falls back or reports, as for any batch
            return None
        if any(w.error or not w.needed or self._field_spec(w, generator) for w in works):
            return None
        ordered = sorted(works, key=lambda w: w.prompt_chars)
        prompts = [build_prompt(w, 0) for w in ordered]
        started = time.perf_counter()
        answers = self.policy.call(generator, prompts)
        elapsed = time.perf_counter() - started
        return EarlyCall(tuple(id(w) for w in ordered), prompts, answers, elapsed)

    def generate(self, works: Sequence[Work], attempt: int, early: EarlyCall | None = None) -> None:
        """One round: load each work's generator, then call it on model batches of its works."""
        ready = [w for w in works if self._loaded(w) is not None]
        for gid, group in by_generator(ready).items():
            generator = self.registry.get(gid)
            ordered = sorted(group, key=lambda w: w.prompt_chars)
            for chunk in chunks(ordered, generator.max_batch_size()):
                fieldwise = [w for w in chunk if self._field_spec(w, generator) is not None]
                whole = [w for w in chunk if self._field_spec(w, generator) is None]
                for part, by_field in ((whole, False), (fieldwise, True)):
                    if part:
                        self._call(generator, part, attempt, by_field=by_field, early=early)

    def _call(
        self,
        generator: Generator,
        works: Sequence[Work],
        attempt: int,
        *,
        by_field: bool,
        early: EarlyCall | None = None,
    ) -> None:
        """One model batch: the whole answers in one call, or field by field (one per field)."""
        prompts = [build_prompt(w, attempt) for w in works]
        started = time.perf_counter()
        answers: Sequence[Sequence[Candidate] | PromptError]
        if early is not None and attempt == 0 and early.works == tuple(id(w) for w in works):
            prompts, answers = early.prompts, early.answers
            started -= early.elapsed_s
        elif by_field:
            specs = [self._field_spec(w, generator) for w in works]
            answers = write_fields(
                lambda asked: self.policy.call(generator, asked),
                prompts,
                [s for s in specs if s is not None],
            )
        else:
            answers = self.policy.call(generator, prompts)
        elapsed = time.perf_counter() - started
        total = sum(len(a) for a in answers if not isinstance(a, PromptError)) or 1
        answered = []
        for work, prompt, answer in zip(works, prompts, answers, strict=True):
            if isinstance(answer, PromptError):
                work.error = answer.message
            else:
                answered.append((work, prompt, list(answer)))
        self._accept(answered, elapsed / total)

    @staticmethod
    def _field_spec(work: Work, generator: Generator) -> ChannelSpec | None:
        """The channel to write field by field for `work`, when asked for and possible."""
        spec = wanted_spec(work.plan.params, work.ctx.spec)
        return spec if spec is not None and generator.continues_answer() else None

    def _loaded(self, work: Work) -> Generator | None:
        started = time.perf_counter()
        try:
            generator = self.registry.get(work.generator_id)
            generator.load()
            return generator
        except Exception as exc:  # any plugin failure: fall back or report, never crash the batch
            fallback = work.plan.fallback_id
            if fallback and fallback != work.generator_id and work.fallback_from is None:
                log.warning(
                    "generator %s failed to load (%s); using fallback %s",
                    work.generator_id,
                    exc,
                    fallback,
                )
                work.fallback_from, work.generator_id = work.generator_id, fallback
                return self._loaded(work)
            work.error = (
                f"generator {work.generator_id} failed to load: {type(exc).__name__}: {exc}"
            )
            return None
        finally:
            work.load_s += time.perf_counter() - started

    @staticmethod
    def _accept(answered: Sequence[tuple[Work, Prompt, list[Candidate]]], share: float) -> None:
        """Check a model batch's candidates together (one call per check), keep what passes."""
        parsed = [
            [parse_candidate(c, work.ctx, prompt.seed or 0, share) for c in candidates]
            for work, prompt, candidates in answered
        ]
        contexts = [work.ctx for work, _, _ in answered]
        checked = evaluate_many(list(zip(parsed, contexts, strict=True)))
        # A draft whose only slips are mechanical (an article, a capital) is edited, not redrawn.
        checked = edit_drafts(list(zip(checked, contexts, strict=True)))
        for (work, _, _), drafts in zip(answered, checked, strict=True):
            for draft in drafts:
                if not draft.problems and same_copy(draft, work.accepted):
                    # Two variants that say the same words are one variant: ask again instead.
                    work.rejected.append(replace(draft, problems=(duplicate_problem(draft),)))
                elif not draft.problems and len(work.accepted) < work.wanted:
                    work.accepted.append(draft)
                elif draft.problems:
                    work.rejected.append(draft)

    @staticmethod
    def _shorten_rejected(work: Work) -> None:
        if not work.needed or work.ctx.spec is None:
            return
        keep = []
        for draft in work.rejected:
            if work.needed and draft.length_only:
                fixed = shorten_draft(draft, work.ctx)
                if not fixed.problems:
                    fixed = evaluate_drafts([fixed], work.ctx)[0]
                if not fixed.problems:
                    work.accepted.append(fixed)
                    continue
            keep.append(draft)
        work.rejected = keep

    def _summary_fallback(self, work: Work) -> None:
        if not (work.plan.check_fallback and work.plan.fallback_id):
            return
        # "auto" falls back whenever a draft fails a quality detector, even with custom evaluators.
        work.accepted, failed = screen_drafts(work.accepted, work.ctx)
        work.rejected += failed
        if not work.needed:
            return
        work.fallback_from, work.generator_id = work.generator_id, work.plan.fallback_id
        work.error = None
        self.generate([work], 0)

    @staticmethod
    def _rerank(reranker: Reranker, works: Sequence[Work]) -> None:
        """Ask the reranker which drafts to keep, then keep them (the other ones are rejected)."""
        pools = [[d for d in w.accepted if d.text] for w in works]
        scored = [[(d.text or "", d.evaluations) for d in pool] for pool in pools]
        decisions = reranker.decide([(s, w.request.n) for s, w in zip(scored, works, strict=True)])
        out = Problem(REWARD_EVALUATION, RERANKED_OUT, "text", "")
        for work, pool, ranking in zip(works, pools, decisions, strict=True):
            judged = [
                replace(d, evaluations=(*d.evaluations, v))
                for d, v in zip(pool, ranking.verdicts, strict=True)
            ]
            kept = set(ranking.keep)
            work.accepted = [judged[i] for i in ranking.keep]
            dropped = [replace(d, problems=(out,)) for i, d in enumerate(judged) if i not in kept]
            work.rejected = [*dropped, *work.rejected]
            log.debug("reranked %d candidates down to %d", len(pool), len(kept))


def widen(work: Work, best_of: int) -> None:
    """Ask a work for `best_of` candidates for the reranker (recorded in its params)."""
    params = {**work.plan.params, BEST_OF_PARAM: best_of}
    if float(params.get("temperature", 0.8)) <= 0:
        params["temperature"] = 0.8  # n greedy candidates would all be the same text
    work.best_of = best_of
    work.plan = replace(work.plan, params=params)
