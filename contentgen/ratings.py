"""Rating validation: scores 1-5, thumbs, comments, edited finals and pairwise preferences."""

from __future__ import annotations

from typing import Any

from contentgen.errors import ValidationError
from contentgen.types import Output
from contentgen.unicode_text import require_unicode

THUMBS = {"up": True, "down": False, "+1": True, "-1": False, "yes": True, "no": False}
MAX_COMMENT = 10_000
TIE = "tie"  # the `preferred` value of a comparison that found both outputs equally good


def _rater(rater: str) -> str:
    if not isinstance(rater, str) or not rater.strip() or len(rater) > 200:
        raise ValidationError(
            "rater", "must be a non-empty pseudonymous id of at most 200 characters"
        )
    require_unicode(rater, "rater")
    return rater.strip()


def parse_thumb(thumb: bool | str | None) -> bool | None:
    """Accept True/False or 'up'/'down'."""
    if thumb is None or isinstance(thumb, bool):
        return thumb
    key = str(thumb).strip().lower()
    if key not in THUMBS:
        raise ValidationError("thumb", f"unknown value {thumb!r}", ["up", "down"])
    return THUMBS[key]


def rating_rows(
    *,
    rater: str,
    score: int | None = None,
    thumb: bool | str | None = None,
    comment: str | None = None,
    edited_text: str | None = None,
) -> list[dict[str, Any]]:
    """Split one rating call into stored rows (one per kind); at least one kind is required."""
    _rater(rater)
    require_unicode(comment, "comment")
    require_unicode(edited_text, "edited_text")
    rows: list[dict[str, Any]] = []
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise ValidationError(
                "score", f"must be a whole number from 1 to 5, got {score!r}", range(1, 6)
            )
        rows.append({"kind": "score", "score": score})
    value = parse_thumb(thumb)
    if value is not None:
        rows.append({"kind": "thumb", "thumb": value})
    if comment is not None:
        if not comment.strip() or len(comment) > MAX_COMMENT:
            raise ValidationError("comment", f"must be 1 to {MAX_COMMENT} characters")
        rows.append({"kind": "comment", "comment": comment})
    if edited_text is not None:
        if not edited_text.strip() or len(edited_text) > 100_000:
            raise ValidationError(
                "edited_text", "must be non-empty text of at most 100000 characters"
            )
        rows.append({"kind": "edit", "edited_text": edited_text})
    if not rows:
        raise ValidationError("rating", "give at least one of score, thumb, comment, edited_text")
    return rows


def check_preference(
    first: Output, second: Output, preferred: str | None, rater: str, *, distinct: bool = False
) -> None:
    """A preference compares two different outputs of one task and names one of them or a tie.

    `preferred` None (or TIE) records a tie. With `distinct` (the review page), two outputs with
    the same text cannot be preferred one over the other, only tied; preference exports skip
    such pairs either way.
    """
    _rater(rater)
    if first.id == second.id:
        raise ValidationError("second", "a preference needs two different outputs")
    if first.task != second.task:
        raise ValidationError(
            "second", f"cannot compare a {first.task} output with a {second.task} one"
        )
    if preferred is None or preferred == TIE:
        return
    if preferred not in (first.id, second.id):
        raise ValidationError(
            "preferred",
            "must be one of the two compared outputs, or 'tie'",
            [first.id, second.id, TIE],
        )
    if distinct and same_text(first.text, second.text):
        raise ValidationError(
            "second", "the two outputs have the same text; record a tie or compare others"
        )


def same_text(a: str | None, b: str | None) -> bool:
    """True when two texts are the same but for case and spacing."""
    if a is None or b is None:
        return False
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
