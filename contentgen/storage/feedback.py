"""Feedback-loop queries and tables: rated rows, bandit arm posteriors, tuned generator versions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from contentgen.errors import UnknownNameError, ValidationError
from contentgen.storage.arm_keys import ARM_PARAM, context_of
from contentgen.storage.rows import iso
from contentgen.storage.store import Store
from contentgen.storage.tables import (
    BanditArmRow,
    EvaluationRow,
    GeneratorVersionRow,
    OutputRow,
    RatingRow,
)

_CHUNK = 500


@dataclass(frozen=True)
class RatedRow:
    """One score or thumb rating joined with the rated output's routing facts."""

    output_id: str
    request_id: str
    task: str
    status: str
    template_id: str | None
    generator_id: str
    channel: str | None
    arm: str | None
    kind: str
    score: int | None
    thumb: bool | None
    rater: str
    created_at: str | None


@dataclass(frozen=True)
class ArmRecord:
    """The stored state of one bandit arm: Beta counts, pulls and the mean 1-5 score seen."""

    task: str
    context: str
    arm: str
    successes: int = 0
    failures: int = 0
    pulls: int = 0
    mean_score: float | None = None
    spec: Mapping[str, Any] = field(default_factory=dict)
    updated_at: str | None = None


@dataclass(frozen=True)
class ArmOutcome:
    """One rating of an output that a bandit arm produced, reduced to success or failure."""

    task: str
    context: str
    arm: str
    success: bool
    score: int | None


@dataclass(frozen=True)
class GeneratorVersion:
    """A registered tuned model: which generator runs it, with which options, and its card."""

    name: str
    generator_id: str
    options: Mapping[str, Any]
    base_model: str
    method: str
    card: Mapping[str, Any]
    created_at: str | None = None


class FeedbackStore:
    """Queries and writes for the feedback loop, on the same database as a Store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # -- ratings ------------------------------------------------------------------------------

    def rated_rows(self, kinds: Sequence[str] = ("score", "thumb")) -> list[RatedRow]:
        """Every rating of the given kinds with its output's template, generator, channel, arm."""
        arm = OutputRow.params[ARM_PARAM].as_string()
        query = (
            select(
                RatingRow.output_id,
                OutputRow.request_id,
                OutputRow.task,
                OutputRow.status,
                OutputRow.template_id,
                OutputRow.generator_id,
                OutputRow.channel,
                arm,
                RatingRow.kind,
                RatingRow.score,
                RatingRow.thumb,
                RatingRow.rater,
                RatingRow.created_at,
            )
            .join(OutputRow, RatingRow.output_id == OutputRow.id)
            .where(RatingRow.kind.in_(list(kinds)))
            .order_by(RatingRow.created_at, RatingRow.id)
        )
        with self.db.read() as s:
            return [
                RatedRow(*row[:12], created_at=iso(row[12]))  # type: ignore[misc]
                for row in s.execute(query).all()
            ]

    def ratings_fingerprint(self) -> tuple[int, str | None]:
        """(count, newest time) of ratings: changes whenever a rating is added or removed."""
        with self.db.read() as s:
            count, newest = s.execute(
                select(func.count(RatingRow.id), func.max(RatingRow.created_at))
            ).one()
        return int(count or 0), iso(newest)

    def existing_import_keys(self, keys: Iterable[str]) -> set[str]:
        """The subset of `keys` already stored as rating import keys."""
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        with self.db.read() as s:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                found.update(
                    s.scalars(select(RatingRow.import_key).where(RatingRow.import_key.in_(chunk)))
                )
        return found

    def known_output_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of `ids` that are stored outputs."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        with self.db.read() as s:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                found.update(s.scalars(select(OutputRow.id).where(OutputRow.id.in_(chunk))))
        return found

    def evaluation_counts(self) -> list[tuple[str, str, int, int]]:
        """(evaluator, task, passed, total) over every stored verdict."""
        passed = func.sum(case((EvaluationRow.passed.is_(True), 1), else_=0))
        query = (
            select(EvaluationRow.name, OutputRow.task, passed, func.count(EvaluationRow.id))
            .join(OutputRow, EvaluationRow.output_id == OutputRow.id)
            .group_by(EvaluationRow.name, OutputRow.task)
            .order_by(EvaluationRow.name, OutputRow.task)
        )
        with self.db.read() as s:
            return [
                (name, task, int(p or 0), int(n)) for name, task, p, n in s.execute(query).all()
            ]

    # -- bandit -------------------------------------------------------------------------------

    def arm_outcomes(self) -> list[ArmOutcome]:
        """Successes and failures of bandit-routed outputs: thumbs, scores >= 4, preferences.

        One rater's score and thumb on one output are one observation (the thumb decides), so
        rating both ways never counts the same judgement twice.
        """
        arm = OutputRow.params[ARM_PARAM].as_string()
        outcomes: list[ArmOutcome] = []
        rated = (
            select(
                OutputRow.id,
                RatingRow.rater,
                OutputRow.task,
                OutputRow.channel,
                arm,
                RatingRow.kind,
                RatingRow.score,
                RatingRow.thumb,
            )
            .join(OutputRow, RatingRow.output_id == OutputRow.id)
            .where(RatingRow.kind.in_(["score", "thumb"]), arm.is_not(None))
            .order_by(RatingRow.created_at, RatingRow.id)
        )
        prefs = select(
            RatingRow.output_id, RatingRow.other_output_id, RatingRow.preferred_output_id
        ).where(RatingRow.kind == "preference")
        with self.db.read() as s:
            judged: dict[tuple[str, str], list[Any]] = {}
            for oid, rater, task, channel, name, kind, score, thumb in s.execute(rated).all():
                # [task, context, arm, latest thumb, latest score]
                entry = judged.setdefault(
                    (oid, rater), [task, context_of(channel), name, None, None]
                )
                entry[3 if kind == "thumb" else 4] = thumb if kind == "thumb" else score
            for task, context, name, thumb, score in judged.values():
                success = bool(thumb) if thumb is not None else (score or 0) >= 4
                outcomes.append(ArmOutcome(task, context, name, success, score))
            pairs = s.execute(prefs).all()
            ids = {i for pair in pairs for i in pair[:2] if i}
            arms: dict[str, tuple[str, str, str]] = {}
            for start in range(0, len(ids), _CHUNK):
                chunk = sorted(ids)[start : start + _CHUNK]
                query = select(OutputRow.id, OutputRow.task, OutputRow.channel, arm).where(
                    OutputRow.id.in_(chunk), arm.is_not(None)
                )
                for oid, task, channel, name in s.execute(query).all():
                    arms[oid] = (task, context_of(channel), name)
        for first, second, preferred in pairs:
            if preferred is None:  # a tie: neither arm won or lost
                continue
            for oid in (first, second):
                if oid in arms:
                    task, context, name = arms[oid]
                    outcomes.append(ArmOutcome(task, context, name, oid == preferred, None))
        return outcomes

    def arm_pulls(self) -> dict[tuple[str, str, str], int]:
        """How many requests each arm served, keyed by (task, context, arm)."""
        arm = OutputRow.params[ARM_PARAM].as_string()
        query = (
            select(
                OutputRow.task,
                OutputRow.channel,
                arm,
                func.count(func.distinct(OutputRow.request_id)),
            )
            .where(arm.is_not(None))
            .group_by(OutputRow.task, OutputRow.channel, arm)
        )
        with self.db.read() as s:
            return {
                (task, context_of(channel), name): int(n)
                for task, channel, name, n in s.execute(query).all()
            }

    def save_arms(self, records: Sequence[ArmRecord]) -> None:
        """Replace the stored arm table with `records` (one transaction)."""

        def work(s: Session) -> None:
            s.execute(delete(BanditArmRow))
            s.add_all(
                BanditArmRow(
                    task=r.task,
                    context=r.context,
                    arm=r.arm,
                    successes=r.successes,
                    failures=r.failures,
                    pulls=r.pulls,
                    mean_score=r.mean_score,
                    spec=dict(r.spec),
                )
                for r in records
            )

        self.db.write(work)

    def load_arms(self) -> list[ArmRecord]:
        """The stored arm table, ordered by task, context and arm."""
        query = select(BanditArmRow).order_by(
            BanditArmRow.task, BanditArmRow.context, BanditArmRow.arm
        )
        with self.db.read() as s:
            return [
                ArmRecord(
                    task=r.task,
                    context=r.context,
                    arm=r.arm,
                    successes=r.successes,
                    failures=r.failures,
                    pulls=r.pulls,
                    mean_score=r.mean_score,
                    spec=dict(r.spec or {}),
                    updated_at=iso(r.updated_at),
                )
                for r in s.scalars(query)
            ]

    # -- tuned generator versions ------------------------------------------------------------

    def register_version(self, version: GeneratorVersion) -> GeneratorVersion:
        """Store a tuned generator version; a name that exists already is an error."""

        def work(s: Session) -> GeneratorVersion:
            if s.get(GeneratorVersionRow, version.name) is not None:
                raise ValidationError("name", f"generator version {version.name!r} already exists")
            row = GeneratorVersionRow(
                name=version.name,
                generator_id=version.generator_id,
                options=dict(version.options),
                base_model=version.base_model,
                method=version.method,
                card=dict(version.card),
            )
            s.add(row)
            s.flush()
            return _to_version(row)

        return self.db.write(work)

    def get_version(self, name: str) -> GeneratorVersion:
        """One registered version, or UnknownNameError naming the registered ones."""
        with self.db.read() as s:
            row = s.get(GeneratorVersionRow, name)
            if row is None:
                known = s.scalars(select(GeneratorVersionRow.name)).all()
                raise UnknownNameError("generator version", name, known)
            return _to_version(row)

    def list_versions(self) -> list[GeneratorVersion]:
        """Every registered version, newest first."""
        query = select(GeneratorVersionRow).order_by(GeneratorVersionRow.created_at.desc())
        with self.db.read() as s:
            return [_to_version(r) for r in s.scalars(query)]


def _to_version(row: GeneratorVersionRow) -> GeneratorVersion:
    return GeneratorVersion(
        name=row.name,
        generator_id=row.generator_id,
        options=dict(row.options or {}),
        base_model=row.base_model,
        method=row.method,
        card=dict(row.card or {}),
        created_at=iso(row.created_at),
    )
