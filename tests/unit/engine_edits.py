"""The engine's own in-place edit, for tests of the checks' corrections."""

from __future__ import annotations

from collections.abc import Sequence

from contentgen.checks.base import EvalInput
from contentgen.checks.problems import Problem
from contentgen.drafts import Draft, DraftContext, edit_draft
from contentgen.types import Task


def edited_fields(item: EvalInput, problems: Sequence[Problem]) -> dict[str, str]:
    """The item's fields after `drafts.edit_draft` makes every problem's fix (it refuses a fix
    whose evidence is not the span it replaces, and the test fails then)."""
    draft = Draft(text=item.text, fields=item.fields, image_png=None, meta={}, seed=0,
                  problems=tuple(problems))  # fmt: skip
    assert draft.editable, f"a problem carries no fix at a known place: {problems}"
    context = DraftContext(task=Task.MARKETING, channel=item.channel, facts=item.facts, prompt="")
    edited = edit_draft(draft, context)
    assert edited is not None, f"the engine cannot make these fixes: {problems}"
    return dict(edited.fields)
