"""Deterministic checks on generated text before it is stored as publishable.

Flags: URLs, emails and phone numbers the request did not supply (unless allowed per call); leaked
prompt or system text (a run of >= 8 consecutive words shared with the prompt but not with the
request data); chat role markers ('<|im_start|>', 'System:'); and PII placeholders such as
'[EMAIL_3]' that were not in the input. `OutputGuard` runs the same checks as a gating evaluator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from contentgen.checks.base import EvalInput
from contentgen.checks.problems import Problem, problem_detail
from contentgen.safety.pii import PLACEHOLDER, find_pii
from contentgen.types import TEXT_TASKS, Evaluation

URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]{1,15}://|\bwww\.)[^\s<>\"')\]]+"
    r"|(?<![@\w.-])(?:[a-z0-9-]{1,63}\.)+(?:com|net|org|io|co|info|biz|shop|store|app|dev|ly|me|xyz|uk|de|fr|eu|us)\b"
    r"(?:/[^\s<>\"')\]]*)?(?![\w@.-]*@)",
    re.I,
)
ROLE_MARKER = re.compile(
    r"<\|[a-z_]{2,30}\|>|\[/?INST\]|<</?SYS>>|</?(?:start_of_turn|end_of_turn|s)>"
    r"|^\s*(?:system|assistant|user|human|developer)\s*:"
    r"|^\s*#{2,4}\s*(?:system|assistant|user|instruction|response|input)\b",
    re.I | re.M,
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.U)


@dataclass(frozen=True)
class GuardPolicy:
    """What generated text may contain; the defaults suit ad copy, summaries and replies."""

    allow_urls: bool = False
    allow_emails: bool = False
    allow_phones: bool = False
    allow_role_markers: bool = False
    min_leak_words: int = 8


@dataclass(frozen=True)
class Finding:
    """One problem found in generated text: its kind and a short, value-free description."""

    kind: str
    detail: str


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _ngrams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def flatten_text(value: Any) -> str:
    """Every string (and number) inside nested request facts, one per line."""
    if isinstance(value, Mapping):
        return "\n".join(f"{k}\n{flatten_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return "\n".join(flatten_text(v) for v in value)
    return "" if value is None else str(value)


def leaked_prompt(text: str, prompt: str, data: str = "", min_words: int = 8) -> str | None:
    """The first run of `min_words` words shared by `text` and `prompt` but absent from `data`."""
    prompt_grams = _ngrams(_words(prompt), min_words)
    if not prompt_grams:
        return None
    data_grams = _ngrams(_words(data), min_words)
    words = _words(text)
    for i in range(len(words) - min_words + 1):
        gram = tuple(words[i : i + min_words])
        if gram in prompt_grams and gram not in data_grams:
            return " ".join(gram)
    return None


def _supplied(value: str, source: str, *, digits: bool = False) -> bool:
    if digits:  # '+44 20 7946 0958' and '020 7946 0958' are the same number
        return re.sub(r"\D", "", value)[-9:] in re.sub(r"\D", "", source)
    return value.lower() in source.lower()


def check_output(
    text: str,
    *,
    prompt: str = "",
    system: str = "",
    inputs: Iterable[str] = (),
    policy: GuardPolicy = GuardPolicy(),
) -> list[Finding]:
    """Every problem in `text`; URLs, emails and phones found in `inputs` are allowed."""
    source = "\n".join(inputs)
    findings: list[Finding] = []
    if not policy.allow_urls:
        found_urls = (m.group(0).rstrip(".,;:!?") for m in URL.finditer(text))
        urls = [u for u in found_urls if not _supplied(u, source)]
        if urls:
            findings.append(Finding("url", f"{len(urls)} link(s) the request did not supply"))
    pii = find_pii(text)
    for kind, allowed, name in (
        ("EMAIL", policy.allow_emails, "email"),
        ("PHONE", policy.allow_phones, "phone"),
    ):
        found = [text[s.start : s.end] for s in pii if s.kind == kind]
        extra = [
            v for v in found if not allowed and not _supplied(v, source, digits=kind == "PHONE")
        ]
        if extra:
            findings.append(
                Finding(name, f"{len(extra)} {name} value(s) the request did not supply")
            )
    for kind in ("CARD", "IBAN"):
        if any(s.kind == kind for s in pii):
            findings.append(Finding(kind.lower(), f"a {kind.lower()} number appears in the output"))
    if not policy.allow_role_markers:
        marker = ROLE_MARKER.search(text)
        if marker:
            findings.append(Finding("role_marker", f"chat role marker {marker.group(0).strip()!r}"))
    known = set(PLACEHOLDER.findall(source + "\n" + prompt))
    foreign = sorted({f"[{k}_{n}]" for k, n in PLACEHOLDER.findall(text) if (k, n) not in known})
    if foreign:
        findings.append(
            Finding("placeholder", f"placeholders not in the input: {', '.join(foreign[:5])}")
        )
    for name, reference in (("prompt", prompt), ("system", system)):
        leak = leaked_prompt(text, reference, source, policy.min_leak_words)
        if leak:
            findings.append(
                Finding(
                    f"{name}_leak",
                    f"repeats {policy.min_leak_words}+ words of the {name}: {leak!r}",
                )
            )
    return findings


class OutputGuard:
    """Evaluator 'output_guard': gates text outputs on check_output (no links/contacts/leaks)."""

    name = "output_guard"
    gate = True
    tasks = TEXT_TASKS

    def __init__(self, policy: GuardPolicy | None = None, **overrides: Any) -> None:
        self.policy = replace(policy or GuardPolicy(), **overrides)

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item; detail holds the findings as Problem records."""
        verdicts = []
        for item in items:
            findings = check_output(
                item.text, prompt=item.prompt, inputs=[flatten_text(item.facts)], policy=self.policy
            )
            problems = [Problem(self.name, f.kind, "text", f.detail) for f in findings]
            verdicts.append(
                Evaluation(
                    name=self.name,
                    passed=not findings,
                    score=1.0 if not findings else 0.0,
                    detail=problem_detail(
                        problems, findings=[f"{f.kind}: {f.detail}" for f in findings]
                    ),
                )
            )
        return verdicts
