"""Checks over a whole model batch: one call per check, cheap checks first, models on survivors."""

from __future__ import annotations

from collections.abc import Sequence

from contentgen.checks.base import EvalInput, run_staged
from contentgen.checks.problems import Problem
from contentgen.drafts import Draft, DraftContext, evaluate_many
from contentgen.types import TEXT_TASKS, Evaluation, Task


class Recording:
    """An evaluator that fails texts containing `word` and remembers every batch it was given."""

    tasks = TEXT_TASKS

    def __init__(self, name: str, word: str, *, gate: bool, expensive: bool) -> None:
        self.name, self.word, self.gate, self.expensive = name, word, gate, expensive
        self.calls: list[list[str]] = []

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        self.calls.append([i.text for i in items])
        return [Evaluation(name=self.name, passed=self.word not in i.text) for i in items]


def _items(*texts: str) -> list[EvalInput]:
    return [EvalInput(task=Task.MARKETING, text=t) for t in texts]


def test_models_run_after_the_cheap_checks_and_only_on_what_no_gate_rejected() -> None:
    model_score = Recording("similarity", "-", gate=False, expensive=True)
    model_gate = Recording("classifier", "rude", gate=True, expensive=True)
    cheap_gate = Recording("length", "long", gate=True, expensive=False)
    cheap_score = Recording("tone", "-", gate=False, expensive=False)
    evaluators = [model_score, model_gate, cheap_gate, cheap_score]
    texts = ("fine", "too long", "rude", "parsed badly")
    verdicts = run_staged(evaluators, _items(*texts), rejected=[False, False, False, True])
    assert cheap_gate.calls == [list(texts)] and cheap_score.calls == [list(texts)]
    assert model_gate.calls == [["fine", "rude"]]  # not the long one, not the pre-rejected one
    assert model_score.calls == [["fine"]]  # gates first: the rude one is already rejected
    assert [[v.name for v in vs] for vs in verdicts] == [
        ["similarity", "classifier", "length", "tone"],
        ["length", "tone"],
        ["classifier", "length", "tone"],
        ["length", "tone"],
    ]


def _draft(text: str, *problems: Problem) -> Draft:
    return Draft(text, {}, None, {}, 0, problems=problems)


def test_a_model_batch_of_requests_is_checked_with_one_call_per_check() -> None:
    model = Recording("classifier", "rude", gate=True, expensive=True)
    cheap = Recording("length", "long", gate=True, expensive=False)
    ctx = [
        DraftContext(
            task=Task.MARKETING, channel=None, facts={}, prompt="", evaluators=[model, cheap]
        )
        for _ in range(3)
    ]
    groups = [
        ([_draft("a fine one"), _draft("a rude one")], ctx[0]),
        ([_draft("a long one")], ctx[1]),
        (
            [_draft("fine too"), _draft("broken", Problem("channel", "missing", "headline", ""))],
            ctx[2],
        ),
    ]
    checked = evaluate_many(groups)
    assert len(cheap.calls) == 1 and len(cheap.calls[0]) == 5
    assert model.calls == [["a fine one", "a rude one", "fine too"]]
    assert [[bool(d.problems) for d in drafts] for drafts in checked] == [
        [False, True],
        [True],
        [False, True],
    ]
    rude = checked[0][1]
    assert [p.check for p in rude.problems] == ["classifier"]
    assert [v.name for v in checked[0][0].evaluations] == ["classifier", "length"]
