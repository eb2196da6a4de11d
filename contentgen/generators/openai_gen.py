"""`builtin:openai`: text from any OpenAI-compatible server (vLLM, llama.cpp, Ollama, transformers serve).

A model batch from the engine becomes concurrent HTTP requests (at most `concurrency` in flight)
on one event loop kept in a background thread. Each request is retried with exponential backoff
and jitter (tenacity), honouring Retry-After. Variants use the server's `n` only where it is seen
to work: a server that answers fewer choices than asked is filled up with single requests, and in
"auto" mode (also when it refuses `n` outright) it is asked for single choices from then on.
A prompt whose request still fails after its retries fails the call with a GeneratorError naming
it. Every prompt's outcome, answer or error, is kept (contentgen.generators.carryover) and handed
out when the engine asks for that prompt again: the batch runner retries a failed batch row by
row, so each row ends with its own outcome, and no request is sent or waited for twice.

The API key is read from the environment variable named by `api_key_env` when loading; it is
never stored in the options, the database, provenance or the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from typing import Any, ClassVar

from contentgen.errors import GeneratorError
from contentgen.generator import Generator
from contentgen.generators.carryover import CarryOver
from contentgen.generators.openai_client import LoopThread, RetryPolicy, Sender, ServerStatus
from contentgen.generators.openai_options import OpenAIOptions
from contentgen.generators.openai_wire import (
    PATHS,
    Answer,
    ServerRefused,
    model_ids,
    parse_answer,
    request_body,
)
from contentgen.generators.textrows import Row, check_prompt, cut_at_stop
from contentgen.types import TEXT_TASKS, Candidate, ModelInfo, Prompt, Task

log = logging.getLogger(__name__)
_SERVER_SEED = 2**31  # llama.cpp and Ollama take 32-bit seeds; every server takes these


class OpenAIGenerator(Generator):
    """Text from an OpenAI-compatible server: concurrent requests, retries, native or parallel n."""

    id: ClassVar[str] = "builtin:openai"
    version: ClassVar[str] = "0.1"
    modality = "text"
    tasks: ClassVar[frozenset[Task]] = TEXT_TASKS
    description: ClassVar[str] = (
        "A model behind an OpenAI-compatible server (vLLM, llama.cpp, Ollama, transformers serve)."
    )
    Options = OpenAIOptions
    settings: OpenAIOptions
    concurrent_calls: ClassVar[bool] = True  # requests wait on the server, on one event loop

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Replaceable before load(): tests wait on a recorder instead of the clock.
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.clock: Callable[[], float] = time.time
        self._loop: LoopThread | None = None
        self._sender: Sender | None = None
        self._model: str | None = self.settings.model
        self._reported_model: str | None = None
        self._fingerprint: str | None = None
        self._honours_n: bool | None = (
            None if self.settings.native_n == "auto" else bool(self.settings.native_n)
        )
        self._carried: CarryOver[list[Candidate] | GeneratorError] = CarryOver()

    # -- loading ----------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        """Request headers; the API key comes from the environment, read here and kept nowhere."""
        name = self.settings.api_key_env
        if name is None:
            return {}
        key = os.environ.get(name, "").strip()
        if not key:
            raise GeneratorError(
                f"environment variable {name} is not set (named by "
                f"generators.{self.id}.api_key_env); export the server's API key in it"
            )
        return {"Authorization": f"Bearer {key}"}

    def _load(self) -> None:
        headers = self._headers()
        loop = LoopThread(f"contentgen-{self.id}")
        policy = RetryPolicy(
            self.settings.max_retries, self.settings.backoff_s, self.settings.max_wait_s
        )

        async def build() -> Sender:
            return Sender(
                self.settings.base_url,
                headers,
                concurrency=self.settings.concurrency,
                timeout_s=self.settings.timeout_s,
                policy=policy,
                sleep=self.sleep,
                now=self.clock,
            )

        sender: Sender | None = None
        try:
            sender = loop.run(build())
            self._model = self._choose_model(loop, sender)
        except BaseException:
            if sender is not None:
                with contextlib.suppress(Exception):
                    loop.run(sender.aclose())
            loop.close()
            raise
        self._loop, self._sender = loop, sender

    def _choose_model(self, loop: LoopThread, sender: Sender) -> str:
        """The configured model, else the first the server lists; an unreachable server fails."""
        where = f"{self.id}: the server at {self.settings.base_url}"
        try:
            listed = loop.run(sender.call("GET", "/models", None, model_ids))
        except ServerRefused as exc:
            if self._model is None or exc.status != 404:
                raise GeneratorError(f"{where} refused to list its models: {exc}") from None
            return self._model  # a server without /models still serves the configured model
        except GeneratorError as exc:
            raise GeneratorError(f"{where} did not answer: {exc}") from None
        if self._model is None:
            if not listed:
                raise GeneratorError(f"{where} lists no models; set generators.{self.id}.model")
            return listed[0]
        if listed and self._model not in listed:
            log.warning(
                "%s: model %r is not among those the server lists: %s",
                where,
                self._model,
                ", ".join(listed[:10]),
            )
        return self._model

    def server_status(self, timeout_s: float = 2.0) -> ServerStatus:
        """Is the configured server reachable, and which models does it list (never raises)?"""
        from contentgen.generators.openai_client import probe

        try:
            headers = self._headers()
        except GeneratorError as exc:
            return ServerStatus(self.settings.base_url, False, problem=str(exc))
        return probe(self.settings.base_url, headers, timeout_s)

    def model_info(self) -> ModelInfo:
        """The server-reported model id, its system fingerprint and where the server is."""
        model = self._reported_model or self._model or "(the server's first model)"
        extra: dict[str, Any] = {
            "base_url": self.settings.base_url,
            "endpoint": self.settings.endpoint,
        }
        if self._fingerprint is not None:
            extra["system_fingerprint"] = self._fingerprint
        if self._honours_n is not None:
            extra["server_honours_n"] = self._honours_n
        if self._model is not None and self._model != model:
            extra["requested_model"] = self._model
        return ModelInfo(
            model_id=model,
            revision=self._fingerprint,
            backend=f"openai-compatible {self.settings.endpoint}",
            extra=extra,
        )

    @property
    def server_honours_n(self) -> bool | None:
        """Whether the server answers `n` choices when asked (None: not seen yet in "auto")."""
        return self._honours_n

    def max_batch_size(self) -> int:
        """Prompts per `generate()` call: with the engine's calls overlapping, two calls keep
        `concurrency` requests in flight, and small batches are checked and stored early."""
        return max(self.settings.batch_size, -(-self.settings.concurrency // 2))

    def close(self) -> None:
        """Close the connections and stop the event loop thread."""
        loop, sender = self._loop, self._sender
        self._loop, self._sender = None, None
        if loop is not None:
            if sender is not None:
                with contextlib.suppress(RuntimeError):  # the loop already stopped
                    loop.run(sender.aclose())
            loop.close()
        self._loaded = False

    # -- generation -------------------------------------------------------------------------------

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """`prompt.n` texts per prompt, every request of the call in flight together."""
        if not prompts:
            return []
        for prompt in prompts:
            check_prompt(prompt)
        self.load()
        assert self._loop is not None
        outcomes = self._loop.run(self._generate_all(prompts))
        failed = [o for o in outcomes if isinstance(o, GeneratorError)]
        if not failed:
            return [o for o in outcomes if not isinstance(o, GeneratorError)]
        if len(prompts) == 1:
            raise GeneratorError(f"{self.id}: {failed[0]}")
        for prompt, outcome in zip(prompts, outcomes, strict=True):
            self._carry(prompt, outcome)
        raise GeneratorError(
            f"{self.id}: {len(failed)} of {len(prompts)} prompts failed, e.g. {failed[0]}"
        )

    async def _generate_all(
        self, prompts: Sequence[Prompt]
    ) -> list[list[Candidate] | GeneratorError]:
        async def one(prompt: Prompt) -> list[Candidate] | GeneratorError:
            try:
                return await self._prompt(prompt)
            except GeneratorError as exc:
                return exc

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(p)) for p in prompts]
        except BaseExceptionGroup as grouped:  # a bug, not a server fault: raise it plainly
            raise _first(grouped) from None
        return [t.result() for t in tasks]

    async def _prompt(self, prompt: Prompt) -> list[Candidate]:
        """The prompt's candidates: native `n` where the server honours it, else one per request."""
        carried = self._take_carried(prompt)
        if isinstance(carried, GeneratorError):
            raise carried
        if carried is not None:
            return carried
        seed = prompt.seed if prompt.seed is not None else secrets.randbits(32)
        seeds = [Row(0, v, prompt, (), seed).row_seed % _SERVER_SEED for v in range(prompt.n)]
        if prompt.greedy:  # every variant of a greedy prompt is the same text: ask once
            answer = await self._ask(prompt, 1, seeds[0])
            return [self._candidate(prompt, answer, 0, seeds[0])] * prompt.n
        found: list[Candidate] = []
        while len(found) < prompt.n:
            start, wanted = len(found), prompt.n - len(found)
            if wanted > 1 and self._honours_n is not False:
                try:
                    answer = await self._ask(prompt, wanted, seeds[start])
                except ServerRefused:
                    if self.settings.native_n != "auto":
                        raise
                    # A refused single request means the prompt itself was refused: raised here.
                    single = await self._ask(prompt, 1, seeds[start])
                    # Otherwise the server refuses n > 1, as llama.cpp's does ("Only one
                    # completion choice is allowed"): single requests from now on.
                    self._honours_n = False
                    found.append(self._candidate(prompt, single, 0, seeds[start]))
                    continue
                if self.settings.native_n == "auto":
                    self._honours_n = len(answer.choices) >= wanted
                got = answer.choices[:wanted]
                found += [self._candidate(prompt, answer, i, seeds[start]) for i in range(len(got))]
                continue
            answers = await _all(self._ask(prompt, 1, seeds[v]) for v in range(start, prompt.n))
            found += [
                self._candidate(prompt, a, 0, seeds[v])
                for v, a in zip(range(start, prompt.n), answers, strict=True)
            ]
        return found

    async def _ask(self, prompt: Prompt, n: int, seed: int) -> Answer:
        assert self._sender is not None and self._model is not None
        body = request_body(self.settings.endpoint, self._model, prompt, n=n, seed=seed)
        endpoint = self.settings.endpoint
        answer = await self._sender.call(
            "POST", PATHS[endpoint], body, lambda data: parse_answer(endpoint, data)
        )
        if answer.model is not None:
            self._reported_model = answer.model
        if answer.system_fingerprint is not None:
            self._fingerprint = answer.system_fingerprint
        return answer

    def _candidate(self, prompt: Prompt, answer: Answer, index: int, seed: int) -> Candidate:
        choice = answer.choices[index]
        text, cut = cut_at_stop(choice.text, prompt.stop)
        meta: dict[str, Any] = {
            "finish_reason": "stop" if cut else choice.finish_reason,
            "seed": prompt.seed,
            "request_seed": seed,
            "choice": index,
        }
        if answer.prompt_tokens is not None:
            meta["prompt_tokens"] = answer.prompt_tokens
        if answer.completion_tokens is not None and len(answer.choices) == 1:
            meta["new_tokens"] = answer.completion_tokens
        if answer.model is not None:
            meta["model"] = answer.model
        if answer.system_fingerprint is not None:
            meta["system_fingerprint"] = answer.system_fingerprint
        return Candidate(text=text.strip(), meta=meta)

    # -- answers kept across a failed call --------------------------------------------------------

    def _carry_key(self, prompt: Prompt) -> str:
        """What makes two asks the same: the request sent and the seed (unseeded: never equal)."""
        if prompt.seed is None:
            return ""
        fields = {
            "endpoint": self.settings.endpoint,
            "model": self._model,
            "body": request_body(self.settings.endpoint, self._model or "", prompt, n=1, seed=0),
            "n": prompt.n,
            "seed": prompt.seed,
            "stop": list(prompt.stop),
        }
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()

    def _take_carried(self, prompt: Prompt) -> list[Candidate] | GeneratorError | None:
        if not len(self._carried):  # the usual case: no hashing on the hot path
            return None
        key = self._carry_key(prompt)
        return self._carried.take(key) if key else None

    def _carry(self, prompt: Prompt, outcome: list[Candidate] | GeneratorError) -> None:
        key = self._carry_key(prompt)
        if key:
            self._carried.keep(key, outcome)


async def _all(coros: Iterable[Coroutine[Any, Any, Answer]]) -> list[Answer]:
    """Await every ask together; the first failure cancels the rest and is raised as itself."""
    tasks: list[asyncio.Task[Answer]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coros]
    except BaseExceptionGroup as grouped:
        raise _first(grouped) from None
    return [t.result() for t in tasks]


def _first(grouped: BaseExceptionGroup[BaseException]) -> BaseException:
    """A task group's first failure, preferring a GeneratorError (the others were cancelled)."""
    errors = list(grouped.exceptions)
    for error in errors:
        if isinstance(error, BaseExceptionGroup):
            return _first(error)
        if isinstance(error, GeneratorError):
            return error
    return errors[0]


__all__ = ["OpenAIGenerator", "OpenAIOptions"]
