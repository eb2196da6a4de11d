"""The stereotyped-wording check: a sentence naming a group together with a trait of its stereotype.

Advisory by default (the verdict and its evidence are stored, nothing is rejected); with
`gate=True` (setting `stereotype_gate = true`) a stereotyped sentence rejects the draft. The
word lists and their sources are in `contentgen.checks.stereotype_lexicon`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from contentgen.checks.base import EvalInput, Evaluator
from contentgen.checks.problems import Problem, problem_detail
from contentgen.checks.stereotype_lexicon import StereotypeHit, stereotype_hits
from contentgen.types import TEXT_TASKS, Evaluation, Task

NAME = "stereotypes"


class StereotypeCheck:
    """Flags sentences that pair a group ("women", "seniors") with a trait of its stereotype."""

    name: str = NAME
    tasks: frozenset[Task] = TEXT_TASKS

    def __init__(self, *, gate: bool = False) -> None:
        self.gate = gate

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item: passed when no sentence is stereotyped; score = how many are."""
        out = []
        for item in items:
            problems = [_problem(hit) for hit in stereotype_hits(item.text)]
            out.append(
                Evaluation(
                    name=self.name,
                    passed=not problems,
                    score=float(len(problems)),
                    detail=problem_detail(problems, gate=self.gate),
                )
            )
        return out


def _problem(hit: StereotypeHit) -> Problem:
    """The stereotyped sentence as evidence; `limit` names the group and the trait."""
    return Problem(
        NAME,
        "stereotype",
        "text",
        hit.sentence,
        limit=f"{hit.group} ({hit.group_word!r} with {hit.trait!r})",
        start=hit.start,
        end=hit.end,
    )


def with_stereotype_gate(evaluators: Iterable[Evaluator]) -> list[Evaluator]:
    """`evaluators` with the stereotype check (advisory as registered) made a gate."""
    return [StereotypeCheck(gate=True) if e.name == NAME else e for e in evaluators]
