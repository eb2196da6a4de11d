"""The values each review-queue filter can take (tasks, templates, channels, checks, jobs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from contentgen.storage.store import Store
from contentgen.storage.tables import EvaluationRow, JobRow, OutputRow

MAX_FACET = 500


@dataclass(frozen=True)
class Facets:
    """The values each queue filter can take, for the filter drop-downs."""

    tasks: tuple[str, ...]
    templates: tuple[str, ...]
    generators: tuple[str, ...]
    channels: tuple[str, ...]
    evaluators: tuple[str, ...]
    jobs: tuple[tuple[str, str], ...]


def facets(store: Store) -> Facets:
    """Distinct tasks, templates, generators, channels, evaluator names and jobs."""

    def distinct(column: Any) -> tuple[str, ...]:
        # A skip scan over the column's index in one recursive query, one seek per value: the
        # evaluations table has a dozen rows per output, and DISTINCT would read them all.
        seen = select(func.min(column).label("v")).cte("seen", recursive=True)
        after = select(func.min(column)).where(column > seen.c.v).scalar_subquery()
        seen = seen.union_all(select(after).where(seen.c.v.is_not(None)))
        values = s.scalars(select(seen.c.v).where(seen.c.v.is_not(None)).limit(MAX_FACET))
        return tuple(str(v) for v in values)

    with store.db.read() as s:
        jobs = s.execute(
            select(JobRow.id, JobRow.name).order_by(JobRow.created_at.desc()).limit(200)
        )
        return Facets(
            tasks=distinct(OutputRow.task),
            templates=distinct(OutputRow.template_id),
            generators=distinct(OutputRow.generator_id),
            channels=distinct(OutputRow.channel),
            evaluators=distinct(EvaluationRow.name),
            jobs=tuple((str(i), str(n)) for i, n in jobs),
        )
