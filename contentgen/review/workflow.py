"""The review workflow: what a reviewer sees of each output, and moving outputs through statuses.

Statuses: draft -> approved -> exported / published, and rejected. Approving needs copy whose
final text (the latest edit, else the generated text) has no blocking findings, or a reason;
exported and published need an approved output. Every change is logged for undo
(`contentgen.storage.review`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contentgen.errors import ValidationError
from contentgen.review.diff import DiffPart, word_diff
from contentgen.review.edits import gates_of, stored_findings
from contentgen.review.facts import FactContext, fact_context
from contentgen.review.wording import Finding, Findings, finding, output_findings
from contentgen.storage import reads
from contentgen.storage import review as stored
from contentgen.types import Output, Rating

if TYPE_CHECKING:
    from contentgen.engine import Engine

REVIEW_STATUSES = stored.REVIEW_STATUSES
APPROVED_LIKE = frozenset({"approved", "exported", "published"})
# Which status an output must be in before it may move to these.
_NEEDS = {"exported": APPROVED_LIKE, "published": APPROVED_LIKE}
_CHUNK = 500


@dataclass(frozen=True)
class ReviewView:
    """One output as the review faces show it: status, final text, findings and facts."""

    output: Output
    status: str
    findings: Findings
    context: FactContext
    edit: Rating | None = None
    edit_check: stored.EditCheckRecord | None = None

    @property
    def final_text(self) -> str | None:
        """The latest edit, else None (the original text is final)."""
        return self.edit.edited_text if self.edit is not None else None

    @property
    def text(self) -> str:
        """The text a reader would get: the latest edit, else the generated text."""
        return self.final_text or self.output.text or ""

    @property
    def overridden(self) -> str | None:
        """The reason given to save an edit despite blocking findings."""
        return self.edit_check.override_reason if self.edit_check is not None else None

    @property
    def passing(self) -> bool:
        """True when nothing blocks publishing the final text (or an override cleared it)."""
        return self.findings.passed or bool(self.overridden)

    def diff(self) -> list[DiffPart]:
        """The edit against the generated text (empty when there is no edit)."""
        if self.edit is None or self.output.text is None:
            return []
        return word_diff(self.output.text, self.edit.edited_text or "")


@dataclass(frozen=True)
class StatusResult:
    """What a status change did: the outputs moved, and those refused with the reason."""

    status: str
    changed: tuple[stored.StatusChange, ...] = ()
    refused: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _fact_fields(engine: Engine, task: str) -> tuple[str, ...] | None:
    try:
        return engine.tasks.get(task).fact_fields or None
    except ValidationError:
        return None


def _merge(base: Findings, live: Sequence[Finding]) -> Findings:
    seen = {f.sentence for f in (*base.blocking, *base.advisory)}
    extra = [f for f in live if f.sentence not in seen]
    return Findings(
        base.blocking + tuple(f for f in extra if f.blocking),
        base.advisory + tuple(f for f in extra if not f.blocking),
    )


def review_views(engine: Engine, outputs: Sequence[Output]) -> list[ReviewView]:
    """A ReviewView per output, in order (a few queries for the whole list)."""
    store = engine.store
    ids = [o.id for o in outputs]
    request_ids = [o.request_id for o in outputs]
    payloads = reads.request_payloads(store, request_ids)
    row_keys = reads.job_row_keys(store, request_ids)
    statuses = stored.statuses_of(store, ids)
    edits = stored.latest_edits(store, ids)
    checks = stored.edit_checks(store, [r.id for r in edits.values()])
    gates = gates_of(engine)
    views = []
    for output in outputs:
        edit = edits.get(output.id)
        record = checks.get(edit.id) if edit is not None else None
        text = (edit.edited_text if edit is not None else None) or output.text or ""
        payload = payloads.get(output.request_id, {})
        context = fact_context(
            output.task,
            payload,
            text,
            fields=output.fields if edit is None else None,
            channel=payload.get("channel") if isinstance(payload.get("channel"), str) else None,
            fact_fields=_fact_fields(engine, output.task),
            row_key=row_keys.get(output.request_id),
        )
        base = stored_findings(record) if record is not None else output_findings(output, gates)
        if edit is not None and record is None:
            base = Findings()  # an edit saved before edits were checked: only the live checks
        live = [finding(p, gates.get(p.check, False)) for p in context.problems]
        views.append(
            ReviewView(
                output=output,
                status=statuses[output.id],
                findings=_merge(base, live),
                context=context,
                edit=edit,
                edit_check=record,
            )
        )
    return views


def review_view(engine: Engine, output_id: str) -> ReviewView:
    """The ReviewView of one output (UnknownNameError when there is none)."""
    (view,) = review_views(engine, [engine.store.get_output(output_id)])
    return view


def _views_by_id(engine: Engine, output_ids: Sequence[str]) -> dict[str, ReviewView]:
    found: dict[str, ReviewView] = {}
    for start in range(0, len(output_ids), _CHUNK):
        chunk = engine.store.get_outputs(list(output_ids[start : start + _CHUNK]))
        found.update((v.output.id, v) for v in review_views(engine, chunk))
    return found


def _refusal(view: ReviewView, status: str, reason: str | None) -> str | None:
    if status == "approved" and not view.passing and not reason:
        first = view.findings.blocking[0].sentence if view.findings.blocking else "it failed"
        return f"blocked: {first} (give a reason to approve it anyway)"
    needed = _NEEDS.get(status)
    if needed is not None and view.status not in needed:
        return f"it is {view.status}; approve it before marking it {status}"
    if status in APPROVED_LIKE and view.output.text is None and view.output.image_path is None:
        return "it has no content"
    return None


def change_status(
    engine: Engine,
    output_ids: Sequence[str],
    status: str,
    *,
    rater: str,
    reason: str | None = None,
) -> StatusResult:
    """Move outputs to `status` (one undoable action); outputs that may not move are refused."""
    stored.check_status(status)
    reason = reason.strip() if reason and reason.strip() else None
    wanted = list(dict.fromkeys(output_ids))
    if not wanted:
        raise ValidationError("output_ids", "select at least one output")
    views = _views_by_id(engine, wanted)
    refused = [(oid, why) for oid in wanted if (why := _refusal(views[oid], status, reason))]
    allowed = [oid for oid in wanted if oid not in dict(refused)]
    changed = (
        stored.set_statuses(engine.store, allowed, status, rater=rater, reason=reason)
        if allowed
        else []
    )
    return StatusResult(status, tuple(changed), tuple(refused))


def approve_passing(
    engine: Engine,
    *,
    rater: str,
    job_id: str | None = None,
    output_ids: Sequence[str] | None = None,
) -> StatusResult:
    """Approve every draft among a job's (or the given) outputs that nothing blocks."""
    if (job_id is None) == (output_ids is None):
        raise ValidationError("job_id", "give a job or a list of outputs, not both or neither")
    ids = reads.job_output_ids(engine.store, job_id) if job_id else list(output_ids or ())
    views = _views_by_id(engine, ids)
    passing = [
        oid
        for oid in ids
        if views[oid].status == "draft"
        and views[oid].passing
        and (views[oid].output.text is not None or views[oid].output.image_path is not None)
    ]
    held = tuple(
        (oid, views[oid].findings.blocking[0].sentence)
        for oid in ids
        if views[oid].status == "draft" and not views[oid].passing and views[oid].findings.blocking
    )
    changed = (
        stored.set_statuses(engine.store, passing, "approved", rater=rater, action="approve_all")
        if passing
        else []
    )
    return StatusResult("approved", tuple(changed), held)


def counts_by_status(statuses: Mapping[str, str]) -> dict[str, int]:
    """How many outputs are in each review status (every status listed, zeros included)."""
    counts = dict.fromkeys(REVIEW_STATUSES, 0)
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return counts


def mark_exported(engine: Engine, output_ids: Sequence[str], *, rater: str) -> StatusResult:
    """Move exported approved copy to 'exported' (one undoable action)."""
    return change_status(engine, output_ids, "exported", rater=rater)
