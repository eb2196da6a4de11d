"""The engine: the only orchestration code. validate -> route -> render -> generate -> check -> store."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen import requests_io
from contentgen.channels import CHANNELS
from contentgen.config import Settings, load_settings
from contentgen.drafts import (
    DraftContext,
    evaluate_drafts,
    example_facts,
    parse_candidate,
    shorten_draft,
)
from contentgen.errors import ContentgenError, GeneratorError, ValidationError
from contentgen.evaluation import Evaluator
from contentgen.generator import Generator
from contentgen.ids import new_id
from contentgen.plugins import PluginSet, load_plugins
from contentgen.registry import GeneratorRegistry
from contentgen.routing import plan_route
from contentgen.templates import TemplateLibrary
from contentgen.types import (
    BaseRequest,
    Candidate,
    MarketingRequest,
    Output,
    Prompt,
    Rating,
    Result,
    StatRow,
    Task,
)
from contentgen.work import Produced, Work, build_prompt, finish_work, to_result

if TYPE_CHECKING:
    from contentgen.batch import BatchRun
    from contentgen.feedback.bandit import BanditRouter
    from contentgen.storage.store import Store

log = logging.getLogger(__name__)
SHARED_OPTIONS = ("cache_dir", "device", "torch_threads")


class Engine:
    """Routes requests to generators, checks the outputs and stores them with provenance."""

    def __init__(
        self,
        settings: Settings,
        plugins: PluginSet,
        *,
        store: Store | None = None,
        evaluators: Sequence[Evaluator] | None = None,
    ) -> None:
        self.settings = settings
        self.plugins = plugins
        self.registry = GeneratorRegistry(
            plugins.generators,
            self._generator_options(),
            untrusted=set(settings.untrusted_generators),
        )
        self.templates = TemplateLibrary.with_builtins(
            settings.template_dirs, plugins.template_dirs
        )
        if settings.bandit and not settings.bandit_arms:
            from contentgen.feedback.arms import default_arms

            # `bandit = true` names no arms: the router, `bandit show` and the report all read
            # these settings, so the default arms are fixed here once.
            self.settings = settings.with_overrides(bandit_arms=default_arms(self.templates))
        self._store = store
        self.evaluators: list[Evaluator] = list(
            evaluators if evaluators is not None else self._default_evaluators()
        )

    @classmethod
    def from_config(
        cls,
        path: str | Path | None = None,
        *,
        extra_plugins: Sequence[tuple[str, object]] = (),
        evaluators: Sequence[Evaluator] | None = None,
        **overrides: Any,
    ) -> Engine:
        """Build an engine from contentgen.toml, CONTENTGEN_* variables and keyword overrides."""
        settings = load_settings(path, **overrides)
        plugins = load_plugins(
            settings.blocked_plugins,
            use_entry_points=settings.use_entry_points,
            extra=extra_plugins,
        )
        return cls(settings, plugins, evaluators=evaluators)

    def _generator_options(self) -> dict[str, dict[str, Any]]:
        shared = {
            "cache_dir": str(self.settings.cache_dir),
            "device": self.settings.device,
            "torch_threads": self.settings.torch_threads,
        }
        options: dict[str, dict[str, Any]] = {}
        for gid, spec in self.plugins.generators.items():
            filled = {k: v for k, v in shared.items() if k in spec.options}
            options[gid] = {**filled, **self.settings.options_for(gid)}
        return options

    def _default_evaluators(self) -> list[Evaluator]:
        found = list(self.plugins.evaluators)
        if self.settings.brand_kit is not None:
            from contentgen.feedback.evaluators import brand_evaluator

            found.append(brand_evaluator(self.settings.brand_kit))
        return found

    @property
    def store(self) -> Store:
        """The database (opened, and migrated, on first use)."""
        if self._store is None:
            from contentgen.storage.store import Store

            self._store = Store(self.settings.db_url, self.settings.artifact_dir)
        return self._store

    @cached_property
    def bandit(self) -> BanditRouter:
        """The feedback loop's arm router (used when Settings.bandit is on)."""
        from contentgen.feedback.bandit import BanditRouter

        return BanditRouter(self.settings, self.store, self.templates, self.registry)

    def close(self) -> None:
        """Release models and database connections."""
        self.registry.close()
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generation ---------------------------------------------------------------------------

    def generate(self, request: BaseRequest) -> Result:
        """Generate, check and store the outputs for one request."""
        (result,) = self.generate_many([request])
        return result

    def generate_many(
        self, requests: Sequence[BaseRequest], *, job_id: str | None = None
    ) -> list[Result]:
        """Generate for many requests at once (grouped into model batches) and store each."""
        produced = self.persist(self.produce(requests), job_id=job_id)
        results = [to_result(p) for p in produced]
        if (
            len(results) == 1
            and results[0].notes
            and not results[0].outputs
            and not results[0].rejected
        ):
            raise GeneratorError(results[0].notes[0])
        return results

    def batch(
        self,
        rows: Any,
        *,
        task: str | Task,
        template: str | None = None,
        mapping: Mapping[str, str] | Sequence[str] | None = None,
        variants: int | None = None,
        job_name: str | None = None,
        **options: Any,
    ) -> BatchRun:
        """A resumable batch job over rows (dicts) or a CSV/JSONL/Parquet path; iterate it for results.

        Options: key, channel, generator, params, retry_failed, out, input_format, max_field_chars,
        window, backend ("local" | "ray"), workers, engine_factory (see contentgen.batch.run_batch).
        """
        from contentgen.batch import run_batch

        return run_batch(
            self,
            rows,
            task=task,
            template=template,
            mapping=mapping,
            variants=variants,
            job_name=job_name,
            **options,
        )

    def prepare(self, request: BaseRequest) -> Work:
        """Validate routing and render the prompt: every input error surfaces here, before loading."""
        if not isinstance(request, BaseRequest):
            raise ValidationError(
                "request", f"expected a request object, got {type(request).__name__}"
            )
        if (
            self.settings.bandit
        ):  # feedback loop: Thompson-sampled arm (contentgen/feedback/bandit.py)
            request = self.bandit.route(request)
        plan = plan_route(request, self.settings, self.registry, self.templates)
        variables = requests_io.prompt_variables(request)
        rendered = self.templates.render(plan.template_id, variables) if plan.template_id else None
        channel = request.channel if isinstance(request, MarketingRequest) else None
        prompt_text = rendered.text if rendered else str(variables.get("prompt", ""))
        ctx = DraftContext(
            task=request.task,
            channel=channel,
            facts=variables,
            prompt="\n".join(filter(None, [rendered.system if rendered else None, prompt_text])),
            evaluators=self.evaluators,
            example_facts=example_facts(rendered.template.meta.get("examples", []), variables)
            if rendered
            else (),
        )
        return Work(request, new_id(), plan, variables, rendered, ctx, plan.generator_id)

    def produce(self, requests: Sequence[BaseRequest]) -> list[Produced]:
        """Run requests through generation and checks without storing them."""
        works = [self.prepare(r) for r in requests]
        self.run(works)
        return [self.finish(w) for w in works]

    def run(self, works: Sequence[Work]) -> None:
        """Generate until every work has its outputs, repairing within the configured attempts."""
        best_of = None
        if self.settings.rerank:  # feedback loop: best-of-n (contentgen/feedback/reranker.py)
            from contentgen.feedback.reranker import BestOf

            best_of = BestOf.widen(works, self.settings)
        attempts = max(1, self.settings.repair_attempts)
        for attempt in range(attempts):
            pending = [w for w in works if w.needed]
            if not pending:
                break
            if attempt > 0:
                # Regenerating only helps when sampling; greedy output would repeat itself.
                pending = [w for w in pending if float(w.plan.params.get("temperature", 0.8)) > 0]
            groups: dict[str, list[Work]] = defaultdict(list)
            for work in pending:
                groups[work.generator_id].append(work)
            for generator_id, group in groups.items():
                self._generate_group(generator_id, group, attempt)
        for work in works:
            self._shorten_rejected(work)
            self._summary_fallback(work)
        if best_of is not None:
            best_of.select()

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

    def _generate_group(self, generator_id: str, group: list[Work], attempt: int) -> None:
        ready: dict[str, list[Work]] = defaultdict(list)
        for work in group:
            if self._loaded(work) is not None:
                ready[work.generator_id].append(work)
        for gid, works in ready.items():
            generator = self.registry.get(gid)
            ordered = sorted(works, key=lambda w: len(w.rendered.text) if w.rendered else 0)
            size = max(1, generator.max_batch_size())
            for start in range(0, len(ordered), size):
                chunk = ordered[start : start + size]
                prompts = [build_prompt(w, attempt) for w in chunk]
                started = time.perf_counter()
                try:
                    candidates = self._call(generator, prompts)
                except ContentgenError as exc:
                    for work in chunk:
                        work.error = str(exc)
                    continue
                except Exception as exc:
                    for work in chunk:
                        work.error = f"generator {gid} failed: {type(exc).__name__}: {exc}"
                    continue
                elapsed = time.perf_counter() - started
                total = sum(len(c) for c in candidates) or 1
                for work, prompt, cands in zip(chunk, prompts, candidates, strict=True):
                    self._accept(work, prompt, cands, elapsed / total)

    def _call(self, generator: Generator, prompts: list[Prompt]) -> list[list[Candidate]]:
        from contentgen.isolation import call_generator

        candidates = call_generator(
            generator,
            prompts,
            timeout_s=self.settings.generator_timeout_s,
            retries=self.settings.generator_retries,
        )
        if len(candidates) != len(prompts):
            raise GeneratorError(
                f"generator {generator.id} returned {len(candidates)} results for {len(prompts)} prompts"
            )
        return candidates

    def _accept(
        self, work: Work, prompt: Prompt, candidates: list[Candidate], share: float
    ) -> None:
        drafts = [parse_candidate(c, work.ctx, prompt.seed or 0, share) for c in candidates]
        drafts = evaluate_drafts(drafts, work.ctx)
        for draft in drafts:
            if draft.reason is None and len(work.accepted) < work.request.n:
                work.accepted.append(draft)
            elif draft.reason is not None:
                work.rejected.append(draft)

    def _shorten_rejected(self, work: Work) -> None:
        if not work.needed or work.ctx.spec is None:
            return
        keep = []
        for draft in work.rejected:
            if work.needed and draft.length_only:
                fixed = shorten_draft(draft, work.ctx)
                if not fixed.problems:
                    fixed = evaluate_drafts([fixed], work.ctx)[0]
                if fixed.reason is None:
                    work.accepted.append(fixed)
                    continue
            keep.append(draft)
        work.rejected = keep

    def _summary_fallback(self, work: Work) -> None:
        if not (work.plan.check_fallback and work.needed and work.plan.fallback_id):
            return
        work.fallback_from, work.generator_id, work.error = (
            work.generator_id,
            work.plan.fallback_id,
            None,
        )
        self._generate_group(work.generator_id, [work], 0)

    # -- results and storage -------------------------------------------------------------------

    def finish(self, work: Work) -> Produced:
        """Turn a finished work into outputs with ids and provenance."""
        info = self.registry.get(work.generator_id).model_info() if not work.error else None
        return finish_work(work, self.registry.spec(work.generator_id), info)

    def persist(self, produced: Iterable[Produced], *, job_id: str | None = None) -> list[Produced]:
        """Store each request with its outputs, one transaction per request; returns them as stored."""
        stored = []
        for item in produced:
            outputs = self.store.save_result(
                request_id=item.request_id,
                task=item.task,
                payload={**item.payload, **({"error": item.error} if item.error else {})},
                outputs=item.outputs,
                images=item.images,
                job_id=job_id,
            )
            stored.append(replace(item, outputs=tuple(outputs)))
        return stored

    # -- ratings and queries ---------------------------------------------------------------------

    def rate(
        self,
        output_id: str,
        *,
        rater: str,
        score: int | None = None,
        thumb: bool | str | None = None,
        comment: str | None = None,
        edited_text: str | None = None,
        source: str = "api",
    ) -> list[Rating]:
        """Rate an output: any of a 1-5 score, thumbs up/down, a comment and an edited final text."""
        from contentgen.ratings import rating_rows

        rows = rating_rows(
            score=score, thumb=thumb, comment=comment, edited_text=edited_text, rater=rater
        )
        return [self.store.add_rating(output_id, rater=rater, source=source, **row) for row in rows]

    def compare(
        self, first_id: str, second_id: str, *, preferred: str, rater: str, source: str = "api"
    ) -> Rating:
        """Record that `rater` prefers one of two outputs of the same task."""
        from contentgen.ratings import check_preference

        first, second = self.store.get_outputs([first_id, second_id])
        check_preference(first, second, preferred, rater)
        return self.store.add_rating(
            first_id,
            rater=rater,
            kind="preference",
            other_output_id=second_id,
            preferred_output_id=preferred,
            source=source,
        )

    def get_output(self, output_id: str) -> Output:
        """One stored output."""
        return self.store.get_output(output_id)

    def list_outputs(self, **filters: Any) -> list[Output]:
        """Stored outputs, newest first (see Store.list_outputs for filters)."""
        return self.store.list_outputs(**filters)

    def ratings(self, output_id: str | None = None) -> list[Rating]:
        """Ratings of one output, or all."""
        return self.store.ratings(output_id)

    def stats(self, by: str = "template") -> list[StatRow]:
        """Output, rating and rejection counts grouped by template, generator, task, channel or model."""
        return self.store.stats(by)

    def channels(self) -> list[str]:
        """The marketing channels contentgen knows."""
        return sorted(CHANNELS)

    def with_settings(self, **changes: Any) -> Engine:
        """A new engine sharing plugins, with some settings changed."""
        return Engine(replace(self.settings, **changes), self.plugins, evaluators=self.evaluators)
