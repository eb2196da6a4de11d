"""The store: every call is one transaction; rows are mapped to frozen dataclasses before leaving."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from contentgen.errors import UnknownNameError, ValidationError
from contentgen.ids import new_id
from contentgen.storage import migrate
from contentgen.storage.artifacts import ArtifactStore
from contentgen.storage.database import Database
from contentgen.storage.models import (
    ArtifactRow,
    EvaluationRow,
    OutputRow,
    RatingRow,
    RequestRow,
)
from contentgen.types import Evaluation, Output, Provenance, Rating, StatRow, Task

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


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _to_output(row: OutputRow) -> Output:
    return Output(
        id=row.id,
        request_id=row.request_id,
        task=Task(row.task),
        index=row.idx,
        text=row.text,
        fields=dict(row.fields or {}),
        image_path=row.artifact.path if row.artifact is not None else None,
        image_sha256=row.artifact_sha256,
        status=row.status,  # type: ignore[arg-type]
        reason=row.reason,
        provenance=Provenance(
            generator_id=row.generator_id,
            generator_version=row.generator_version,
            model_id=row.model_id,
            model_revision=row.model_revision,
            template_id=row.template_id,
            template_hash=row.template_hash,
            params=dict(row.params or {}),
            seed=row.seed,
            timings=dict(row.timings or {}),
            fallback_from=row.fallback_from,
        ),
        evaluations=tuple(
            Evaluation(name=e.name, passed=e.passed, score=e.score, detail=dict(e.detail or {}))
            for e in row.evaluations
        ),
        created_at=_iso(row.created_at),
    )


def _to_rating(row: RatingRow) -> Rating:
    return Rating(
        id=row.id,
        output_id=row.output_id,
        rater=row.rater,
        kind=row.kind,  # type: ignore[arg-type]
        score=row.score,
        thumb=row.thumb,
        comment=row.comment,
        edited_text=row.edited_text,
        other_output_id=row.other_output_id,
        preferred_output_id=row.preferred_output_id,
        created_at=_iso(row.created_at),
    )


def output_values(output: Output, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The `outputs` row of an output as plain column values (shared by ORM and bulk inserts)."""
    p = output.provenance
    return {
        "id": output.id,
        "request_id": output.request_id,
        "idx": output.index,
        "task": output.task.value,
        "status": output.status,
        "reason": output.reason,
        "text": output.text,
        "fields": dict(output.fields),
        "channel": payload.get("channel"),
        "artifact_sha256": output.image_sha256,
        "generator_id": p.generator_id,
        "generator_version": p.generator_version,
        "model_id": p.model_id,
        "model_revision": p.model_revision,
        "template_id": p.template_id,
        "template_hash": p.template_hash,
        "params": dict(p.params),
        "seed": p.seed,
        "timings": dict(p.timings),
        "fallback_from": p.fallback_from,
    }


class Store:
    """Requests, outputs, artifacts, evaluations and ratings in one SQL database."""

    def __init__(self, url: str, artifact_dir: Path, *, upgrade: bool = True) -> None:
        self.db = Database(url)
        self.artifacts = ArtifactStore(artifact_dir)
        if upgrade:
            migrate.ensure_current(self.db)

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
        session: Session | None = None,
    ) -> list[Output]:
        """Store a request and all its outputs (images written first, rows in one transaction)."""
        stored = []
        files = {}
        for output in outputs:
            data = (images or {}).get(output.id)
            if data is not None:
                file = self.artifacts.put(data, "image/png")
                files[output.id] = file
                output = replace(output, image_path=file.relative_path, image_sha256=file.sha256)
            stored.append(output)

        def work(s: Session) -> None:
            s.add(RequestRow(id=request_id, task=task.value, payload=dict(payload), job_id=job_id))
            for file in files.values():
                if s.get(ArtifactRow, file.sha256) is None:
                    s.add(
                        ArtifactRow(
                            sha256=file.sha256,
                            path=file.relative_path,
                            media_type=file.media_type,
                            size_bytes=file.size_bytes,
                        )
                    )
            s.flush()
            s.add_all(self._output_row(o, payload) for o in stored)

        if session is not None:
            work(session)
        else:
            self.db.write(work)
        return stored

    @staticmethod
    def _output_row(output: Output, payload: Mapping[str, Any]) -> OutputRow:
        return OutputRow(
            **output_values(output, payload),
            evaluations=[
                EvaluationRow(name=e.name, passed=e.passed, score=e.score, detail=dict(e.detail))
                for e in output.evaluations
            ],
        )

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
                    return _to_rating(existing)
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
            return _to_rating(row)

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
            return _to_output(row)

    def get_outputs(self, output_ids: Sequence[str]) -> list[Output]:
        """Several outputs by id, in the order asked; unknown ids are an error."""
        with self.db.read() as s:
            rows = {
                r.id: r for r in s.scalars(self._output_query().where(OutputRow.id.in_(output_ids)))
            }
        missing = [i for i in output_ids if i not in rows]
        if missing:
            raise UnknownNameError("output", missing[0])
        return [_to_output(rows[i]) for i in output_ids]

    def request_payload(self, request_id: str) -> dict[str, Any]:
        """The stored payload of a request."""
        with self.db.read() as s:
            row = s.get(RequestRow, request_id)
            if row is None:
                raise UnknownNameError("request", request_id)
            return dict(row.payload)

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
        order: list[Any] = []
        if unrated_first:
            rated = select(RatingRow.id).where(RatingRow.output_id == OutputRow.id).exists()
            order.append(case((rated, 1), else_=0))
        order.append(OutputRow.created_at.desc() if newest_first else OutputRow.created_at)
        order.append(OutputRow.request_id)
        order.append(OutputRow.idx)
        query = query.order_by(*order).limit(limit).offset(offset)
        with self.db.read() as s:
            return [_to_output(r) for r in s.scalars(query)]

    def iter_outputs(self, batch_size: int = 500, **filters: Any) -> Iterator[Output]:
        """Every output matching the filters, oldest first, streamed in pages."""
        offset = 0
        while True:
            page = self.list_outputs(limit=batch_size, offset=offset, newest_first=False, **filters)
            yield from page
            if len(page) < batch_size:
                return
            offset += batch_size

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
            return [_to_rating(r) for r in s.scalars(query)]

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
