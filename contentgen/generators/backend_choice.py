"""Which local text backend runs fastest on this host among those that write the reference's text.

A probe job (a handful of the job's own prompts) runs on every candidate backend: greedily, to
compare its text with builtin:transformers' (the fp32 reference), and with the job's own sampling
settings, timed in CPU-seconds. A backend qualifies when each greedy text is the reference's, or
departs from it only at near-ties: every token within `NEAR_TIE_NATS` of the reference model's
best choice, the criterion of the project's OpenVINO equivalence tests (int8 weights cannot
promise byte-equal text). The fastest qualifying backend is the choice, cached as JSON under the
cache directory, keyed by the CPU (model, ISA features, any ISA cap), the backends' package
versions and the model with its adapter: a new host, library or model is measured again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from contentgen.errors import ContentgenError
from contentgen.generator import Generator
from contentgen.hostinfo import host_cpu
from contentgen.types import Prompt, PromptError

log = logging.getLogger(__name__)

REFERENCE = "builtin:transformers"
CANDIDATES: tuple[str, ...] = (REFERENCE, "builtin:openvino", "builtin:ctranslate2")
# int8 weights against the fp32 reference: the OpenVINO tests measured gaps of at most 0.11.
NEAR_TIE_NATS = 0.25
PROBE_PROMPTS = 6
MIN_PROBE_PROMPTS = 3  # fewer distinct prompts (a one-shot call) are not worth a probe
# "0" (or false/off/no) never measures: the test suite sets it, so no test starts a probe.
PROBE_VARIABLE = "CONTENTGEN_BACKEND_PROBE"
CHOICE_FOLDER = "backend-choice"
PACKAGES: tuple[str, ...] = ("torch", "transformers", "openvino-genai", "ctranslate2")

# (greedy prompts, their texts) -> per prompt, the worst token's gap to the reference's best.
Gaps = Callable[[Sequence[Prompt], Sequence[str]], list[float]]


@dataclass(frozen=True)
class Measurement:
    """One backend on the probe job: its CPU-seconds, and why it was left out (if it was)."""

    generator_id: str
    cpu_s: float | None = None
    new_tokens: int = 0
    max_gap_nats: float | None = None
    problem: str | None = None

    @property
    def qualifies(self) -> bool:
        """True when it ran the probe and its greedy text is the reference's (up to near-ties)."""
        return self.problem is None and self.cpu_s is not None


@dataclass(frozen=True)
class BackendChoice:
    """The backend chosen for one host key, with the measurements behind it."""

    chosen: str
    key: str
    fields: Mapping[str, str]  # host_fields: what the choice was measured for
    measured_at: str
    probe_prompts: int
    measurements: tuple[Measurement, ...]

    @property
    def host(self) -> str:
        """'<CPU model>, <ISA>' of the host it was measured on."""
        return f"{self.fields.get('cpu', '?')}, {self.fields.get('isa', '?')}"

    def to_json(self) -> str:
        """The choice as a JSON document (what the cache file holds)."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BackendChoice:
        """A choice read back from `to_json`'s text (KeyError/TypeError/ValueError if malformed)."""
        raw = json.loads(text)
        measurements = tuple(Measurement(**m) for m in raw.pop("measurements"))
        return cls(**raw, measurements=measurements)

    def lines(self) -> list[str]:
        """A short human summary: the choice, then one line per backend measured."""
        out = [
            f"chosen: {self.chosen} for {self.fields.get('model', '?')} "
            f"(measured {self.measured_at} on {self.host}, {self.probe_prompts} probe prompts)"
        ]
        for m in sorted(self.measurements, key=lambda m: (not m.qualifies, m.cpu_s or 0.0)):
            cpu = f"{m.cpu_s:.2f} CPU-s" if m.cpu_s is not None else "not timed"
            gap = f", worst gap {m.max_gap_nats:.2f} nats" if m.max_gap_nats is not None else ""
            verdict = "ok" if m.qualifies else f"left out: {m.problem}"
            out.append(f"  {m.generator_id:22} {cpu}{gap}; {verdict}")
        return out


def host_fields(model_label: str) -> dict[str, str]:
    """What the choice depends on: CPU model, ISA (and cap), package versions, model + adapter."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = host_cpu()
    fields = {"cpu": cpu.model, "isa": cpu.isa, "features": ",".join(cpu.features)}
    for package in PACKAGES:
        try:
            fields[package] = version(package)
        except PackageNotFoundError:
            fields[package] = "absent"
    fields["model"] = model_label
    return fields


def host_key(fields: Mapping[str, str]) -> str:
    """A short stable hash of `host_fields` (the cache file's name)."""
    text = json.dumps(dict(fields), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def choice_path(cache_dir: Path, key: str) -> Path:
    """Where the choice for `key` is cached."""
    return cache_dir / CHOICE_FOLDER / f"{key}.json"


def read_choice(cache_dir: Path, key: str) -> BackendChoice | None:
    """The cached choice for `key`, or None (none yet, or an unreadable file: measured again)."""
    path = choice_path(cache_dir, key)
    try:
        choice = BackendChoice.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, KeyError, TypeError, ValueError) as exc:
        log.warning("ignoring the unreadable backend choice %s: %s", path, exc)
        return None
    return choice if choice.key == key and choice.chosen in CANDIDATES else None


def write_choice(cache_dir: Path, choice: BackendChoice) -> Path:
    """Cache `choice` (written beside its place, then renamed: readers never see half a file)."""
    path = choice_path(cache_dir, choice.key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(choice.to_json() + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def probe_allowed() -> bool:
    """False when PROBE_VARIABLE switches measuring off (the test suite does)."""
    return os.environ.get(PROBE_VARIABLE, "1").strip().lower() not in ("0", "false", "off", "no")


def probe_prompts(prompts: Sequence[Prompt], size: int = PROBE_PROMPTS) -> list[Prompt]:
    """Up to `size` distinct prompts of the job, in order (variants of one prompt count once)."""
    seen: set[tuple[Any, ...]] = set()
    picked: list[Prompt] = []
    for prompt in prompts:
        key = (prompt.system, prompt.examples, prompt.text, prompt.prefill)
        if key not in seen:
            seen.add(key)
            picked.append(prompt)
        if len(picked) == size:
            break
    return picked


def _texts(answers: Sequence[Any]) -> list[str]:
    out = []
    for answer in answers:
        if isinstance(answer, PromptError):
            raise ContentgenError(f"a probe prompt failed: {answer.message}")
        out.append(answer[0].text or "")
    return out


def _new_tokens(answers: Sequence[Any]) -> int:
    return sum(
        int(c.meta.get("new_tokens", 0))
        for a in answers
        if not isinstance(a, PromptError)
        for c in a
    )


def measure(
    backends: Mapping[str, Generator],
    prompts: Sequence[Prompt],
    gaps: Gaps,
    clock: Callable[[], float] = time.process_time,
) -> tuple[Measurement, ...]:
    """Run the probe job on every backend (REFERENCE among them, loaded); one Measurement each."""
    greedy = [replace(p, temperature=0.0, n=1) for p in prompts]
    reference = _texts(backends[REFERENCE].generate(greedy))
    return tuple(
        _measure_one(gid, gen, prompts, greedy, reference, gaps, clock)
        for gid, gen in backends.items()
    )


def _measure_one(
    gid: str,
    gen: Generator,
    prompts: Sequence[Prompt],
    greedy: Sequence[Prompt],
    reference: Sequence[str],
    gaps: Gaps,
    clock: Callable[[], float],
) -> Measurement:
    """Warm up on the first prompt, time the others as the job asks, compare greedy texts."""
    try:
        gen.load()
        gen.generate(greedy[:1])  # kernels compiled, caches allocated: not the job's cost
        started = clock()
        answers = gen.generate(prompts[1:])
        cpu_s = clock() - started
        texts = reference if gid == REFERENCE else _texts(gen.generate(greedy))
    except Exception as exc:  # any backend failure leaves that backend out, never the job
        log.info("backend %s left out of the choice: %s", gid, exc)
        return Measurement(gid, problem=f"failed on the probe: {exc}")
    tokens = _new_tokens(answers)
    differ = [i for i, (a, b) in enumerate(zip(texts, reference, strict=True)) if a != b]
    worst = max(gaps([greedy[i] for i in differ], [texts[i] for i in differ]), default=0.0)
    if worst > NEAR_TIE_NATS:
        problem = (
            f"greedy text departs from {REFERENCE}'s: a token {worst:.2f} nats below the "
            f"reference's choice (limit {NEAR_TIE_NATS})"
        )
        return Measurement(gid, cpu_s, tokens, worst, problem)
    return Measurement(gid, cpu_s, tokens, worst)


def pick(measurements: Sequence[Measurement]) -> str:
    """The qualifying backend with the fewest CPU-seconds (the reference when none qualifies)."""
    qualified = [m for m in measurements if m.qualifies]
    if not qualified:
        return REFERENCE
    return min(qualified, key=lambda m: m.cpu_s or 0.0).generator_id


def new_choice(
    fields: Mapping[str, str], probe: int, found: Sequence[Measurement]
) -> BackendChoice:
    """The choice for these host fields from these measurements, stamped now."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return BackendChoice(pick(found), host_key(fields), dict(fields), now, probe, tuple(found))


def choices_for_this_host(cache_dir: Path) -> list[BackendChoice]:
    """Every cached choice measured on this CPU with these packages (any model), newest first."""
    here = {k: v for k, v in host_fields("").items() if k != "model"}
    found = []
    for path in sorted((cache_dir / CHOICE_FOLDER).glob("*.json")):
        choice = read_choice(cache_dir, path.stem)
        if choice is not None and all(choice.fields.get(k) == v for k, v in here.items()):
            found.append(choice)
    return sorted(found, key=lambda c: c.measured_at, reverse=True)
