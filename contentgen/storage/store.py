"""The store: every call is one transaction; rows are mapped to frozen dataclasses before leaving."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, case, func, select, tuple_
from sqlalchemy.orm import Session, selectinload

from contentgen.errors import UnknownNameError, ValidationError
from contentgen.ids import new_id
from contentgen.storage import migrate
from contentgen.storage.artifacts import ArtifactStore
from contentgen.storage.commit import commit_results
from contentgen.storage.database import Database
from contentgen.storage.rows import to_output, to_rating
from contentgen.storage.tables import OutputRow, RatingRow, RequestRow
from contentgen.types import JobRun, Output, Rating, Result, StatRow, Task

STAT_KEYS: Mapping[str, Any] = {
    "template": OutputRow.template_id,
    "generator": OutputRow.generator_id,
    "task": OutputRow.task,
    "channel": OutputRow.channel,
    "model": OutputRow.model_id,
    "status": OutputRow.status,
}
OUTPUT_FILTERS = (
    "task",
    "template_id",
    "generator_id",
    "channel",
    "status",
    "job_id",
    "request_id",
)


class Store:
    """Requests, outputs, artifacts, evaluations and ratings in one SQL database.

    The handle of the storage facade: the engine writes through `storage.commit` and reads
    through its methods, and the named functions of `storage.commit`, `storage.jobs`,
    `storage.job_claims`, `storage.reads` and `storage.feedback` take it as their first
    argument. Its `db` is for those modules only; no code outside `contentgen.storage` opens a
    session (a test enforces it).
    """

    def __init__(self, url: str, artifact_dir: Path, *, upgrade: bool = True) -> None:
        self.db = Database(url)
        self.artifacts = ArtifactStore(artifact_dir)
        if upgrade:
            migrate.ensure_current(self.db)

    @property
    def url(self) -> str:
        """The database URL with its credentials, for worker processes that open the same store."""
        return self.db.url

    @property
    def location(self) -> str:
        """The database URL without user and password, for messages."""
        return self.db.url.split("@")[-1]

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file (only processes on this machine can share it)."""
        return self.db.is_sqlite

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()

    # -- writes -------------------------------------------------------------------------------

    def save_result(
        self,
        *,
        request_id: str,
        task: Task,
        payload: Mapping[str, Any],
        outputs: Sequence[Output],
        images: Mapping[str, bytes] | None = None,
        job_id: str | None = None,
    ) -> list[Output]:
        """Store a request and all its outputs in one transaction (through `commit_results`)."""
        result = Result(request_id=request_id, task=task, outputs=tuple(outputs))
        job = JobRun(job_id, None, task) if job_id is not None else None
        (stored,) = commit_results(
            self, [result], payloads={request_id: payload}, images=images, job=job
        )
        assert stored is not None  # a result of no batch row is always written
        return list(stored.outputs)

    def add_rating(
        self,
        output_id: str,
        *,
        rater: str,
        kind: str,
        score: int | None = None,
        thumb: bool | None = None,
        comment: str | None = None,
        edited_text: str | None = None,
        other_output_id: str | None = None,
        preferred_output_id: str | None = None,
        source: str = "api",
        import_key: str | None = None,
    ) -> Rating:
        """Store one rating; the output must exist. An `import_key` seen before returns the old rating."""

        def work(s: Session) -> Rating:
            if import_key is not None:
                existing = s.scalar(select(RatingRow).where(RatingRow.import_key == import_key))
                if existing is not None:
                    return to_rating(existing)
            for oid in filter(None, (output_id, other_output_id)):
                if s.get(OutputRow, oid) is None:
                    raise UnknownNameError("output", oid)
            row = RatingRow(
                id=new_id(),
                output_id=output_id,
                rater=rater,
                kind=kind,
                score=score,
                thumb=thumb,
                comment=comment,
                edited_text=edited_text,
                other_output_id=other_output_id,
                preferred_output_id=preferred_output_id,
                source=source,
                import_key=import_key,
            )
            s.add(row)
            s.flush()
            return to_rating(row)

        return self.db.write(work)

    # -- reads --------------------------------------------------------------------------------

    def _output_query(self) -> Select[Any]:
        return select(OutputRow).options(
            selectinload(OutputRow.evaluations), selectinload(OutputRow.artifact)
        )

    def get_output(self, output_id: str) -> Output:
        """One output, or UnknownNameError."""
        with self.db.read() as s:
            row = s.scalar(self._output_query().where(OutputRow.id == output_id))
            if row is None:
                raise UnknownNameError("output", output_id)
            return to_output(row)

    def get_outputs(self, output_ids: Sequence[str]) -> list[Output]:
        """Several outputs by id, in the order asked; unknown ids are an error."""
        with self.db.read() as s:
            rows = {
                r.id: r for r in s.scalars(self._output_query().where(OutputRow.id.in_(output_ids)))
            }
        missing = [i for i in output_ids if i not in rows]
        if missing:
            raise UnknownNameError("output", missing[0])
        return [to_output(rows[i]) for i in output_ids]

    def request_payload(self, request_id: str) -> dict[str, Any]:
        """The stored payload of a request."""
        with self.db.read() as s:
            row = s.get(RequestRow, request_id)
            if row is None:
                raise UnknownNameError("request", request_id)
            return dict(row.payload)

    def _filtered_outputs(self, filters: Mapping[str, Any]) -> Select[Any]:
        unknown = set(filters) - set(OUTPUT_FILTERS)
        if unknown:
            raise ValidationError(
                "filter", f"unknown filter {sorted(unknown)[0]!r}", OUTPUT_FILTERS
            )
        query = self._output_query()
        for name, value in filters.items():
            if value is None:
                continue
            if name == "job_id":
                query = query.join(RequestRow).where(RequestRow.job_id == value)
            else:
                query = query.where(getattr(OutputRow, name) == value)
        return query

    def list_outputs(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        unrated_first: bool = False,
        newest_first: bool = True,
        **filters: Any,
    ) -> list[Output]:
        """Outputs filtered by task, template_id, generator_id, channel, status, job_id, request_id."""
        query = self._filtered_outputs(filters)
        order: list[Any] = []
        if unrated_first:
            rated = select(RatingRow.id).where(RatingRow.output_id == OutputRow.id).exists()
            order.append(case((rated, 1), else_=0))
        order.append(OutputRow.created_at.desc() if newest_first else OutputRow.created_at)
        order.append(OutputRow.request_id)
        order.append(OutputRow.idx)
        query = query.order_by(*order).limit(limit).offset(offset)
        with self.db.read() as s:
            return [to_output(r) for r in s.scalars(query)]

    def iter_outputs(self, batch_size: int = 500, **filters: Any) -> Iterator[Output]:
        """Every output matching the filters, oldest first, streamed in pages.

        Pages continue after the last (created_at, request_id, idx) seen rather than at an
        offset, so each page is one index range however deep into a large export it is.
        """
        position = tuple_(OutputRow.created_at, OutputRow.request_id, OutputRow.idx)
        query = self._filtered_outputs(filters).order_by(*position.clauses).limit(batch_size)
        after: tuple[Any, ...] | None = None
        while True:
            with self.db.read() as s:
                rows = list(s.scalars(query if after is None else query.where(position > after)))
                page = [to_output(r) for r in rows]
            yield from page
            if len(rows) < batch_size:
                return
            after = (rows[-1].created_at, rows[-1].request_id, rows[-1].idx)

    def ratings(self, output_id: str | None = None, *, kind: str | None = None) -> list[Rating]:
        """Ratings of one output (or all), oldest first."""
        query = select(RatingRow).order_by(RatingRow.created_at, RatingRow.id)
        if output_id is not None:
            query = query.where(
                (RatingRow.output_id == output_id) | (RatingRow.other_output_id == output_id)
            )
        if kind is not None:
            query = query.where(RatingRow.kind == kind)
        with self.db.read() as s:
            return [to_rating(r) for r in s.scalars(query)]

    def count(self, what: str = "outputs") -> int:
        """Row count of outputs, ratings or requests."""
        model = {"outputs": OutputRow, "ratings": RatingRow, "requests": RequestRow}[what]
        with self.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

    def stats(self, by: str = "template") -> list[StatRow]:
        """Outputs, ratings and rejections grouped by template, generator, task, channel or model."""
        if by not in STAT_KEYS:
            raise ValidationError("by", f"cannot group by {by!r}", STAT_KEYS)
        key = STAT_KEYS[by]
        with self.db.read() as s:
            produced = s.execute(
                select(
                    key,
                    func.count(OutputRow.id),
                    func.sum(case((OutputRow.status != "ok", 1), else_=0)),
                ).group_by(key)
            ).all()
            rated = s.execute(
                select(
                    key,
                    func.count(func.distinct(RatingRow.output_id)),
                    func.avg(RatingRow.score),
                    func.sum(case((RatingRow.thumb.is_(True), 1), else_=0)),
                    func.sum(case((RatingRow.thumb.is_(False), 1), else_=0)),
                )
                .join(OutputRow, and_(RatingRow.output_id == OutputRow.id))
                .group_by(key)
            ).all()
        by_key = {r[0]: r for r in rated}
        rows = []
        for k, n, rejected in produced:
            r = by_key.get(k)
            rows.append(
                StatRow(
                    key=str(k) if k is not None else "(none)",
                    outputs=int(n),
                    rated=int(r[1]) if r else 0,
                    mean_score=float(r[2]) if r and r[2] is not None else None,
                    thumbs_up=int(r[3] or 0) if r else 0,
                    thumbs_down=int(r[4] or 0) if r else 0,
                    rejected=int(rejected or 0),
                )
            )
        return sorted(rows, key=lambda row: (-row.outputs, row.key))
