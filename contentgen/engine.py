"""The engine: the only code that sequences work. validate -> route -> render -> generate -> check
-> store, through one streaming entry (`Engine.stream`) that single requests, lists and batch
jobs all use."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.checks.base import Evaluator
from contentgen.checks.rerank import Reranker
from contentgen.config import Settings, load_settings
from contentgen.engine_queries import RatingsAndQueries
from contentgen.errors import ContentgenError, GeneratorError
from contentgen.generation import Generation
from contentgen.ids import new_id
from contentgen.overlap import AHEAD, SLICE, Batch, CallsAhead, full_batches, model_batches
from contentgen.plugins import PluginSet, load_plugins
from contentgen.preparing import prepare_works
from contentgen.registry import GeneratorRegistry
from contentgen.retry import RetryPolicy
from contentgen.tasks.registry import TaskRegistry
from contentgen.templates import TemplateLibrary
from contentgen.types import (
    BaseRequest,
    JobItem,
    JobRun,
    Result,
    RowRequest,
    Task,
)
from contentgen.work import Work, outputs_of, payload_of, result_of

if TYPE_CHECKING:
    from contentgen.batch import BatchRun
    from contentgen.feedback.bandit import BanditRouter
    from contentgen.storage.store import Store

log = logging.getLogger(__name__)
SHARED_OPTIONS = ("cache_dir", "device", "torch_threads")
WINDOW = 256  # requests prepared (and so validated) together before any of them generates
Positioned = tuple[int, Result]  # a result and the position of its request in the input


class Engine(RatingsAndQueries):
    """Routes requests to generators, checks the outputs and stores them with provenance."""

    def __init__(
        self,
        settings: Settings,
        plugins: PluginSet,
        *,
        store: Store | None = None,
        evaluators: Sequence[Evaluator] | None = None,
    ) -> None:
        self.plugins = plugins
        self.tasks = TaskRegistry(plugins.tasks.values())
        # Routes for plugin tasks are only known now: fill in defaults, refuse unknown tasks.
        self.settings = settings.with_task_routes(self.tasks.default_routes())
        self.registry = GeneratorRegistry(
            plugins.generators,
            self._generator_options(),
            untrusted=set(settings.untrusted_generators),
            modalities={t.name: t.modality for t in self.tasks},
        )
        self.templates = TemplateLibrary.with_builtins(
            settings.template_dirs, plugins.template_dirs
        )
        if settings.bandit and not settings.bandit_arms:
            from contentgen.feedback.arms import default_arms

            # `bandit = true` names no arms: the router, `bandit show` and the report all read
            # these settings, so the default arms are fixed here once.
            arms = default_arms(self.templates, self.tasks.names())
            self.settings = self.settings.with_overrides(bandit_arms=arms)
        self._store = store
        self.evaluators: list[Evaluator] = list(
            evaluators if evaluators is not None else self._default_evaluators()
        )
        self.retry = RetryPolicy.from_settings(self.settings)
        self.generation = Generation(self.registry, self.retry, lambda: self.reranker)

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
        if self.settings.stereotype_gate:  # the stereotype check is advisory unless asked
            from contentgen.checks.stereotypes import with_stereotype_gate

            found = with_stereotype_gate(found)
        if self.settings.brand_kit is not None:
            from contentgen.checks.defaults import brand_evaluator

            found.append(brand_evaluator(self.settings.brand_kit))
        from contentgen.checks.copying import copying_evaluator

        # With the eval extra, always: the shipped copywriter's training answers are a reference.
        copying = copying_evaluator(self.settings)
        return [*found, copying] if copying is not None else found

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

        return BanditRouter(
            self.settings, self.store, self.templates, self.registry, tasks=self.tasks
        )

    @cached_property
    def reranker(self) -> Reranker:
        """The best-of-n reranker (used when Settings.rerank is on; its model loads on first use)."""
        return Reranker.load(self.settings.data_dir)

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
        """Generate for many requests at once (grouped into model batches) and store each.

        Every request is validated before any generates; results come in the requests' order.
        """
        job = JobRun(job_id, None, requests[0].task) if job_id and requests else None
        found = dict(self._stream(requests, job=job, window=max(1, len(requests))))
        results = [found[i] for i in range(len(requests))]
        if (
            len(results) == 1
            and results[0].notes
            and not (results[0].outputs or results[0].rejected)
        ):
            raise GeneratorError(results[0].notes[0])
        return results

    def stream(
        self,
        requests: Iterable[BaseRequest | RowRequest],
        *,
        job: JobRun | None = None,
        store: bool = True,
        window: int = WINDOW,
    ) -> Iterator[Result]:
        """Generate, check and store requests as they come; yield each Result once committed.

        The one pipeline behind generate, generate_many and batch jobs. Requests are prepared a
        window at a time: a plain request's input error is raised before its window generates,
        a batch row's (`RowRequest`) becomes that row's failure. Each window is grouped into
        model batches by generator and prompt length, and each model batch's results, with the
        rows' statuses in `job`, are committed in one transaction (results of rows another run
        already finished are not yielded). Results come in commit order. A served model's
        batches (`Generator.concurrent_calls`) start generating as soon as they are formed, up
        to `overlap.AHEAD` ahead, so its requests stay in flight while earlier batches are
        checked and committed. `store=False` runs the same pipeline and stores nothing.
        """
        for _, result in self._stream(requests, job=job, store=store, window=window):
            yield result

    def _stream(
        self,
        requests: Iterable[BaseRequest | RowRequest],
        *,
        job: JobRun | None,
        store: bool = True,
        window: int = WINDOW,
    ) -> Iterator[Positioned]:
        error: Exception | None = None
        with CallsAhead(self.generation, self.registry) as ahead:
            for failed, batches, problem in self._prepared(requests, job, window):
                error = problem or error
                if failed:
                    yield from self._commit_results(failed, {}, {}, job, store)
                for batch in batches:
                    ahead.add(batch)  # a served model's batch starts generating here
                    while len(ahead) > AHEAD:
                        yield from self._finish(ahead, job, store)
            while len(ahead):
                yield from self._finish(ahead, job, store)
        if error is not None:
            raise error

    def _finish(self, ahead: CallsAhead, job: JobRun | None, store: bool) -> Iterator[Positioned]:
        """Generate (or finish generating), check and commit the oldest queued model batch."""
        batch, early = ahead.pop()
        self.generation.run([w for _, w in batch], early)
        yield from self._commit(batch, job, store)

    def _prepared(
        self, requests: Iterable[BaseRequest | RowRequest], job: JobRun | None, window: int
    ) -> Iterator[tuple[list[Positioned], list[Batch], Exception | None]]:
        """Windows prepared: their failed rows and model batches; an error comes last, as data,
        so that the batches already under way are stored before it is raised."""
        try:
            items = enumerate(requests)
            while chunk := list(islice(items, max(1, window))):
                # Batch rows fail one by one, so they are prepared a slice at a time and a served
                # model's full batches start while the rest of the window is still rendering.
                step = SLICE if all(isinstance(e, RowRequest) for _, e in chunk) else len(chunk)
                held: list[tuple[int, Work]] = []
                for start in range(0, len(chunk), step):
                    works, failed = self._prepare_window(chunk[start : start + step], job)
                    ready, held = full_batches([*held, *works], self.registry)
                    yield failed, ready, None
                yield [], list(model_batches(held, self.registry)), None
        except Exception as exc:
            yield [], [], exc

    def _prepare_window(
        self, chunk: Sequence[tuple[int, BaseRequest | RowRequest]], job: JobRun | None
    ) -> tuple[list[tuple[int, Work]], list[Positioned]]:
        """Prepare a window's requests; a batch row that cannot be prepared fails on its own."""
        works: list[tuple[int, Work]] = []
        failed: list[Positioned] = []
        entries: dict[int, tuple[BaseRequest, JobItem | None]] = {}
        for position, entry in chunk:
            if isinstance(entry, BaseRequest):
                entries[position] = (entry, None)
            elif entry.request is not None and entry.error is None:
                entries[position] = (entry.request, entry.item)
        prepared = dict(zip(entries, prepare_works(self, list(entries.values())), strict=True))
        for position, entry in chunk:
            work = prepared.get(position)
            if isinstance(work, Work):
                works.append((position, work))
            elif isinstance(entry, BaseRequest) and work is not None:
                raise work  # a plain request's input error is the caller's
            elif isinstance(entry, RowRequest):
                error = entry.error if work is None else f"{entry.item.where}: {work}"
                failed.append((position, self._row_failure(entry.item, error, job)))
        return works, failed

    @staticmethod
    def _row_failure(item: JobItem, error: str | None, job: JobRun | None) -> Result:
        if job is None:
            raise ValueError("batch rows (RowRequest) are streamed with the job they belong to")
        note = error or f"{item.where}: no request"
        return Result(request_id=new_id(), task=job.task, outputs=(), notes=(note,), item=item)

    def _commit(
        self, batch: Sequence[tuple[int, Work]], job: JobRun | None, store: bool
    ) -> Iterator[Positioned]:
        """Turn a model batch's works into results and commit them together."""
        results: list[Positioned] = []
        payloads: dict[str, Mapping[str, Any]] = {}
        images: dict[str, bytes] = {}
        for position, work in batch:
            info = None if work.error else self.registry.get(work.generator_id).model_info()
            outputs, found = outputs_of(work, self.registry.spec(work.generator_id), info)
            results.append((position, result_of(work, outputs)))
            payloads[work.request_id] = payload_of(work)
            images.update(found)
        yield from self._commit_results(results, payloads, images, job, store)

    def _commit_results(
        self,
        results: Sequence[Positioned],
        payloads: Mapping[str, Mapping[str, Any]],
        images: Mapping[str, bytes],
        job: JobRun | None,
        store: bool,
    ) -> Iterator[Positioned]:
        if not store:
            yield from results
            return
        from contentgen.storage.commit import commit_results

        stored = commit_results(
            self.store, [r for _, r in results], payloads=payloads, images=images, job=job
        )
        for (position, _), result in zip(results, stored, strict=True):
            if result is not None:
                yield position, result

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
        # The one call from the engine up to the batch layer, which never imports the engine.
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

    def prepare(self, request: BaseRequest, *, item: JobItem | None = None) -> Work:
        """Validate routing and render the prompt: every input error surfaces here, before loading."""
        work = prepare_works(self, [(request, item)])[0]
        if isinstance(work, ContentgenError):
            raise work
        return work

    def with_settings(self, **changes: Any) -> Engine:
        """A new engine sharing plugins, with some settings changed."""
        return Engine(replace(self.settings, **changes), self.plugins, evaluators=self.evaluators)
