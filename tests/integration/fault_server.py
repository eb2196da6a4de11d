"""A tiny OpenAI-compatible server (Starlette + uvicorn) that misbehaves on a deterministic schedule.

Each distinct request body counts its own attempts: with `first_attempts = m` the first m
attempts of every request get the configured fault and later ones a good answer, so a client
that retries cleanly ends with every row done. A body containing the `poison` marker gets the
fault on every attempt, so its row must end failed with a clean per-row error. With `kind=None`
the server answers at once with a fixed completion: the benchmark's no-fault fast mode.

    python -m tests.integration.fault_server --port 0 [--delay-s 0.1]   # no faults; prints its URL
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import hashlib
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from contentgen.engine import Engine

# Every fault kind and what the server does when it injects it.
FAULTS: dict[str, str] = {
    "rate_limit": "429 with Retry-After in seconds",
    "server_error": "500 with a JSON error",
    "bad_gateway": "502 with an HTML page",
    "unavailable": "503 with Retry-After as an HTTP date",
    "slow": "answers only after the client's timeout",
    "truncated_json": "200, JSON cut off halfway (complete Content-Length)",
    "invalid_json": "200, application/json that is not JSON",
    "wrong_content_type": "200, an HTML login page instead of JSON",
    "few_choices": "one choice whatever n asks for",
    "empty_choices": "200 with an empty choices list",
    "null_content": "200 with choices whose content is null",
    "disconnect": "closes the connection halfway through the body",
    "missing_choices": "200 with an error object and no choices",
    "bad_request": "400 (not worth retrying)",
}
MODEL = "fault-model"
FINGERPRINT = "fp_fault_1"


@dataclass(frozen=True)
class FaultPlan:
    """Which fault, on which attempts; `kind=None` is the no-fault fast mode."""

    kind: str | None = None
    first_attempts: int = 1
    poison: str = "POISON"
    slow_s: float = 3.0
    retry_after_s: int = 1
    honour_n: bool = True
    delay_s: float = 0.0  # every answer's latency, as a model's would be
    refuse_n: bool = False  # 400 for n > 1, as llama.cpp's server answers


@dataclass
class FaultStats:
    """What the server saw: requests, injected faults, attempts per distinct body."""

    requests: int = 0
    faults: int = 0
    with_n: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    authorization: Counter[str] = field(default_factory=Counter)
    attempts: Counter[str] = field(default_factory=Counter)


def _text(seed: int, choice: int) -> str:
    """A search ad the channel checks accept, different per seed and choice."""
    return (
        f"Headline: Fresh pick {seed} no {choice + 1}\n"
        "Description: A sturdy everyday favourite, ready when you are. Order today."
    )


def _answer(body: dict[str, Any], plan: FaultPlan, chat: bool) -> dict[str, Any]:
    n = int(body.get("n") or 1)
    seed = int(body.get("seed") or 0)
    count = n if plan.honour_n else 1
    choices = []
    for i in range(count):
        text = _text(seed, i)
        item: dict[str, Any] = {"index": i, "finish_reason": "stop"}
        item.update({"message": {"role": "assistant", "content": text}} if chat else {"text": text})
        choices.append(item)
    return {
        "id": f"cmpl-{seed}",
        "object": "chat.completion" if chat else "text_completion",
        "created": 0,
        "model": MODEL,
        "system_fingerprint": FINGERPRINT,
        "choices": choices,
        "usage": {"prompt_tokens": 20, "completion_tokens": 16 * count, "total_tokens": 20 + 16},
    }


class _CutShort:
    """An ASGI response that promises a whole JSON body, sends half and leaves: a dropped link."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        # Returning now leaves the response unfinished: uvicorn closes the connection.


class FaultServer:
    """The fault-injecting server, run by uvicorn in a thread on 127.0.0.1 and a free port."""

    def __init__(self, plan: FaultPlan | None = None, port: int = 0) -> None:
        self.plan = plan or FaultPlan()
        self.stats = FaultStats()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: uvicorn writes headers and body apart, and Nagle
        # would hold the body back for the client's delayed ACK (40 ms a request).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port = self._socket.getsockname()[1]
        app = Starlette(
            routes=[
                Route("/v1/models", self._models, methods=["GET"]),
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/completions", self._completions, methods=["POST"]),
                Route("/health", self._health, methods=["GET"]),
            ]
        )
        config = uvicorn.Config(
            app, log_level="critical", log_config=None, access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        """The OpenAI API root to give a client."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FaultServer:
        """Serve in the background; returns once it accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fault server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=30)

    def reset(self, plan: FaultPlan) -> None:
        """Start a new schedule with fresh counters."""
        self.plan = plan
        self.stats = FaultStats()

    async def _health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    async def _chat(self, request: Request) -> Any:
        return await self._complete(request, chat=True)

    async def _completions(self, request: Request) -> Any:
        return await self._complete(request, chat=False)

    async def _complete(self, request: Request, *, chat: bool) -> Any:
        raw = await request.body()
        body = json.loads(raw)
        plan, stats = self.plan, self.stats
        stats.authorization[request.headers.get("authorization", "")] += 1
        if plan.delay_s:
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            try:
                await asyncio.sleep(plan.delay_s)
            finally:
                stats.in_flight -= 1
        stats.requests += 1
        stats.with_n += int(int(body.get("n") or 1) > 1)
        if plan.refuse_n and int(body.get("n") or 1) > 1:
            message = {"error": {"message": "Only one completion choice is allowed"}}
            return JSONResponse(message, status_code=400)
        key = hashlib.sha256(raw).hexdigest()
        attempt = stats.attempts[key]
        stats.attempts[key] += 1
        faulted = plan.kind is not None and (
            attempt < plan.first_attempts or plan.poison.encode() in raw
        )
        if not faulted:
            return JSONResponse(_answer(body, plan, chat))
        if plan.kind == "few_choices" and int(body.get("n") or 1) < 2:
            return JSONResponse(_answer(body, plan, chat))  # one choice is all it asked for
        stats.faults += 1
        return await self._fault(str(plan.kind), body, chat)

    async def _fault(self, kind: str, body: dict[str, Any], chat: bool) -> Any:
        plan = self.plan
        good = _answer(body, plan, chat)
        error = {"error": {"message": f"injected {kind}", "type": "fault"}}
        if kind == "rate_limit":
            headers = {"Retry-After": str(plan.retry_after_s)}
            return JSONResponse(error, status_code=429, headers=headers)
        if kind == "server_error":
            return JSONResponse(error, status_code=500)
        if kind == "bad_gateway":
            return Response("<html>502 Bad Gateway</html>", 502, media_type="text/html")
        if kind == "unavailable":
            # Whole seconds, and read a moment later: 3 s more keeps the wait above retry_after_s.
            when = email.utils.formatdate(time.time() + plan.retry_after_s + 3, usegmt=True)
            return JSONResponse(error, status_code=503, headers={"Retry-After": when})
        if kind == "slow":
            await asyncio.sleep(plan.slow_s)
            return JSONResponse(good)
        if kind == "truncated_json":
            text = json.dumps(good).encode()
            return Response(text[: len(text) // 2], media_type="application/json")
        if kind == "invalid_json":
            return Response(b"{'choices': oops", media_type="application/json")
        if kind == "wrong_content_type":
            return Response("<html><body>Please log in</body></html>", media_type="text/html")
        if kind == "few_choices":
            return JSONResponse({**good, "choices": good["choices"][:1]})
        if kind == "empty_choices":
            return JSONResponse({**good, "choices": []})
        if kind == "null_content":
            for choice in good["choices"]:
                if chat:
                    choice["message"]["content"] = None
                else:
                    choice["text"] = None
            return JSONResponse(good)
        if kind == "disconnect":
            return _CutShort(json.dumps(good).encode())
        if kind == "missing_choices":
            return JSONResponse({"object": "error", "message": "injected: no choices"})
        if kind == "bad_request":
            return JSONResponse(error, status_code=400)
        raise ValueError(f"unknown fault kind {kind!r} (valid: {', '.join(FAULTS)})")


def served_engine(data_dir: Path, base_url: str, **options: Any) -> Engine:
    """An engine routing marketing to builtin:openai at `base_url`, with no evaluators.

    `fallback` (a generator id), `database_url` and `extra_plugins` ((name, plugin) pairs) are
    taken out of `options`; the rest are builtin:openai's options.
    """
    from contentgen.config import Route, Settings
    from contentgen.engine import Engine
    from contentgen.plugins import load_plugins
    from contentgen.types import Task

    fallback = options.pop("fallback", None)
    extra = options.pop("extra_plugins", ())
    database_url = options.pop("database_url", None)
    route = Route("builtin:openai", params={"max_new_tokens": 48}, fallback=fallback)
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        routes={Task.MARKETING: route},
        generators={"builtin:openai": {"base_url": base_url, **options}},
        use_entry_points=False,
        repair_attempts=1,
    )
    return Engine(settings, load_plugins((), use_entry_points=False, extra=extra), evaluators=[])


def main() -> None:
    """Run the no-fault server (instant, or with --delay-s) until killed (benchmarks/served.py)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-s", type=float, default=0.0, help="every answer's latency")
    args = parser.parse_args()
    server = FaultServer(FaultPlan(delay_s=args.delay_s), port=args.port).start()
    print(server.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
