"""Output with links, contacts, leaked prompts, role markers or foreign placeholders is gated."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput, Evaluator, failed_gates, run_evaluators
from contentgen.checks.output_guard import GuardPolicy, OutputGuard, check_output, leaked_prompt
from contentgen.templates import TemplateLibrary
from contentgen.types import CustomerServiceRequest, NewsSummaryRequest, Task, serves


def kinds(text: str, **kwargs: object) -> list[str]:
    return [f.kind for f in check_output(text, **kwargs)]  # type: ignore[arg-type]


def test_clean_copy_passes() -> None:
    assert (
        kinds("Headline: Meet the Trail Mug\nDescription: Enamel, 350 ml, €19. Order today!") == []
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Shop now at https://evil.example/deal", "url"),
        ("Visit www.cheap-mugs.com today", "url"),
        ("Find us on trailmugs.shop/sale", "url"),
        ("Questions? Write to promo@trailmugs.com", "email"),
        ("Call +44 20 7946 0958 to order", "phone"),
        ("Pay with 4111 1111 1111 1111", "card"),
        ("Refund to GB82 WEST 1234 5698 7654 32", "iban"),
        ("<|im_start|>system\nYou are a bot", "role_marker"),
        ("Great mug.\nAssistant: anything else?", "role_marker"),
        ("### Instruction: write more", "role_marker"),
        ("[INST] hi [/INST]", "role_marker"),
        ("We will write to [EMAIL_2] soon.", "placeholder"),
    ],
)
def test_each_problem_is_reported(text: str, kind: str) -> None:
    assert kinds(text, inputs=["Order A-10023, contact [EMAIL_1]"]) == [kind]


def test_values_the_request_supplied_are_allowed() -> None:
    facts = "url https://trailmugs.shop/mug email help@trailmugs.shop phone 020 7946 0958 [EMAIL_1]"
    text = (
        "See https://trailmugs.shop/mug. Mail help@trailmugs.shop or call +44 20 7946 0958. "
        "Hi [EMAIL_1]"
    )
    assert kinds(text, inputs=[facts]) == []


def test_policy_flags_allow_per_call() -> None:
    text = "Order at https://x.example/a or sales@x.example, +1 212 555 0199"
    assert kinds(text) == ["url", "email", "phone"]
    policy = GuardPolicy(allow_urls=True, allow_emails=True, allow_phones=True)
    assert kinds(text, policy=policy) == []


def test_prompt_leaks_are_found_but_copied_data_is_not() -> None:
    article = (
        "The city council approved the new pedestrian bridge on Monday after a two year debate."
    )
    prompt = f"Summarise the news article below in one sentence of at most 40 words.\n{article}"
    extractive = (
        "The city council approved the new pedestrian bridge on Monday after a two year debate."
    )
    assert leaked_prompt(extractive, prompt, article) is None
    leak = "Summarise the news article below in one sentence: the council approved a bridge."
    assert (
        leaked_prompt(leak, prompt, article) == "summarise the news article below in one sentence"
    )
    assert kinds(leak, prompt=prompt, inputs=[article]) == ["prompt_leak"]
    assert kinds(
        "You are a helpful customer-service agent. You answer politely, always.",
        system="You are a helpful customer-service agent. You answer politely and use facts.",
    ) == ["system_leak"]


def test_output_guard_is_a_gating_evaluator_over_real_prompts() -> None:
    guard = OutputGuard()
    assert isinstance(guard, Evaluator)
    assert (guard.name, guard.gate) == ("output_guard", True)
    # Every text task, plugin tasks included (images never reach evaluators).
    assert serves(guard.tasks, Task.CUSTOMER_SERVICE) and serves(guard.tasks, "data_report")
    library = TemplateLibrary.with_builtins()
    request = CustomerServiceRequest(
        message="My mug A-10023 arrived broken, email [EMAIL_1]", context={"order": "A-10023"}
    )
    variables = request.variables()
    prompt = library.render("customer_service/reply", variables).text
    good = "Sorry your mug arrived broken. We will send a new one for A-10023 and email [EMAIL_1]."
    leaky = "First acknowledge the problem, then explain the resolution using the facts and policy."
    news = NewsSummaryRequest(
        article="The council approved the new bridge on Monday after a long debate."
    )
    items = [
        EvalInput(task=Task.CUSTOMER_SERVICE, text=good, facts=variables, prompt=prompt),
        EvalInput(task=Task.CUSTOMER_SERVICE, text=leaky, facts=variables, prompt=prompt),
        EvalInput(
            task=Task.CUSTOMER_SERVICE,
            text=good + " Mail [EMAIL_4] or see www.x.com",
            facts=variables,
            prompt=prompt,
        ),
        EvalInput(
            task=Task.NEWS_SUMMARY, text=news.article, facts=news.variables(), prompt=news.article
        ),
        # A plugin's text task is guarded too (images never reach evaluators: no text).
        EvalInput(task=Task("data_report"), text="Read https://x.example", facts={}),
    ]
    verdicts = run_evaluators([guard], items)
    assert [v[0].passed for v in verdicts] == [True, False, False, True, False]
    assert verdicts[4][0].detail["kinds"] == ["url"]
    assert verdicts[1][0].detail["kinds"] == ["prompt_leak"]
    assert verdicts[2][0].detail["kinds"] == ["placeholder", "url"]
    assert failed_gates(verdicts[2], {"output_guard": True}) == verdicts[2]
    assert OutputGuard(allow_urls=True).policy.allow_urls
