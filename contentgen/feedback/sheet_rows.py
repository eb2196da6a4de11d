"""Review sheet rows: pairs to export, and what a filled-in row asks for, checked."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from contentgen.errors import ValidationError
from contentgen.ratings import THUMBS, check_preference, rating_rows, same_text

if TYPE_CHECKING:
    from contentgen.storage.store import Store
    from contentgen.types import Output

EXTRA_THUMBS = {
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "\N{THUMBS UP SIGN}": True,
    "\N{THUMBS DOWN SIGN}": False,
}
PREFERRED = {"left": "left", "l": "left", "right": "right", "r": "right"}
TIES = ("tie", "same", "equal", "=")


def known(outputs: Mapping[str, Output], output_id: str) -> Output:
    if not output_id:
        raise ValidationError("output_id", "is empty; do not edit the id columns")
    if output_id not in outputs:
        raise ValidationError("output_id", f"unknown output {output_id!r} (not in this database)")
    return outputs[output_id]


def parse_score(value: str, column: str = "score") -> int | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ValidationError(column, f"{value!r} is not a number", range(1, 6)) from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValidationError(
            column, f"{value} is outside the scale; use a whole number", range(1, 6)
        )
    return int(number)


def parse_thumb(value: str) -> bool | None:
    if not value:
        return None
    key = value.strip().lower()
    if key in THUMBS:
        return THUMBS[key]
    if key in EXTRA_THUMBS:
        return EXTRA_THUMBS[key]
    raise ValidationError("thumb", f"unknown value {value!r}", ["up", "down"])


def rater_of(row: Mapping[str, str], rater: str) -> str:
    return row.get("rater") or rater


def plan_rate(
    row: Mapping[str, str], outputs: Mapping[str, Output], rater: str
) -> list[dict[str, Any]]:
    if not any(row.get(c) for c in ("score", "thumb", "comment", "edited_text")):
        return []
    output = known(outputs, row.get("output_id", ""))
    edited = row.get("edited_text") or None
    if edited is not None and edited.strip() == (output.text or "").strip():
        edited = None  # the reviewer copied the text unchanged: not an edit
    comment = row.get("comment") or None
    score, thumb = parse_score(row.get("score", "")), parse_thumb(row.get("thumb", ""))
    who = rater_of(row, rater)
    if score is None and thumb is None and comment is None and edited is None:
        return []
    parts = rating_rows(rater=who, score=score, thumb=thumb, comment=comment, edited_text=edited)
    return [{"output_id": output.id, "rater": who, **part} for part in parts]


def plan_pair(
    row: Mapping[str, str], outputs: Mapping[str, Output], rater: str
) -> list[dict[str, Any]]:
    choice = row.get("preferred", "").strip().lower()
    if not choice:
        return []
    if choice not in PREFERRED and choice not in TIES:
        raise ValidationError(
            "preferred", f"unknown value {row.get('preferred')!r}", ["left", "right", "tie"]
        )
    first = known(outputs, row.get("first_output_id", ""))
    second = known(outputs, row.get("second_output_id", ""))
    left_is = row.get("left_is", "").strip().lower()
    if left_is not in ("first", "second"):
        raise ValidationError(
            "left_is", f"was changed to {left_is!r}; it must stay as exported", ["first", "second"]
        )
    left, right = (first, second) if left_is == "first" else (second, first)
    winner = None if choice in TIES else left if PREFERRED[choice] == "left" else right
    who = rater_of(row, rater)
    check_preference(first, second, winner.id if winner else None, who)
    return [
        {
            "output_id": first.id,
            "rater": who,
            "kind": "preference",
            "other_output_id": second.id,
            "preferred_output_id": winner.id if winner else None,
        }
    ]


def pair_rows(
    sheet_id: str, outputs: Sequence[Output], limit: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Pair rows of distinct sibling texts (sides shuffled by `rng`), at most `limit`."""
    by_request: dict[str, list[Output]] = defaultdict(list)
    for output in outputs:
        by_request[output.request_id].append(output)
    rows: list[dict[str, Any]] = []
    for siblings in by_request.values():
        siblings.sort(key=lambda o: o.index)
        distinct: list[Output] = []
        for output in siblings:  # a pair of identical texts has nothing to choose between
            if not any(same_text(output.text, kept.text) for kept in distinct):
                distinct.append(output)
        for first, second in zip(distinct[::2], distinct[1::2], strict=False):
            if len(rows) >= limit:
                return rows
            swapped = rng.random() < 0.5
            left, right = (second, first) if swapped else (first, second)
            rows.append(
                {
                    "sheet_id": sheet_id,
                    "pair_id": f"{first.id[:8]}-{second.id[:8]}",
                    "task": first.task.value,
                    "template": first.provenance.template_id or "",
                    "left_text": left.text or "",
                    "right_text": right.text or "",
                    "first_output_id": first.id,
                    "second_output_id": second.id,
                    "left_is": "second" if swapped else "first",
                }
            )
    return rows


def load_outputs(store: Store, ids: Sequence[str]) -> dict[str, Output]:
    """The stored outputs among `ids`, by id (unknown ids left out)."""
    from contentgen.storage.feedback import FeedbackStore

    known = sorted(FeedbackStore(store).known_output_ids(ids))
    found: dict[str, Output] = {}
    for start in range(0, len(known), 500):
        found.update((o.id, o) for o in store.get_outputs(known[start : start + 500]))
    return found
