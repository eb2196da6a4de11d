"""Ratings made on the review faces, stored with the rubric they were made under.

`rate_by_rubric` scores an output on its rubric's criteria (and any overall score, thumb or
comment); `mark` attaches the rubric in force to ratings made another way (a key press, an
edit); `compare` records a preference, a tie, or "both bad" (a tie plus a thumb down on each
output). Each call is one undoable action of the reviewer (`contentgen.storage.review`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from contentgen.errors import ValidationError
from contentgen.ratings import TIE
from contentgen.review.rubrics import Rubric, RubricLibrary
from contentgen.storage import reads, team
from contentgen.storage import review as stored
from contentgen.types import Output, Rating

if TYPE_CHECKING:
    from contentgen.engine import Engine

BOTH_BAD = "both_bad"
VERDICTS = (TIE, BOTH_BAD)


@dataclass(frozen=True)
class RubricRating:
    """The ratings stored for one rubric submission, and the criterion scores they carry."""

    ratings: tuple[Rating, ...]
    rubric: Rubric
    scores: Mapping[str, int]
    overall: int | None


@dataclass(frozen=True)
class Comparison:
    """A stored comparison: the preference rating, its verdict, and any thumbs it added."""

    rating: Rating
    verdict: str | None
    thumbs: tuple[Rating, ...] = ()


def rubrics_of(engine: Engine) -> RubricLibrary:
    """The rubrics in the engine's template folders (user, plugin, then built-in)."""
    return RubricLibrary(engine.templates.dirs)


def rubric_for(engine: Engine, rubrics: RubricLibrary, output: Output) -> Rubric:
    """The rubric that applies to one output (template, then channel, task, default)."""
    channel = reads.channels_of(engine.store, [output.id]).get(output.id)
    return rubrics.for_output(output.task.value, output.provenance.template_id, channel)


def rubrics_for(
    rubrics: RubricLibrary, outputs: Sequence[Output], channels: Mapping[str, str | None]
) -> dict[str, Rubric]:
    """The rubric of each output, by output id (channels as `reads.channels_of` gives them)."""
    return {
        o.id: rubrics.for_output(o.task.value, o.provenance.template_id, channels.get(o.id))
        for o in outputs
    }


def overall_of(scores: Mapping[str, int]) -> int | None:
    """The criteria's mean rounded half up (4.5 -> 5), the overall score when none was given."""
    if not scores:
        return None
    mean = Decimal(sum(scores.values())) / len(scores)
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mark(
    engine: Engine,
    rubric: Rubric,
    ratings: Sequence[Rating],
    *,
    scores: Mapping[str, int] | None = None,
    verdict: str | None = None,
) -> None:
    """Store `rubric` (id and hash) with each rating; `scores` go with the score rating."""
    team.add_marks(
        engine.store,
        [
            team.RubricMark(
                rating_id=r.id,
                output_id=r.output_id,
                rater=r.rater,
                rubric_id=rubric.id,
                rubric_sha256=rubric.sha256,
                scores=dict(scores or {}) if r.kind in ("score", "preference") else {},
                verdict=verdict if r.kind == "preference" else None,
            )
            for r in ratings
        ],
    )


def rate_by_rubric(
    engine: Engine,
    rubrics: RubricLibrary,
    output_id: str,
    *,
    rater: str,
    scores: Mapping[str, Any],
    score: int | None = None,
    thumb: bool | str | None = None,
    comment: str | None = None,
    source: str = "web",
) -> RubricRating:
    """Score an output on its rubric's criteria (1-5 each) and store it as one undoable action.

    The overall score is `score`, else the criteria's mean rounded half up.
    """
    output = engine.store.get_output(output_id)
    rubric = rubric_for(engine, rubrics, output)
    checked = rubric.check_scores(scores)
    if not checked and score is None and thumb is None and comment is None:
        raise ValidationError("scores", "score at least one criterion", rubric.criterion_names())
    overall = score if score is not None else overall_of(checked)
    ratings = engine.rate(
        output_id, rater=rater, score=overall, thumb=thumb, comment=comment, source=source
    )
    mark(engine, rubric, ratings, scores=checked)
    stored.log_ratings(engine.store, ratings, rater=rater, action="rubric")
    return RubricRating(tuple(ratings), rubric, checked, overall)


def compare(
    engine: Engine,
    rubrics: RubricLibrary,
    first: str,
    second: str,
    *,
    preferred: str,
    rater: str,
    source: str = "web",
) -> Comparison:
    """Prefer one of two outputs, or record a tie or "both bad" (never a pair of same texts).

    "Both bad" is stored as a tie (no winner, so preference exports skip it) plus a thumb down
    on each output, and the verdict is kept with the rubric mark; all one undoable action.
    """
    verdict = preferred if preferred in VERDICTS else None
    rating = engine.compare(
        first,
        second,
        preferred=TIE if verdict else preferred,
        rater=rater,
        source=source,
        distinct=True,
    )
    thumbs: list[Rating] = []
    if verdict == BOTH_BAD:
        for output_id in (first, second):
            thumbs += engine.rate(output_id, rater=rater, thumb=False, source=source)
    output = engine.store.get_output(first)
    mark(engine, rubric_for(engine, rubrics, output), [rating], verdict=verdict)
    stored.log_ratings(engine.store, [rating, *thumbs], rater=rater, action="comparison")
    return Comparison(rating, verdict, tuple(thumbs))
