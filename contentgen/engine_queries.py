"""The engine's read and rating calls: thin facades over the store, kept apart from generation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from contentgen.checks.channels import CHANNELS
from contentgen.types import Output, Rating, StatRow

if TYPE_CHECKING:
    from contentgen.explain.build import ExplainSource
    from contentgen.explain.records import Explanation
    from contentgen.storage.store import Store


class RatingsAndQueries:
    """Rating outputs and reading what is stored (the Engine has these through this base)."""

    @property
    def store(self) -> Store:
        """The database (the Engine opens it on first use)."""
        raise NotImplementedError

    def rate(
        self,
        output_id: str,
        *,
        rater: str,
        score: int | None = None,
        thumb: bool | str | None = None,
        comment: str | None = None,
        edited_text: str | None = None,
        source: str = "api",
        override_reason: str | None = None,
    ) -> list[Rating]:
        """Rate an output: any of a 1-5 score, thumbs up/down, a comment and an edited final text.

        An edited text goes through the checks the output went through and is stored with their
        verdict (`contentgen.review.edits`); one that fails them becomes tuning data only with an
        `override_reason`. The review page and CLI refuse such an edit without one.
        """
        from contentgen.ratings import rating_rows

        rows = rating_rows(
            score=score, thumb=thumb, comment=comment, edited_text=edited_text, rater=rater
        )
        edit: Rating | None = None
        if edited_text is not None:  # checked first: a failing check stores none of the call
            from contentgen.review.edits import save_edit

            edit = save_edit(
                self,  # type: ignore[arg-type]  # the Engine, which this class is a base of
                output_id,
                edited_text,
                rater=rater,
                source=source,
                override_reason=override_reason,
                enforce=False,
            ).rating
        return [
            edit
            if row["kind"] == "edit" and edit is not None
            else self.store.add_rating(output_id, rater=rater, source=source, **row)
            for row in rows
        ]

    def compare(
        self,
        first_id: str,
        second_id: str,
        *,
        preferred: str | None,
        rater: str,
        source: str = "api",
        distinct: bool = False,
    ) -> Rating:
        """Record which of two outputs of the same task `rater` prefers; 'tie' (or None): neither.

        With `distinct` two outputs with the same text can only tie (the review page's rule).
        """
        from contentgen.ratings import TIE, check_preference

        first, second = self.store.get_outputs([first_id, second_id])
        check_preference(first, second, preferred, rater, distinct=distinct)
        return self.store.add_rating(
            first_id,
            rater=rater,
            kind="preference",
            other_output_id=second_id,
            preferred_output_id=None if preferred in (None, TIE) else preferred,
            source=source,
        )

    def get_output(self, output_id: str) -> Output:
        """One stored output."""
        return self.store.get_output(output_id)

    def explain(self, output_id: str) -> Explanation:
        """Why an output is what it is: the facts each sentence uses (with spans), the template
        and its examples, every check's verdict and evidence, why it was chosen over its
        siblings, and the model, adapter, decoding parameters, seed and fallback."""
        from contentgen.explain import explain_output

        # Only an Engine has this base: it provides the tasks, templates, settings and checks.
        return explain_output(cast("ExplainSource", self), output_id)

    def list_outputs(self, **filters: Any) -> list[Output]:
        """Stored outputs, newest first (see Store.list_outputs for filters)."""
        return self.store.list_outputs(**filters)

    def ratings(self, output_id: str | None = None) -> list[Rating]:
        """Ratings of one output, or all."""
        return self.store.ratings(output_id)

    def stats(self, by: str = "template") -> list[StatRow]:
        """Output, rating and rejection counts grouped by template, generator, task, channel or model."""
        return self.store.stats(by)

    def channels(self) -> list[str]:
        """The marketing channels contentgen knows."""
        return sorted(CHANNELS)
