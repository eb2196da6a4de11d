"""The OpenAI-compatible wire format: request bodies, answer checks and Retry-After (no I/O here).

Every way a server's answer can be unusable is sorted into one of two kinds: worth another try
(`RetryableAnswer`: 408/409/429/5xx, a dropped connection, a timeout, a body that is not the JSON
promised, no choices, a choice without text) or final (`ServerRefused`: the request itself was
refused, e.g. 400/401/404/422). Servers seen in the wild do all of these; vLLM, llama.cpp,
Ollama and `transformers serve` differ in which `n`, `seed` and `stop` they honour, so the
generator never trusts `n` and cuts stop strings itself.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from contentgen.errors import GeneratorError, TransientGeneratorError
from contentgen.types import Prompt

Endpoint = Literal["chat", "completions"]
PATHS: Mapping[str, str] = {"chat": "/chat/completions", "completions": "/completions"}
# Statuses a later attempt may get past: timeouts, conflicts, rate limits and server trouble.
RETRY_STATUSES = frozenset({408, 409, 429})
# The OpenAI API takes at most 4 stop strings; the rest are cut on this side (cut_at_stop).
MAX_SERVER_STOPS = 4
_SNIPPET = 200


class ServerRefused(GeneratorError):
    """The server refused the request itself (4xx other than 408/409/429): retrying cannot help."""

    def __init__(self, status: int, problem: str) -> None:
        super().__init__(problem)
        self.status = status
        self.problem = problem


class RetryableAnswer(TransientGeneratorError):
    """An answer (or no answer) that another attempt may get past; `retry_after` in seconds."""

    def __init__(self, problem: str, *, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


@dataclass(frozen=True)
class Choice:
    """One generated text of an answer, with why the server stopped."""

    text: str
    finish_reason: str


@dataclass(frozen=True)
class Answer:
    """A checked completion answer: its choices plus what the server says about itself."""

    choices: tuple[Choice, ...]
    model: str | None
    system_fingerprint: str | None
    prompt_tokens: int | None
    completion_tokens: int | None


def chat_messages(prompt: Prompt) -> list[dict[str, str]]:
    """System, few-shot examples as earlier turns, then the user text (as textrows encodes them)."""
    messages = [{"role": "system", "content": prompt.system}] if prompt.system else []
    for asked, answered in prompt.examples:
        messages.append({"role": "user", "content": asked})
        messages.append({"role": "assistant", "content": answered})
    messages.append({"role": "user", "content": prompt.text})
    return messages


def completion_text(prompt: Prompt) -> str:
    """The plain-text prompt of a model without a chat template (as textrows encodes it)."""
    parts = [prompt.system] if prompt.system else []
    parts += [f"{asked}\n{answered}" for asked, answered in prompt.examples]
    parts.append(prompt.text)
    return "\n\n".join(parts)


def request_body(
    endpoint: Endpoint, model: str, prompt: Prompt, *, n: int, seed: int
) -> dict[str, Any]:
    """The JSON body asking for `n` choices of `prompt` with its own sampling settings and seed.

    Only fields of the OpenAI schema are sent: some servers (transformers serve) refuse others.
    """
    body: dict[str, Any] = {"model": model}
    if endpoint == "chat":
        body["messages"] = chat_messages(prompt)
    else:
        body["prompt"] = completion_text(prompt)
    body["max_tokens"] = prompt.max_new_tokens
    body["temperature"] = max(0.0, float(prompt.temperature))
    if not prompt.greedy:
        body["top_p"] = float(prompt.top_p)
    body["seed"] = seed
    stops = [s for s in prompt.stop if s][:MAX_SERVER_STOPS]
    if stops:
        body["stop"] = stops
    if n > 1:
        body["n"] = n
    return body


def retry_after_s(headers: Mapping[str, str], now: Callable[[], float]) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms`, or `Retry-After` seconds or date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def server_message(body: bytes) -> str:
    """The server's own words for an error, short: `error.message`, `detail` or the raw text."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"][:_SNIPPET]
        for key in ("detail", "error", "message"):
            if isinstance(data.get(key), str):
                return str(data[key])[:_SNIPPET]
    text = body.decode("utf-8", "replace").strip()
    return text[:_SNIPPET] or "(empty body)"


def check_status(
    status: int, headers: Mapping[str, str], body: bytes, now: Callable[[], float]
) -> None:
    """Raise RetryableAnswer or ServerRefused unless `status` is a success."""
    if 200 <= status < 300:
        return
    message = f"HTTP {status}: {server_message(body)}"
    if status in RETRY_STATUSES or status >= 500:
        raise RetryableAnswer(message, retry_after=retry_after_s(headers, now))
    raise ServerRefused(status, message)


def decode_json(headers: Mapping[str, str], body: bytes) -> Any:
    """The JSON value of a success answer; anything else is worth another attempt."""
    content_type = headers.get("content-type", "")
    if "json" not in content_type.lower():
        shown = content_type.split(";")[0].strip() or "no content type"
        raise RetryableAnswer(f"the server answered {shown}, not JSON ({len(body)} bytes)")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise RetryableAnswer(f"the answer is not valid JSON ({len(body)} bytes: {exc})") from None


def parse_answer(endpoint: Endpoint, data: Any) -> Answer:
    """Check a decoded completion answer: at least one choice, each with text."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise RetryableAnswer("the answer has no list of choices")
    raw = data["choices"]
    if not raw:
        raise RetryableAnswer("the answer has 0 choices")
    ordered = sorted(
        raw,
        key=lambda c: c.get("index", 0) if isinstance(c, dict) and _is_int(c.get("index")) else 0,
    )
    choices = []
    for position, item in enumerate(ordered):
        text = _choice_text(endpoint, item)
        if text is None:
            raise RetryableAnswer(f"choice {position} has no text (null content)")
        reason = item.get("finish_reason") if isinstance(item, dict) else None
        choices.append(Choice(text, reason if isinstance(reason, str) and reason else "stop"))
    usage: dict[str, Any] = data["usage"] if isinstance(data.get("usage"), dict) else {}
    fingerprint = data.get("system_fingerprint")
    model = data.get("model")
    return Answer(
        choices=tuple(choices),
        model=model if isinstance(model, str) and model else None,
        system_fingerprint=fingerprint if isinstance(fingerprint, str) and fingerprint else None,
        prompt_tokens=_count(usage.get("prompt_tokens")),
        completion_tokens=_count(usage.get("completion_tokens")),
    )


def _choice_text(endpoint: Endpoint, item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if endpoint == "completions":
        text = item.get("text")
    else:
        message = item.get("message")
        text = message.get("content") if isinstance(message, dict) else None
    return text if isinstance(text, str) else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def model_ids(data: Any) -> list[str]:
    """The model ids of a `/models` answer, in the server's order."""
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise RetryableAnswer("the /models answer has no list of models")
    return [str(m["id"]) for m in items if isinstance(m, dict) and isinstance(m.get("id"), str)]


def normalise_base_url(value: str) -> str:
    """`value` without a trailing slash, `/v1` added to a bare host; a ValueError names the fault.

    Credentials, queries and fragments are refused: the key belongs in an environment variable
    (api_key_env), and the URL is stored in provenance and shown by `contentgen generators`.
    """
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "must not contain credentials; put the key in an environment variable and name "
            "that variable in api_key_env"
        )
    if parts.query or parts.fragment:
        raise ValueError("must not have a ?query or #fragment")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError("has an invalid port") from None
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
