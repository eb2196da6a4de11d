"""Every retry in one policy: transient retries, prompt-by-prompt isolation, repair rounds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contentgen.checks.problems import Problem
from contentgen.drafts import Draft
from contentgen.errors import TransientGeneratorError
from contentgen.generator import Generator
from contentgen.retry import RetryPolicy
from contentgen.types import Candidate, Prompt, PromptError, Task


class _Picky(Generator):
    """Fails a whole call that holds a prompt saying "bad"; refuses prompts saying "no"."""

    id: ClassVar[str] = "test:picky"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.MARKETING})
    calls: list[int]

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate] | PromptError]:
        self.calls = [*getattr(self, "calls", []), len(prompts)]
        if any("bad" in p.text for p in prompts):
            raise RuntimeError("tokenizer exploded")
        return [
            PromptError("refused") if "no" in p.text else [Candidate(text=p.text)] for p in prompts
        ]


class _Flaky(Generator):
    """Fails transiently on its first call."""

    id: ClassVar[str] = "test:flaky"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.MARKETING})
    calls: int = 0

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        self.calls += 1
        if self.calls == 1:
            raise TransientGeneratorError("busy")
        return [[Candidate(text="ok")] for _ in prompts]


def _prompts(*texts: str) -> list[Prompt]:
    return [Prompt(task=Task.MARKETING, text=t) for t in texts]


def test_a_whole_call_failure_is_retried_prompt_by_prompt() -> None:
    generator = _Picky()
    answers = RetryPolicy(generator_retries=0).call(generator, _prompts("a", "bad", "no", "b"))
    assert [a if isinstance(a, PromptError) else a[0].text for a in answers] == [
        "a",
        PromptError("generator test:picky failed: RuntimeError: tokenizer exploded"),
        PromptError("refused"),
        "b",
    ]
    assert generator.calls == [4, 1, 1, 1, 1]


def test_a_refusal_is_answered_without_retrying_anything() -> None:
    generator = _Picky()
    answers = RetryPolicy(generator_retries=0).call(generator, _prompts("a", "no"))
    assert answers[1] == PromptError("refused") and generator.calls == [2]


def test_transient_failures_are_retried_with_backoff_before_isolating() -> None:
    generator = _Flaky()
    policy = RetryPolicy(generator_retries=1, backoff_s=0.0)
    assert [a[0].text for a in policy.call(generator, _prompts("a", "b"))] == ["ok", "ok"]  # type: ignore[index]
    assert generator.calls == 2


def test_repair_rounds_come_from_the_policy_and_only_sampling_is_repaired() -> None:
    assert list(RetryPolicy(repair_attempts=3).rounds()) == [0, 1, 2]
    assert list(RetryPolicy(repair_attempts=0).rounds()) == [0]  # the first round always runs
    assert RetryPolicy.may_repair({"temperature": 0.7}) and not RetryPolicy.may_repair(
        {"temperature": 0}
    )


def test_shortening_is_decided_from_problem_kinds_not_sentences() -> None:
    def draft(*problems: Problem) -> Draft:
        return Draft("t", {}, None, {}, 0, problems=problems)

    too_long = Problem("channel", "too_long", "headline", "xx", limit=30, start=30, end=32)
    # A sentence that merely reads like a length limit is no reason to shorten.
    lookalike = Problem("grounding", "failed", "text", "headline is 41 characters; the limit is 30")
    assert draft(too_long).length_only
    assert not draft(too_long, lookalike).length_only and not draft().length_only
    assert draft(too_long).reason == "channel: headline is 32 characters; the limit is 30"
