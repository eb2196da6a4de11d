"""What review sheets carry beyond the copy: its context and approval state, both ways.

On export each row gets the product name, SKU and facts of its request (or the article title, or
the customer message) and the output's review status; on import a changed `status` cell moves
the output (approvals of blocked copy need the row's `override_reason`), through the engine's
checks when one is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contentgen.errors import ValidationError

if TYPE_CHECKING:
    from contentgen.engine import Engine
    from contentgen.storage.store import Store
    from contentgen.types import Output

FACT_CHARS = 600  # a sheet cell shows the facts, not a whole article


@dataclass(frozen=True)
class StatusWish:
    """A status cell a reviewer changed: which row, which output, to what, and why."""

    row: int
    output_id: str
    status: str
    reason: str | None = None


def _facts_text(facts: dict[str, Any]) -> str:
    from contentgen.review.facts import FactLine, fact_leaves

    parts = []
    for key, value in (leaf for k, v in facts.items() for leaf in fact_leaves(v, k)):
        parts.append(f"{FactLine(key.removeprefix('product.'), value).label}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= FACT_CHARS else text[: FACT_CHARS - 1] + "…"


def sheet_contexts(store: Store, outputs: Sequence[Output]) -> dict[str, dict[str, str]]:
    """Per output id: product, sku, facts (as one readable line) and review status."""
    from contentgen.review.facts import fact_payload, product_name, product_sku
    from contentgen.storage.reads import job_row_keys, request_payloads
    from contentgen.storage.review import statuses_of

    payloads = request_payloads(store, [o.request_id for o in outputs])
    keys = job_row_keys(store, [o.request_id for o in outputs])
    statuses = statuses_of(store, [o.id for o in outputs])
    found = {}
    for o in outputs:
        payload = payloads.get(o.request_id, {})
        found[o.id] = {
            "product": product_name(payload) or "",
            "sku": product_sku(payload, keys.get(o.request_id)) or "",
            "facts": _facts_text(fact_payload(payload, None)),
            "status": statuses[o.id],
        }
    return found


def status_wish(row: int, output_id: str, cell: str, reason: str | None) -> StatusWish | None:
    """The status a row asks for (None when the cell is empty); unknown ones are an error."""
    from contentgen.storage.review import REVIEW_STATUSES

    status = cell.strip().lower()
    if not status:
        return None
    if status not in REVIEW_STATUSES:
        raise ValidationError("status", f"unknown review status {cell!r}", REVIEW_STATUSES)
    return StatusWish(row, output_id, status, reason)


def apply_statuses(
    store: Store, wishes: Sequence[StatusWish], *, rater: str, engine: Engine | None = None
) -> tuple[int, list[tuple[int, str, str]]]:
    """Move outputs whose status cell changed; returns (moved, [(row, output id, why not)]).

    With an engine the workflow's rules apply (approving blocked copy needs a reason, exported
    and published need an approved output); outputs already in the asked status are left alone.
    """
    from contentgen.storage.review import set_statuses, statuses_of

    current = statuses_of(store, [w.output_id for w in wishes])
    changed = [w for w in wishes if current[w.output_id] != w.status]
    groups: dict[tuple[str, str | None], list[StatusWish]] = {}
    for w in changed:
        groups.setdefault((w.status, w.reason), []).append(w)
    moved = 0
    refused: list[tuple[int, str, str]] = []
    for (status, reason), group in groups.items():
        ids = [w.output_id for w in group]
        if engine is None:
            moved += len(set_statuses(store, ids, status, rater=rater, reason=reason))
            continue
        from contentgen.review.workflow import change_status

        result = change_status(engine, ids, status, rater=rater, reason=reason)
        moved += len(result.changed)
        rows = {w.output_id: w.row for w in group}
        refused += [(rows[oid], oid, why) for oid, why in result.refused]
    return moved, refused
