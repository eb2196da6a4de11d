"""Review workflow storage: approval states, the action log behind undo, and checked edits.

An output without a `review_states` row is a draft. Every state change a reviewer makes, and
every rating made on the review page, is logged in `review_actions` under one batch id per
action (a bulk approval of 40 outputs is one batch), so `undo_last` can revert exactly the
reviewer's last action. Edited final texts saved through the review faces carry the verdict of
the checks they went through (`edit_checks`), and the override reason when one was needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from contentgen.errors import UnknownNameError, ValidationError
from contentgen.ids import new_id
from contentgen.storage.rows import iso, to_rating
from contentgen.storage.store import Store
from contentgen.storage.tables import (
    EditCheckRow,
    OutputRow,
    RatingRow,
    ReviewActionRow,
    ReviewStateRow,
    utcnow,
)
from contentgen.types import Rating

DRAFT = "draft"
REVIEW_STATUSES = ("draft", "approved", "rejected", "exported", "published")
_CHUNK = 500


@dataclass(frozen=True)
class StatusChange:
    """One output moved from one review status to another."""

    output_id: str
    before: str
    after: str


@dataclass(frozen=True)
class Undone:
    """What `undo_last` reverted: the action's kind, and the outputs it touched."""

    action: str
    output_ids: tuple[str, ...]
    statuses: tuple[StatusChange, ...] = ()
    ratings: int = 0


@dataclass(frozen=True)
class EditCheckRecord:
    """The stored verdict on one edited final text (problems as Problem dicts)."""

    rating_id: str
    passed: bool
    blocking: tuple[Mapping[str, Any], ...] = ()
    advisory: tuple[Mapping[str, Any], ...] = ()
    override_reason: str | None = None
    checked_at: str | None = None

    @property
    def usable(self) -> bool:
        """True when the edit may become tuning data: it passed, or was overridden with a reason."""
        return self.passed or bool(self.override_reason)


@dataclass(frozen=True)
class ActionInfo:
    """The newest action a reviewer can undo, for the page's Undo button."""

    batch: str
    action: str
    count: int
    created_at: str | None = None
    output_ids: tuple[str, ...] = field(default_factory=tuple)


def check_status(status: str) -> str:
    """The status, or a ValidationError naming the valid ones."""
    if status not in REVIEW_STATUSES:
        raise ValidationError("status", f"unknown review status {status!r}", REVIEW_STATUSES)
    return status


def statuses_of(store: Store, output_ids: Sequence[str]) -> dict[str, str]:
    """The review status of each output id ('draft' when it has none)."""
    found: dict[str, str] = {oid: DRAFT for oid in output_ids}
    with store.db.read() as s:
        for start in range(0, len(output_ids), _CHUNK):
            chunk = list(output_ids[start : start + _CHUNK])
            rows = s.execute(
                select(ReviewStateRow.output_id, ReviewStateRow.status).where(
                    ReviewStateRow.output_id.in_(chunk)
                )
            )
            found.update({str(oid): str(status) for oid, status in rows})
    return found


def set_statuses(
    store: Store,
    output_ids: Sequence[str],
    status: str,
    *,
    rater: str,
    reason: str | None = None,
    action: str = "status",
) -> list[StatusChange]:
    """Move outputs to `status` in one transaction, logged as one undoable action.

    Unknown ids are an error (nothing changes); outputs already in `status` are left out of the
    log and of the returned changes.
    """
    check_status(status)
    wanted = list(dict.fromkeys(output_ids))

    def work(s: Session) -> list[StatusChange]:
        known = set(s.scalars(select(OutputRow.id).where(OutputRow.id.in_(wanted))))
        missing = [oid for oid in wanted if oid not in known]
        if missing:
            raise UnknownNameError("output", missing[0])
        rows = {
            r.output_id: r
            for r in s.scalars(select(ReviewStateRow).where(ReviewStateRow.output_id.in_(wanted)))
        }
        batch = new_id()
        changes = []
        for oid in wanted:
            row = rows.get(oid)
            before = row.status if row is not None else DRAFT
            if before == status:
                continue
            _put_status(s, oid, row, status, rater)
            s.add(
                ReviewActionRow(
                    batch=batch,
                    output_id=oid,
                    rater=rater,
                    action=action,
                    before=before,
                    after=status,
                    reason=reason,
                )
            )
            changes.append(StatusChange(oid, before, status))
        return changes

    return store.db.write(work)


def _put_status(s: Session, oid: str, row: ReviewStateRow | None, status: str, rater: str) -> None:
    if status == DRAFT:
        if row is not None:
            s.delete(row)
    elif row is None:
        s.add(ReviewStateRow(output_id=oid, status=status, rater=rater))
    else:
        row.status, row.rater, row.updated_at = status, rater, utcnow()


def log_ratings(store: Store, ratings: Sequence[Rating], *, rater: str, action: str) -> None:
    """Log ratings a reviewer just made as one undoable action (undo deletes them)."""
    if not ratings:
        return
    batch = new_id()

    def work(s: Session) -> None:
        s.add_all(
            ReviewActionRow(
                batch=batch, output_id=r.output_id, rater=rater, action=action, rating_id=r.id
            )
            for r in ratings
        )

    store.db.write(work)


def _newest_open_action(s: Session, rater: str) -> tuple[str, list[ReviewActionRow]] | None:
    """`rater`'s newest action batch that is not undone, with its rows; None when there is none."""
    batch = s.scalar(
        select(ReviewActionRow.batch)
        .where(ReviewActionRow.rater == rater, ReviewActionRow.undone_at.is_(None))
        .order_by(ReviewActionRow.created_at.desc(), ReviewActionRow.id.desc())
        .limit(1)
    )
    if batch is None:
        return None
    return batch, list(s.scalars(select(ReviewActionRow).where(ReviewActionRow.batch == batch)))


def last_action(store: Store, rater: str) -> ActionInfo | None:
    """The newest action of `rater` that is not undone yet, or None."""
    with store.db.read() as s:
        newest = _newest_open_action(s, rater)
        if newest is None:
            return None
        batch, rows = newest
    return ActionInfo(
        batch=batch,
        action=rows[0].action,
        count=len(rows),
        created_at=iso(rows[0].created_at),
        output_ids=tuple(dict.fromkeys(r.output_id for r in rows)),
    )


def undo_last(store: Store, rater: str) -> Undone | None:
    """Revert `rater`'s newest action: restore the statuses before it, or delete its ratings.

    A status is restored only where nobody changed it since; None when there is nothing to undo.
    """

    def work(s: Session) -> Undone | None:
        newest = _newest_open_action(s, rater)
        if newest is None:
            return None
        batch, rows = newest
        now = utcnow()
        restored: list[StatusChange] = []
        rating_ids = [r.rating_id for r in rows if r.rating_id]
        for row in rows:
            row.undone_at = now
            if row.rating_id or row.after is None or row.before is None:
                continue
            state = s.get(ReviewStateRow, row.output_id)
            current = state.status if state is not None else DRAFT
            if current == row.after:
                _put_status(s, row.output_id, state, row.before, rater)
                restored.append(StatusChange(row.output_id, row.after, row.before))
        if rating_ids:
            s.execute(delete(RatingRow).where(RatingRow.id.in_(rating_ids)))
        return Undone(
            action=rows[0].action,
            output_ids=tuple(dict.fromkeys(r.output_id for r in rows)),
            statuses=tuple(restored),
            ratings=len(rating_ids),
        )

    return store.db.write(work)


def add_checked_edit(
    store: Store,
    output_id: str,
    *,
    rater: str,
    edited_text: str,
    source: str,
    passed: bool,
    blocking: Sequence[Mapping[str, Any]] = (),
    advisory: Sequence[Mapping[str, Any]] = (),
    override_reason: str | None = None,
    import_key: str | None = None,
) -> Rating:
    """Store an 'edit' rating and the verdict of its checks in one transaction.

    An `import_key` seen before returns the rating stored then (sheet imports are idempotent).
    """

    def work(s: Session) -> Rating:
        if import_key is not None:
            existing = s.scalar(select(RatingRow).where(RatingRow.import_key == import_key))
            if existing is not None:
                return to_rating(existing)
        if s.get(OutputRow, output_id) is None:
            raise UnknownNameError("output", output_id)
        row = RatingRow(
            id=new_id(),
            output_id=output_id,
            rater=rater,
            kind="edit",
            edited_text=edited_text,
            source=source,
            import_key=import_key,
        )
        s.add(row)
        s.flush()
        s.add(
            EditCheckRow(
                rating_id=row.id,
                passed=passed,
                blocking=[dict(p) for p in blocking],
                advisory=[dict(p) for p in advisory],
                override_reason=override_reason,
            )
        )
        return to_rating(row)

    return store.db.write(work)


def edit_checks(store: Store, rating_ids: Iterable[str]) -> dict[str, EditCheckRecord]:
    """The stored check verdict of each edit rating that has one (older edits have none)."""
    wanted = list(dict.fromkeys(rating_ids))
    found: dict[str, EditCheckRecord] = {}
    with store.db.read() as s:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for row in s.scalars(select(EditCheckRow).where(EditCheckRow.rating_id.in_(chunk))):
                found[row.rating_id] = EditCheckRecord(
                    rating_id=row.rating_id,
                    passed=row.passed,
                    blocking=tuple(row.blocking or ()),
                    advisory=tuple(row.advisory or ()),
                    override_reason=row.override_reason,
                    checked_at=iso(row.checked_at),
                )
    return found


def latest_edits(store: Store, output_ids: Sequence[str]) -> dict[str, Rating]:
    """The newest 'edit' rating of each output that has one."""
    wanted = list(dict.fromkeys(output_ids))
    found: dict[str, Rating] = {}
    with store.db.read() as s:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = (
                select(RatingRow)
                .where(RatingRow.output_id.in_(chunk), RatingRow.kind == "edit")
                .order_by(RatingRow.created_at, RatingRow.id)
            )
            found.update((row.output_id, to_rating(row)) for row in s.scalars(query))
    return found
