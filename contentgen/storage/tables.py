"""SQLAlchemy 2 typed ORM tables; rows never leave contentgen.storage (mapped to frozen records first)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the storage layer uses."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base; naming conventions keep Alembic migrations stable across databases."""

    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


Base.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class JobRow(Base):
    """A batch job: a named run over an input file."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    task: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total_rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class JobRunRow(Base):
    """One run of a batch job; the rows it claimed are its own while it is alive.

    Times are seconds on the database's clock, so hosts with skewed clocks agree. A run is alive
    until `ended_at` is set: when it finishes, or when another run finds its heartbeat older
    than the lease, or its process gone from the same host.
    """

    __tablename__ = "job_runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    pid_started: Mapped[str | None] = mapped_column(String(32), nullable=True)
    started_at: Mapped[float] = mapped_column(Float)
    heartbeat_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class JobItemRow(Base):
    """One input row of a batch job: its idempotency key, status and the run that holds it."""

    __tablename__ = "job_items"
    __table_args__ = (
        UniqueConstraint("job_id", "idempotency_key"),
        Index("ix_job_items_job_status", "job_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    row_index: Mapped[int] = mapped_column(Integer)
    row_key: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("job_runs.id", ondelete="SET NULL"), nullable=True
    )


class RequestRow(Base):
    """A validated request as it was received (personal data already redacted)."""

    __tablename__ = "requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task: Mapped[str] = mapped_column(String(32), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    outputs: Mapped[list[OutputRow]] = relationship(
        back_populates="request", order_by="OutputRow.idx"
    )


class ArtifactRow(Base):
    """A content-addressed file (an image) in the artifact store."""

    __tablename__ = "artifacts"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(400))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutputRow(Base):
    """One generated output with its full provenance."""

    __tablename__ = "outputs"
    __table_args__ = (UniqueConstraint("request_id", "idx"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    task: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    channel: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    artifact_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("artifacts.sha256"), nullable=True
    )
    generator_id: Mapped[str] = mapped_column(String(200), index=True)
    generator_version: Mapped[str] = mapped_column(String(64))
    model_id: Mapped[str | None] = mapped_column(String(400), nullable=True)
    model_revision: Mapped[str | None] = mapped_column(String(200), nullable=True)
    template_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    template_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fallback_from: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    request: Mapped[RequestRow] = relationship(back_populates="outputs")
    artifact: Mapped[ArtifactRow | None] = relationship()
    evaluations: Mapped[list[EvaluationRow]] = relationship(
        back_populates="output", order_by="EvaluationRow.name", cascade="all, delete-orphan"
    )


class EvaluationRow(Base):
    """One automatic evaluator's verdict on one output."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("output_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    output_id: Mapped[str] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64), index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    output: Mapped[OutputRow] = relationship(back_populates="evaluations")


class RatingRow(Base):
    """A human rating: score, thumb, comment, edited final text or pairwise preference."""

    __tablename__ = "ratings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    output_id: Mapped[str] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"), index=True)
    rater: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    thumb: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    edited_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    other_output_id: Mapped[str | None] = mapped_column(
        ForeignKey("outputs.id", ondelete="CASCADE"), nullable=True
    )
    preferred_output_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str] = mapped_column(String(32), default="api")
    import_key: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class BanditArmRow(Base):
    """The persisted posterior of one bandit arm for one task and channel context."""

    __tablename__ = "bandit_arms"
    __table_args__ = (UniqueConstraint("task", "context", "arm"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(String(32))
    context: Mapped[str] = mapped_column(String(64))
    arm: Mapped[str] = mapped_column(String(200))
    successes: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    pulls: Mapped[int] = mapped_column(Integer, default=0)
    mean_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GeneratorVersionRow(Base):
    """A tuned model registered as a named version of a generator (options point at its files)."""

    __tablename__ = "generator_versions"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    generator_id: Mapped[str] = mapped_column(String(200), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    base_model: Mapped[str] = mapped_column(String(400))
    method: Mapped[str] = mapped_column(String(16))
    card: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewStateRow(Base):
    """Where an output stands in review: draft (no row), approved, rejected, exported, published."""

    __tablename__ = "review_states"
    output_id: Mapped[str] = mapped_column(
        ForeignKey("outputs.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    rater: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReviewActionRow(Base):
    """One step of a reviewer's action (a bulk approval is one `batch` of many rows), for undo.

    A status change keeps the status before and after; a rating keeps the rating's id, so undoing
    it deletes that rating.
    """

    __tablename__ = "review_actions"
    __table_args__ = (Index("ix_review_actions_rater_created", "rater", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch: Mapped[str] = mapped_column(String(32), index=True)
    output_id: Mapped[str] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"))
    rater: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[str | None] = mapped_column(String(16), nullable=True)
    after: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rating_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(nullable=True)


class EditCheckRow(Base):
    """The checks an edited final text went through before it was saved, and any override."""

    __tablename__ = "edit_checks"
    rating_id: Mapped[str] = mapped_column(
        ForeignKey("ratings.id", ondelete="CASCADE"), primary_key=True
    )
    passed: Mapped[bool] = mapped_column(Boolean)
    blocking: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    advisory: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class RatingRubricRow(Base):
    """The rubric a review-page rating was made under, its criterion scores (1-5 each), and a
    comparison's verdict ("both_bad" for a pair where neither output is good enough)."""

    __tablename__ = "rating_rubrics"
    rating_id: Mapped[str] = mapped_column(
        ForeignKey("ratings.id", ondelete="CASCADE"), primary_key=True
    )
    output_id: Mapped[str] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"), index=True)
    rater: Mapped[str] = mapped_column(String(200))
    rubric_id: Mapped[str] = mapped_column(String(200), index=True)
    rubric_sha256: Mapped[str] = mapped_column(String(64))
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewAssignmentRow(Base):
    """An output in one reviewer's queue; an output asked of k reviewers has k rows."""

    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("output_id", "reviewer"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    output_id: Mapped[str] = mapped_column(ForeignKey("outputs.id", ondelete="CASCADE"))
    reviewer: Mapped[str] = mapped_column(String(200), index=True)
    assigned_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
