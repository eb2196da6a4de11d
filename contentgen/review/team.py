"""Review teams: queues per reviewer, and outputs reviewed by k people when asked.

`assign` puts each output in the queues of `k` reviewers (counting reviewers it already has),
choosing those with the fewest open assignments first, so work spreads evenly; a reviewer's
queue is the review queue filtered with `assigned=<name>`, open items first. Who a reviewer is
comes from the web app's sign-in (`contentgen.web.identity`), never from the queue itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contentgen.errors import ValidationError
from contentgen.ratings import rating_rows
from contentgen.storage import reads, team

if TYPE_CHECKING:
    from contentgen.engine import Engine

MAX_ASSIGN = 20_000
MAX_K = 10


@dataclass(frozen=True)
class AssignResult:
    """What `assign` did: new assignments per reviewer, and outputs that could not get k."""

    outputs: int
    k: int
    added: dict[str, int] = field(default_factory=dict)
    short: int = 0

    @property
    def total(self) -> int:
        """New assignments made."""
        return sum(self.added.values())


def check_reviewers(reviewers: Sequence[str], k: int) -> list[str]:
    """Distinct, valid reviewer names, and 1 <= k <= how many there are."""
    names = list(dict.fromkeys(" ".join(str(r).split()) for r in reviewers if str(r).strip()))
    if not names:
        raise ValidationError("reviewers", "name at least one reviewer")
    for name in names:
        rating_rows(rater=name, comment="x")  # the rater-name rules, in one place
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= min(len(names), MAX_K):
        raise ValidationError(
            "k",
            f"each output can go to 1 to {min(len(names), MAX_K)} of the {len(names)} reviewer(s)",
            range(1, min(len(names), MAX_K) + 1),
        )
    return names


def scope(
    engine: Engine,
    *,
    job_id: str | None = None,
    filters: reads.QueueFilters | None = None,
    output_ids: Sequence[str] | None = None,
) -> list[str]:
    """The outputs to assign: a job's, those matching queue filters, or a list (exactly one)."""
    given = [x for x in (job_id, filters, output_ids) if x is not None]
    if len(given) != 1:
        raise ValidationError("scope", "give one of job_id, filters or output_ids")
    if job_id is not None:
        ids = reads.job_output_ids(engine.store, job_id, status="ok")
    elif filters is not None:
        ids = reads.filtered_ids(engine.store, filters, limit=MAX_ASSIGN + 1)
    else:
        ids = list(dict.fromkeys(output_ids or ()))
        engine.store.get_outputs(ids)  # UnknownNameError for an id that is not stored
    if len(ids) > MAX_ASSIGN:
        raise ValidationError("scope", f"at most {MAX_ASSIGN} outputs at once; narrow the filters")
    if not ids:
        raise ValidationError("scope", "no outputs to assign")
    return ids


def plan(
    output_ids: Sequence[str],
    reviewers: Sequence[str],
    k: int,
    existing: dict[str, set[str]],
    open_counts: dict[str, int],
) -> tuple[list[tuple[str, str]], int]:
    """(output, reviewer) pairs giving every output k reviewers, least-loaded first; and how many
    outputs stay short because every reviewer named already has them."""
    load = {r: open_counts.get(r, 0) for r in reviewers}
    pairs: list[tuple[str, str]] = []
    short = 0
    for oid in output_ids:
        have = existing.get(oid, set())
        need = k - len(have)
        candidates = sorted((r for r in reviewers if r not in have), key=lambda r: (load[r], r))
        chosen = candidates[: max(need, 0)]
        short += need > len(chosen)
        for reviewer in chosen:
            pairs.append((oid, reviewer))
            load[reviewer] += 1
    return pairs, short


def assign(
    engine: Engine,
    output_ids: Sequence[str],
    reviewers: Sequence[str],
    *,
    k: int = 1,
    assigned_by: str,
) -> AssignResult:
    """Put each output in the queues of k reviewers in all (those it already has count)."""
    names = check_reviewers(reviewers, k)
    existing = team.assigned_to(engine.store, list(output_ids))
    open_counts = {name: load.open for name, load in team.loads(engine.store).items()}
    pairs, short = plan(output_ids, names, k, existing, open_counts)
    team.add_assignments(engine.store, pairs, assigned_by=assigned_by)
    added: dict[str, int] = dict.fromkeys(names, 0)
    for _, reviewer in pairs:
        added[reviewer] += 1
    return AssignResult(len(output_ids), k, added, short)


@dataclass(frozen=True)
class TeamView:
    """The team page: every reviewer's queue, and how many multi-reviewer outputs are complete."""

    loads: tuple[team.ReviewerLoad, ...]
    coverage: team.Coverage
    known: tuple[str, ...]


def team_view(engine: Engine, reviewers: Sequence[str] = ()) -> TeamView:
    """Queues of the configured reviewers and of everyone with assignments or ratings."""
    loads = team.loads(engine.store)
    known = sorted({*reviewers, *team.raters(engine.store)})
    rows = [loads.get(name, team.ReviewerLoad(name)) for name in sorted({*reviewers, *loads})]
    return TeamView(tuple(rows), team.coverage(engine.store), tuple(known))
