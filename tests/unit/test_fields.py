"""Field-by-field writing (contentgen.fields): format by construction, limits, stops, batching."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

import pytest

from contentgen.checks.channels import CHANNELS
from contentgen.fields import (
    field_budget,
    field_stops,
    label,
    round_seed,
    wanted_spec,
    write_fields,
)
from contentgen.generators.textrows import cut_at_stop
from contentgen.types import Candidate, Prompt, PromptError, Task

SEARCH_AD = CHANNELS["search_ad"]
EMAIL = CHANNELS["email"]
SMS = CHANNELS["sms"]
# What a small model writes when asked for a field: too long, extra lines, other labels, quotes.
WILD = (
    ' "Dry feet on every trail, from the first step to the summit and back again, always"',
    " Boots\nDescription: ignored\nHeadline: again",
    "",
    " Tone: friendly. Tone: friendly. Tone: friendly. Tone: friendly. Tone: friendly. " * 30,
    " Short one.\n\nSubject: a second email\nBody: more",
    "\n",
)


class ContinuingModel:
    """A fake generator call: continues each prompt's prefill with seeded text, honouring stops.

    Like a real generator it cuts at the prompt's stop strings and at its token budget
    (4 characters a token), and records every call it gets.
    """

    def __init__(self, texts: Sequence[str] = WILD) -> None:
        self.texts = texts
        self.calls: list[list[Prompt]] = []

    def __call__(self, prompts: list[Prompt]) -> list[list[Candidate] | PromptError]:
        self.calls.append(list(prompts))
        out: list[list[Candidate] | PromptError] = []
        for prompt in prompts:
            cands = []
            for variant in range(prompt.n):
                rng = random.Random(f"{prompt.seed}:{variant}:{prompt.prefill}")
                raw = rng.choice(self.texts)[: prompt.max_new_tokens * 4]
                text, stopped = cut_at_stop(raw, prompt.stop)
                meta = {"new_tokens": len(text) // 4 + 1, "prompt_tokens": 50}
                cands.append(Candidate(text=text, meta={**meta, "finish_reason": "stop"}))
            out.append(cands)
        return out


def ask(n: int = 2, seed: int | None = 11, **kw: object) -> Prompt:
    return Prompt(task=Task.MARKETING, text="Write copy.", n=n, seed=seed, **kw)  # type: ignore[arg-type]


def test_every_answer_has_each_field_once_in_order_within_its_limit() -> None:
    model = ContinuingModel()
    prompts = [ask(n=3, seed=s, max_new_tokens=400) for s in range(8)]
    specs = [SEARCH_AD, EMAIL] * 4
    answers = write_fields(model, prompts, specs)
    assert [len(a) for a in answers if not isinstance(a, PromptError)] == [3] * 8
    for spec, answer in zip(specs, answers, strict=True):
        assert not isinstance(answer, PromptError)
        for cand in answer:
            text = cand.text or ""
            labels = [line.split(":", 1)[0] for line in text.splitlines()]
            assert labels == [f.title for f in spec.fields]  # the format holds by construction
            fields = spec.parse(text)
            assert spec.render(fields) == text  # the engine's parser reads back the same fields
            assert not [p for p in spec.problems(fields) if p.kind == "too_long"]
            assert cand.meta["fields"] == "each"


def test_an_over_long_field_is_cut_at_a_boundary_and_recorded() -> None:
    long_line = " Boots that keep your feet dry, warm and happy on every trail you walk"
    model = ContinuingModel((long_line,))
    [answer] = write_fields(model, [ask(n=1, max_new_tokens=200)], [SEARCH_AD])
    assert not isinstance(answer, PromptError)
    fields = SEARCH_AD.parse(answer[0].text or "")
    assert fields["headline"] == "Boots that keep your feet dry,"[:29].rstrip(",")
    assert len(fields["headline"]) <= 30 and not fields["headline"].endswith(" ")
    assert answer[0].meta["cut"] == ("headline",)  # the description fits its 90 characters


def test_each_field_is_its_own_continuation_of_the_answer_so_far() -> None:
    model = ContinuingModel((" Dry feet",))
    write_fields(model, [ask(n=1)], [EMAIL])
    prefills = [call[0].prefill for call in model.calls]
    assert prefills == [
        "Subject:",
        "Subject: Dry feet\nPreheader:",
        "Subject: Dry feet\nPreheader: Dry feet\nBody:",
    ]


def test_stops_end_a_line_field_at_its_line_and_a_long_body_at_another_label() -> None:
    assert field_stops(SEARCH_AD, 0) == ("\n",) and field_stops(SEARCH_AD, 1) == ("\n",)
    assert field_stops(EMAIL, 1) == ("\n",)
    assert set(field_stops(EMAIL, 2)) == {"\nSubject:", "\nPreheader:", "\nBody:"}
    assert field_stops(SMS, 0) == () and label(SMS, 0) == ""  # one field: the whole answer
    model = ContinuingModel((" Short one.\n\nSubject: a second email",))
    [answer] = write_fields(model, [ask(n=1, stop=("###",))], [EMAIL])
    assert not isinstance(answer, PromptError)
    assert EMAIL.parse(answer[0].text or "")["body"] == "Short one."
    assert all("###" in call[0].stop for call in model.calls)  # the template's stops are kept


def test_token_budgets_come_from_the_limits_within_the_prompts_budget() -> None:
    headline, body = SEARCH_AD.field("headline"), EMAIL.field("body")
    assert field_budget(headline, 64) * 3 < 64  # a 30-character field gets a short budget
    assert field_budget(headline, 64) * 3.5 >= headline.max_chars  # room for the whole field
    assert field_budget(body, 220) == 220  # never more than the prompt's own max_new_tokens
    model = ContinuingModel()
    write_fields(model, [ask(max_new_tokens=64)], [SEARCH_AD])
    assert [c[0].max_new_tokens for c in model.calls] == [
        field_budget(f, 64) for f in SEARCH_AD.fields
    ]


def test_a_model_batch_costs_one_call_per_field_round() -> None:
    model = ContinuingModel()
    prompts = [ask(n=2, seed=s) for s in range(5)]
    specs = [SEARCH_AD, EMAIL, SMS, EMAIL, SEARCH_AD]
    write_fields(model, prompts, specs)
    assert len(model.calls) == 3  # the longest channel, email, has three fields
    first = model.calls[0]
    assert [p.n for p in first] == [2] * 5  # round 0: variants share the empty answer
    assert sum(p.n for p in model.calls[1]) == 8  # round 1: the four two-field-or-more prompts
    assert sum(p.n for p in model.calls[2]) == 4  # round 2: the two emails


def test_a_seeded_prompt_gets_the_same_answers_alone_or_batched() -> None:
    prompts = [ask(n=2, seed=s) for s in (3, 4, 5)]
    specs = [EMAIL, SEARCH_AD, EMAIL]
    batched = write_fields(ContinuingModel(), prompts, specs)
    alone = [
        write_fields(ContinuingModel(), [p], [s])[0] for p, s in zip(prompts, specs, strict=True)
    ]
    assert batched == alone
    assert round_seed(3, 0, 1) == 3 and round_seed(3, 1, 0) != round_seed(3, 1, 1)


def test_an_unseeded_prompt_gets_a_seed_it_records() -> None:
    [answer] = write_fields(ContinuingModel(), [ask(n=1, seed=None)], [SEARCH_AD])
    assert not isinstance(answer, PromptError)
    assert isinstance(answer[0].meta["seed"], int)


def test_a_prompt_error_fails_that_prompt_alone() -> None:
    model = ContinuingModel((" Fine",))

    def call(prompts: list[Prompt]) -> list[list[Candidate] | PromptError]:
        answers = model(prompts)
        return [PromptError("refused") if p.seed == 2 and p.prefill else a
                for p, a in zip(prompts, answers, strict=True)]  # fmt: skip

    answers = write_fields(call, [ask(n=1, seed=1), ask(n=1, seed=2)], [EMAIL, EMAIL])
    assert answers[1] == PromptError("refused")
    assert not isinstance(answers[0], PromptError)
    assert EMAIL.parse(answers[0][0].text or "")["body"] == "Fine"


@pytest.mark.parametrize(
    ("params", "expected"),
    [({"fields": "each"}, True), ({"fields": "whole"}, False), ({}, False)],
)
def test_only_fields_each_writes_field_by_field(params: dict[str, str], expected: bool) -> None:
    assert (wanted_spec(params, EMAIL) is EMAIL) is expected
    assert wanted_spec({"fields": "each"}, None) is None  # a task without output fields


def test_a_field_out_of_tokens_keeps_the_sentences_it_finished() -> None:
    body = " Wet trails are no reason to stay home. The boot keeps you dry. Order now and"
    model = ContinuingModel((body,))
    calls: list[Prompt] = []

    def out_of_tokens(prompts: list[Prompt]) -> list[list[Candidate] | PromptError]:
        calls.extend(prompts)
        return [
            [replace(c, meta={**c.meta, "finish_reason": "length"}) for c in answer]
            if not isinstance(answer, PromptError)
            else answer
            for answer in model(prompts)
        ]

    [answer] = write_fields(out_of_tokens, [ask(n=1, max_new_tokens=200)], [EMAIL])
    assert not isinstance(answer, PromptError)
    fields = EMAIL.parse(answer[0].text or "")
    assert fields["body"] == "Wet trails are no reason to stay home. The boot keeps you dry."
    assert "body" in answer[0].meta["cut"]


def _fields_param(channel: str, route: dict[str, str], request: dict[str, str]) -> object:
    from contentgen import MarketingRequest
    from contentgen.config import Route, Settings
    from contentgen.generator import GeneratorSpec
    from contentgen.registry import GeneratorRegistry
    from contentgen.routing import plan_route
    from contentgen.templates import TemplateLibrary
    from contentgen.testing import EchoGenerator

    settings = Settings(
        routes={Task.MARKETING: Route("testing:echo", params=route)}, use_entry_points=False
    )
    registry = GeneratorRegistry({"testing:echo": GeneratorSpec.from_class(EchoGenerator, "t")})
    asked = MarketingRequest(product={"name": "Mug"}, channel=channel, params=request)
    plan = plan_route(asked, settings, registry, TemplateLibrary.with_builtins())
    return plan.params.get("fields")


def test_the_channel_templates_default_gives_way_to_the_route_and_the_request() -> None:
    assert _fields_param("search_ad", {}, {}) == "each"  # the template's default
    assert _fields_param("email", {}, {}) == "each"  # labels kept: accepted 3/16 -> 13/16
    assert _fields_param("push", {}, {}) is None  # opt-in: no measured gain at first try yet
    assert _fields_param("sms", {}, {}) is None  # a one-field channel is written whole
    assert _fields_param("email", {"fields": "whole"}, {}) == "whole"  # contentgen.toml
    assert _fields_param("sms", {"fields": "each"}, {}) == "each"
    assert _fields_param("email", {"fields": "whole"}, {"fields": "each"}) == "each"


def test_an_unknown_fields_value_is_refused_naming_the_choices() -> None:
    from contentgen.errors import ValidationError

    with pytest.raises(ValidationError, match='"whole" .* or "each"'):
        _fields_param("email", {}, {"fields": "every"})
