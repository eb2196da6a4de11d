"""builtin:openai without a server: its options, the request bodies it sends, how it reads answers."""

from __future__ import annotations

import email.utils
from typing import Any

import pytest

from contentgen.errors import GeneratorError, ValidationError
from contentgen.generators.carryover import CarryOver
from contentgen.generators.openai_gen import OpenAIGenerator
from contentgen.generators.openai_wire import (
    RetryableAnswer,
    ServerRefused,
    check_status,
    decode_json,
    normalise_base_url,
    parse_answer,
    request_body,
    retry_after_s,
)
from contentgen.types import Prompt, Task

JSON = {"content-type": "application/json"}


def _prompt(**fields: Any) -> Prompt:
    return Prompt(task=Task.MARKETING, text="Write an ad for a blue mug.", **fields)


def _chat_answer(*contents: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "model": "served-model",
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": c}, "finish_reason": "stop"}
            for i, c in enumerate(contents)
        ],
        **extra,
    }


# -- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        (
            "endpoint",
            "responses",
            r"endpoint: endpoint 'responses' is an unknown.*'chat', 'completions'",
        ),
        ("native_n", "true", r"native_n: must be \"auto\", true or false, got 'true'"),
        ("native_n", 1, r"native_n: must be \"auto\", true or false, got 1"),
        ("concurrency", 0, r"concurrency: must be a whole number from 1 to 1024, got 0"),
        ("concurrency", "16", r"concurrency: must be a whole number from 1 to 1024, got '16'"),
        ("timeout_s", -1.0, r"timeout_s: must be a number > 0, <= 3600, got -1.0"),
        ("max_retries", True, r"max_retries: must be a whole number from 0 to 20, got True"),
        ("base_url", "localhost:8000", r"base_url: must be an http:// or https:// URL with a host"),
        ("base_url", "http://u:pw@host/v1", r"base_url: must not contain credentials.*api_key_env"),
        ("base_url", "http://host/v1?key=1", r"base_url: must not have a \?query"),
        ("model", "", r"model: must not be empty"),
    ],
)
def test_a_bad_option_is_refused_on_construction_naming_it(
    option: str, value: object, expected: str
) -> None:
    with pytest.raises(ValidationError, match=rf"generators\.builtin:openai\.{expected}"):
        OpenAIGenerator(**{option: value})


def test_an_api_key_pasted_into_api_key_env_is_refused_without_repeating_it() -> None:
    with pytest.raises(ValidationError) as caught:
        OpenAIGenerator(api_key_env="sk-live-0123456789abcdef")
    assert "NAME of an environment variable" in str(caught.value)
    assert "0123456789abcdef" not in str(caught.value)


def test_an_unknown_option_names_the_valid_ones() -> None:
    with pytest.raises(ValidationError, match="not an option.*'base_url'.*'native_n'"):
        OpenAIGenerator(url="http://127.0.0.1:8000/v1")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/v1"),
        ("https://gpu-box.internal/v1/", "https://gpu-box.internal/v1"),
        ("http://localhost:11434/v1", "http://localhost:11434/v1"),
    ],
)
def test_the_base_url_is_normalised(given: str, used: str) -> None:
    assert normalise_base_url(given) == used
    assert OpenAIGenerator(base_url=given).settings.base_url == used


def test_the_model_id_in_provenance_before_loading_is_the_configured_one() -> None:
    info = OpenAIGenerator(model="meta-llama/Llama-3.2-1B-Instruct").model_info()
    assert info.model_id == "meta-llama/Llama-3.2-1B-Instruct"
    assert info.extra["base_url"] == "http://127.0.0.1:8000/v1"


def test_two_overlapping_batches_are_enough_to_keep_every_connection_busy() -> None:
    assert OpenAIGenerator.concurrent_calls  # the engine overlaps its calls
    assert OpenAIGenerator(concurrency=256, batch_size=64).max_batch_size() == 128
    assert OpenAIGenerator(concurrency=4, batch_size=64).max_batch_size() == 64
    assert OpenAIGenerator(concurrency=64).max_batch_size() == 32


# -- request bodies ---------------------------------------------------------------------------


def test_a_chat_body_has_system_then_examples_as_turns_then_the_user_text() -> None:
    prompt = _prompt(system="You write ads.", examples=(("Ad for tea", "Headline: Tea time"),))
    body = request_body("chat", "m", prompt, n=1, seed=7)
    assert body["messages"] == [
        {"role": "system", "content": "You write ads."},
        {"role": "user", "content": "Ad for tea"},
        {"role": "assistant", "content": "Headline: Tea time"},
        {"role": "user", "content": "Write an ad for a blue mug."},
    ]
    assert "n" not in body and body["seed"] == 7 and body["model"] == "m"


def test_a_completions_body_joins_system_examples_and_text_as_plain_text() -> None:
    prompt = _prompt(system="You write ads.", examples=(("Ad for tea", "Tea time"),))
    body = request_body("completions", "m", prompt, n=3, seed=1)
    assert body["prompt"] == "You write ads.\n\nAd for tea\nTea time\n\nWrite an ad for a blue mug."
    assert body["n"] == 3 and "messages" not in body


def test_sampling_settings_travel_per_request_and_only_openai_fields_are_sent() -> None:
    prompt = _prompt(temperature=0.6, top_p=0.9, top_k=40, max_new_tokens=33, stop=("a", "b"))
    body = request_body("chat", "m", prompt, n=2, seed=5)
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.6, 0.9, 33)
    assert body["stop"] == ["a", "b"] and body["n"] == 2
    assert set(body) <= {
        "model",
        "messages",
        "max_tokens",
        "temperature",
        "top_p",
        "seed",
        "stop",
        "n",
    }


def test_at_most_four_stop_strings_go_to_the_server() -> None:
    body = request_body("chat", "m", _prompt(stop=tuple("abcdef")), n=1, seed=0)
    assert body["stop"] == ["a", "b", "c", "d"]


def test_a_greedy_prompt_sends_temperature_zero_and_no_top_p() -> None:
    body = request_body("chat", "m", _prompt(temperature=0.0), n=1, seed=0)
    assert body["temperature"] == 0.0 and "top_p" not in body


# -- answers ----------------------------------------------------------------------------------


def test_a_good_answer_gives_its_choices_in_index_order_and_the_servers_fingerprint() -> None:
    data = _chat_answer("first", "second", system_fingerprint="fp_1", usage={"prompt_tokens": 9})
    data["choices"].reverse()
    answer = parse_answer("chat", data)
    assert [c.text for c in answer.choices] == ["first", "second"]
    assert (answer.model, answer.system_fingerprint, answer.prompt_tokens) == (
        "served-model",
        "fp_1",
        9,
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_chat_answer(), "0 choices"),
        (_chat_answer(None), "no text"),
        ({"object": "error", "message": "overloaded"}, "no list of choices"),
        ([1, 2], "no list of choices"),
        ({"choices": [{"index": 0, "text": None}]}, "no text"),
    ],
)
def test_an_answer_without_usable_text_is_worth_another_attempt(data: Any, problem: str) -> None:
    with pytest.raises(RetryableAnswer, match=problem):
        parse_answer("chat", data)


def test_a_completions_answer_reads_choice_text() -> None:
    answer = parse_answer("completions", {"choices": [{"index": 0, "text": " hi"}]})
    assert answer.choices[0].text == " hi" and answer.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_busy_and_broken_servers_are_retried(status: int) -> None:
    with pytest.raises(RetryableAnswer, match=f"HTTP {status}"):
        check_status(status, JSON, b'{"error": {"message": "busy"}}', lambda: 0.0)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_refused_request_is_final_and_quotes_the_server(status: int) -> None:
    with pytest.raises(ServerRefused, match=f"HTTP {status}: pinned to another model") as caught:
        check_status(status, JSON, b'{"detail": "pinned to another model"}', lambda: 0.0)
    assert caught.value.status == status and not caught.value.transient


def test_retry_after_is_read_as_milliseconds_seconds_or_a_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 7, usegmt=True)
    assert retry_after_s({"retry-after-ms": "250"}, lambda: now) == 0.25
    assert retry_after_s({"retry-after": "3"}, lambda: now) == 3.0
    assert retry_after_s({"retry-after": date}, lambda: now) == pytest.approx(7.0)
    assert retry_after_s({"retry-after": "soon"}, lambda: now) is None
    assert retry_after_s({}, lambda: now) is None


def test_a_429_carries_the_servers_retry_after() -> None:
    with pytest.raises(RetryableAnswer) as caught:
        check_status(429, {"retry-after": "2"}, b"{}", lambda: 0.0)
    assert caught.value.retry_after == 2.0


@pytest.mark.parametrize(
    ("headers", "body", "problem"),
    [
        ({"content-type": "text/html"}, b"<html>login</html>", "answered text/html, not JSON"),
        ({}, b"{}", "answered no content type"),
        (JSON, b'{"choices": [', "not valid JSON"),
        (JSON, b"", "not valid JSON"),
    ],
)
def test_a_body_that_is_not_the_json_promised_is_worth_another_attempt(
    headers: dict[str, str], body: bytes, problem: str
) -> None:
    with pytest.raises(RetryableAnswer, match=problem):
        decode_json(headers, body)


def test_json_with_a_charset_is_accepted() -> None:
    value = decode_json({"content-type": "application/json; charset=utf-8"}, b'{"a": 1}')
    assert value == {"a": 1}


def test_retryable_answers_are_transient_generator_errors() -> None:
    error = RetryableAnswer("HTTP 503: busy")
    assert isinstance(error, GeneratorError) and error.transient


# -- outcomes kept for the row-by-row retry ------------------------------------------------------


def test_a_kept_outcome_is_handed_out_once() -> None:
    kept: CarryOver[str] = CarryOver()
    kept.keep("prompt-a", "answer")
    assert kept.take("prompt-a") == "answer"
    assert kept.take("prompt-a") is None


def test_kept_outcomes_expire_and_the_oldest_go_first_when_full() -> None:
    now = [0.0]
    kept: CarryOver[int] = CarryOver(limit=2, ttl_s=10.0, clock=lambda: now[0])
    for key, value in (("a", 1), ("b", 2), ("c", 3)):
        kept.keep(key, value)
    assert len(kept) == 2 and kept.take("a") is None
    now[0] = 11.0
    assert kept.take("b") is None and kept.take("c") is None
