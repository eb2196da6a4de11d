"""ORM rows to frozen records and back: the only place a table row's columns are spelled out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contentgen.storage.tables import OutputRow, RatingRow
from contentgen.types import Evaluation, Output, Provenance, Rating, Task


def iso(value: Any) -> str | None:
    """A stored timestamp as ISO 8601 text (None stays None)."""
    return value.isoformat() if value is not None else None


def to_output(row: OutputRow) -> Output:
    """An `outputs` row (with its evaluations and artifact loaded) as an Output."""
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
        created_at=iso(row.created_at),
    )


def to_rating(row: RatingRow) -> Rating:
    """A `ratings` row as a Rating."""
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
        created_at=iso(row.created_at),
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
