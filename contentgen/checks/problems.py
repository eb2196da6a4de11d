"""The Problem record every check reports, and its JSON form inside an Evaluation's detail.

A problem is data, never a sentence to parse: `check` names the detector, `kind` what is wrong
("placeholder", "dangling_word", "sign_dropped", ...), `field` where (a channel field such as
"headline", or "text"/"reply"/"summary" for free text), `limit` the rule's bound or reference
when it has one (a length or count, the unit a number needed, the negated fact term, the policy
category) and `evidence` the offending span, with its offsets in the field when they are
known; `fix` is the span's correction when a mechanical edit makes one ("a compression straps"
-> "compression straps").
Code decides from `check` and `kind`; `describe()` is for people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from contentgen.types import Evaluation

Limit = int | float | str | None
EVIDENCE_CHARS = 200  # stored evidence is a span, not a copy of the whole output
REASON_PROBLEMS = 5  # a reason names this many problems, then counts the rest
FAILED = "failed"  # the kind of a verdict that failed without records (a plugin's, a crash)
RERANKED_OUT = "reranked_out"  # a draft that passed every gate but lost to better ones
DUPLICATE_VARIANT = "duplicate_variant"  # a draft that says what an accepted variant says
# Problems read without their check's name in front (what happened, not what a check found).
_BARE_KINDS = frozenset({"empty", RERANKED_OUT, DUPLICATE_VARIANT})


@dataclass(frozen=True)
class Problem:
    """One defect found by a check: which check, what kind, in which field, and the evidence."""

    check: str
    kind: str
    field: str
    evidence: str
    limit: Limit = None
    start: int | None = None
    end: int | None = None
    # The words that replace `evidence` at [start, end) when a mechanical edit corrects it
    # (an article, a capital): the engine makes it instead of writing the draft again.
    fix: str | None = None

    def __post_init__(self) -> None:
        if len(self.evidence) > EVIDENCE_CHARS:
            object.__setattr__(self, "evidence", self.evidence[: EVIDENCE_CHARS - 1] + "…")

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data (None offsets and limits left out)."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        """Rebuild a record stored by `as_dict`."""
        return cls(
            check=str(data["check"]),
            kind=str(data["kind"]),
            field=str(data["field"]),
            evidence=str(data.get("evidence", "")),
            limit=data.get("limit"),
            start=data.get("start"),
            end=data.get("end"),
            fix=data.get("fix"),
        )

    def describe(self) -> str:
        """A short line for people (logs, review pages, `Output.reason`); never parsed."""
        phrase = (
            _PHRASES.get((self.check, self.kind))
            or _PHRASES.get((self.check, ""))
            or _PHRASES.get(("", self.kind))
        )
        if phrase is not None:
            size = self.end if self.end is not None else len(self.evidence)
            return phrase.format(p=self, size=size)
        limit = f" (limit {self.limit})" if self.limit is not None else ""
        return f"{self.field}: {self.kind.replace('_', ' ')} {self.evidence!r}{limit}"


# How people read the problems whose checks predate the records (their reasons were sentences
# reviewers know); any other kind reads "field: kind 'evidence' (limit ...)". Keyed by
# (check, kind); "" as the check matches a kind of any check, "" as the kind any kind of a check.
_PHRASES: Mapping[tuple[str, str], str] = {
    ("", FAILED): "{p.evidence}",
    ("", "empty"): "the generator returned empty text",
    ("", RERANKED_OUT): "reranked out",
    ("", DUPLICATE_VARIANT): "the same words as another variant of the request",
    ("channel", "missing"): "{p.field} is missing",
    ("channel", "too_long"): "{p.field} is {size} characters; the limit is {p.limit}",
    ("channel", "too_short"): "{p.field} is {size} characters; the minimum is {p.limit}",
    ("channel", "placeholder"): "{p.field} contains the placeholder {p.evidence!r}",
    ("channel", "unknown_channel"): "unknown channel {p.evidence!r} (valid: {p.limit})",
    ("example", "copied"): "copied {p.evidence} from the template's example",
    ("brand", "banned_term"): "banned term {p.limit!r} written as {p.evidence!r}",
    ("brand", "missing_disclaimer"): "missing the {p.limit!r} disclaimer: {p.evidence!r}",
    ("stereotypes", "stereotype"): "stereotype of {p.limit}: {p.evidence!r}",
    ("copying", "copied_text"): "copies {p.limit}: {p.evidence!r}",
    ("copying", "near_training_image"): "{p.evidence} (threshold {p.limit})",
    ("grounding", "invented_price"): "price {p.evidence!r} is not in the facts",
    ("grounding", "invented_number"): "number {p.evidence!r} is not in the facts",
    ("grounding", "invented_id"): "id {p.evidence!r} is not in the request",
    ("output_guard", ""): "{p.kind}: {p.evidence}",
    ("creative", "copy_too_long"): "{p.field} is {size} characters; the placement's limit is "
    "{p.limit}",
    ("creative", "copy_missing"): "no {p.field} for this placement",
    ("creative", "text_does_not_fit"): "{p.field} does not fit its box even at {p.limit} px",
    ("creative", "low_contrast"): "{p.field} contrast is {p.evidence}; WCAG AA needs {p.limit}:1",
    ("creative", "text_share"): "text covers {p.evidence}; the limit is {p.limit:.0%}",
    ("creative", "logo_missing"): "the logo is missing: {p.evidence}",
    ("creative", "outside_safe_zone"): "{p.field} at {p.evidence} leaves the safe zone {p.limit}",
    ("creative", "text_clipped"): "{p.field} line {p.evidence!r} leaves its box {p.limit}",
    (
        "offensive",
        "offensive",
    ): "offensive-language probability at or above {p.limit}: {p.evidence!r}",
}


def problem_detail(problems: Sequence[Problem], **extra: Any) -> dict[str, Any]:
    """The Evaluation.detail for `problems`: the records, and a readable reason for people."""
    detail: dict[str, Any] = {
        "problems": [p.as_dict() for p in problems],
        "kinds": sorted({p.kind for p in problems}),
    }
    if problems:
        detail["reason"] = _listed([p.describe() for p in problems])
    return {**detail, **extra}


def _listed(lines: Sequence[str]) -> str:
    more = len(lines) - REASON_PROBLEMS
    return "; ".join(lines[:REASON_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")


def render_reason(problems: Sequence[Problem]) -> str | None:
    """Why a draft is rejected, for people (`Output.reason`): "check: problem; problem; ...".

    The one place a rejection reason is written; None when there are no problems.
    """
    if not problems:
        return None
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault("" if p.kind in _BARE_KINDS else p.check, []).append(p)
    parts = []
    for check, found in groups.items():
        text = _listed([p.describe() for p in found])
        parts.append(f"{check}: {text}" if check else text)
    return "; ".join(parts)


def failed_check(name: str, reason: str, field: str = "text") -> Problem:
    """The one problem of a verdict that failed without records (its reason as the evidence)."""
    return Problem(check=name, kind=FAILED, field=field, evidence=reason)


def verdict_problems(evaluation: Evaluation) -> list[Problem]:
    """The problems of a failed verdict: its records, else one `failed` problem with its reason."""
    found = problems_from_detail(evaluation.detail)
    return found or [failed_check(evaluation.name, explain(evaluation.detail))]


def explain(detail: Mapping[str, Any]) -> str:
    """The readable reason inside a verdict's detail that holds no records (plugins, crashes)."""
    for key in ("reason", "problems", "issues", "found", "findings"):
        value = detail.get(key)
        if value:
            return value if isinstance(value, str) else ", ".join(map(str, value))
    return FAILED


def problems_from_detail(detail: Mapping[str, Any]) -> list[Problem]:
    """The Problem records inside a stored detail (entries that are not records are skipped)."""
    found = detail.get("problems", [])
    if not isinstance(found, list):
        return []
    return [Problem.from_dict(p) for p in found if isinstance(p, Mapping) and "check" in p]


def verdict(name: str, problems: Sequence[Problem], **extra: Any) -> Evaluation:
    """A gating verdict: passed when there are no problems; the records go in the detail."""
    return Evaluation(
        name=name,
        passed=not problems,
        score=1.0 if not problems else 0.0,
        detail=problem_detail(problems, **extra),
    )


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """Problems without repeats (same check, kind, field and evidence), in order."""
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for p in problems:
        key = (p.check, p.kind, p.field, p.evidence)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
