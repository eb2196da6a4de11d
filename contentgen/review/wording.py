"""Check results in words a marketer reads: one table from Problem kinds to sentences.

Every failed check becomes a `Finding`: a sentence ("Mentions a price that is not in the product
facts: 10 EUR"), the evidence it points at, and whether it blocks publishing. A finding blocks
when its check is a gate (a failed gate rejects an output at generation); advisory findings come
from checks that only score (sentiment, readability, diversity, a plugin's non-gating check) and
from hints inside passed verdicts (names the facts do not mention, brand wording suggestions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contentgen.checks.problems import (
    DUPLICATE_VARIANT,
    FAILED,
    RERANKED_OUT,
    Problem,
    explain,
    problems_from_detail,
)
from contentgen.types import Evaluation, Output

# The gates of the built-in evaluator set, for verdicts whose evaluator this engine does not run.
BUILTIN_GATES = frozenset(
    {
        "channel", "brand", "grounding", "offensive", "output_guard", "leaks", "repetition",
        "truncation", "name_fidelity", "polarity", "numbers", "policy", "instructions",
        "example", "generator", "safety_checker", "creative", "meta_commentary",
        "example_words", "attributes", "off_topic",
    }
)  # fmt: skip

# (check, kind) -> sentence; "" as the check matches the kind of any check. Placeholders:
# {evidence}, {limit}, {field}, {size} (the field's length where a length rule broke).
WORDING: Mapping[tuple[str, str], str] = {
    ("", FAILED): "A check did not pass: {evidence}",
    ("", "empty"): "The model returned no text",
    ("", RERANKED_OUT): "Passed every check, but a better variant of the same request was kept",
    ("", DUPLICATE_VARIANT): "Passed every check, but another variant already says the same words",
    ("", "check_failed"): "A check did not pass: {evidence}",
    ("channel", "missing"): "The {field} is missing",
    ("channel", "too_long"): "The {field} is {size} characters long; the channel allows {limit}",
    ("channel", "too_short"): "The {field} is too short: {size} characters, at least {limit}",
    ("channel", "placeholder"): "The {field} still contains a placeholder: {evidence}",
    ("channel", "unknown_channel"): "The channel {evidence} is unknown",
    ("example", "copied"): "Copies details of the template's example, not of this product: "
    "{evidence}",
    ("brand", "banned_term"): "Uses a phrase the brand kit bans: “{evidence}” (banned: {limit})",
    ("brand", "missing_disclaimer"): "Lacks the disclaimer the brand kit requires for {limit}: "
    "“{evidence}”",
    ("grounding", "invented_price"): "Mentions a price that is not in the product facts: "
    "{evidence}",
    ("grounding", "invented_number"): "Mentions a number that is not in the facts: {evidence}",
    ("grounding", "invented_id"): "Mentions a code or order number that is not in the request: "
    "{evidence}",
    ("numbers", "invented_price"): "Mentions a price that is not in the product facts: {evidence}",
    ("numbers", "invented_percent"): "Mentions a percentage that is not in the facts: {evidence}",
    ("numbers", "invented_number"): "Mentions a number that is not in the facts: {evidence}",
    ("numbers", "wrong_unit"): "Uses a number from the facts with the wrong unit: {evidence}",
    ("numbers", "sign_dropped"): "Drops the minus sign of a fact: {evidence}",
    ("numbers", "arithmetic"): "Contains a calculation, not a stated fact: {evidence}",
    ("polarity", "contradicted"): "Says the opposite of a product fact about “{limit}”: "
    "“{evidence}”",
    ("polarity", "sign_dropped"): "Drops the minus sign of a fact: {evidence}",
    ("name_fidelity", "name_missing"): "Does not name the product ({limit})",
    ("name_fidelity", "misspelt"): "Misspells the product name: “{evidence}”",
    ("name_fidelity", "wrong_name"): "Names a different product: “{evidence}”",
    ("repetition", "loop"): "Repeats itself over and over: “{evidence}”",
    ("repetition", "repeated_phrase"): "Repeats the phrase “{evidence}”",
    ("repetition", "repeated_sentence"): "Repeats the sentence “{evidence}”",
    ("repetition", "overused_word"): "Uses the word “{evidence}” too often",
    ("truncation", "unfinished"): "Stops in the middle of a sentence: “…{evidence}”",
    ("truncation", "dangling_word"): "Ends on a dangling word: “…{evidence}”",
    ("truncation", "cut_word"): "Ends with a word cut in half: “…{evidence}”",
    ("truncation", "no_sentence_end"): "The last sentence has no ending: “…{evidence}”",
    ("truncation", "unbalanced"): "A quote or bracket is never closed: “…{evidence}”",
    ("leaks", "template_echo"): "Repeats the writing instructions: “{evidence}”",
    ("leaks", "placeholder"): "Contains a placeholder: {evidence}",
    ("leaks", "instruction"): "Contains an instruction meant for the writer: “{evidence}”",
    ("leaks", "label"): "Contains a label from the prompt: “{evidence}”",
    ("leaks", "role_marker"): "Contains chat markup: “{evidence}”",
    ("leaks", "delimiter"): "Contains stray delimiters: “{evidence}”",
    ("instructions", "echo"): "Repeats an instruction hidden in the input: “{evidence}”",
    ("instructions", "override"): "Tells the reader to ignore instructions: “{evidence}”",
    ("policy", "forbidden"): "Promises a {limit} the policy rules out: “{evidence}”",
    ("policy", "not_in_policy"): "Promises a {limit} the policy does not offer: “{evidence}”",
    ("policy", "exceeds_policy"): "Promises a full refund where the policy allows only part: "
    "“{evidence}”",
    ("policy", "timeline"): "Promises a timeline the policy does not give: “{evidence}”",
    ("policy", "percentage"): "Mentions a percentage the policy does not give: {evidence}",
    ("meta_commentary", "bracketed_note"): "Contains a note to the reader in brackets: "
    "“{evidence}”",
    ("meta_commentary", "note"): "Contains a note about the copy: “{evidence}”",
    ("meta_commentary", "assistant_chatter"): "Talks like an assistant, not like copy: "
    "“{evidence}”",
    ("meta_commentary", "announced_work"): "Describes what the writer is doing: “{evidence}”",
    ("meta_commentary", "self_reference"): "Describes itself instead of the product: “{evidence}”",
    ("meta_commentary", "variant_label"): "Contains a variant label: “{evidence}”",
    ("example_words", "example_detail"): "Takes a detail of the template's example ({limit}), "
    "not of this product: “{evidence}”",
    ("example_words", "example_words"): "Uses words of the template's example ({limit}): "
    "“{evidence}”",
    ("example_words", "example_phrase"): "Copies a phrase of the template's example ({limit}): "
    "“{evidence}”",
    ("attributes", "material_conflict"): "Names a material the facts contradict (facts: "
    "{limit}): “{evidence}”",
    ("attributes", "colour_conflict"): "Names a colour the facts contradict (facts: {limit}): "
    "“{evidence}”",
    ("off_topic", "low_fact_share"): "Talks mostly about things other than the product: {evidence}",
    ("offensive", "offensive"): "May read as offensive: “{evidence}”",
    ("output_guard", "url"): "Contains a link the request did not supply ({evidence})",
    ("output_guard", "email"): "Contains an email address the request did not supply",
    ("output_guard", "phone"): "Contains a phone number the request did not supply",
    ("output_guard", "card"): "Contains what looks like a card number",
    ("output_guard", "iban"): "Contains what looks like a bank account number",
    ("output_guard", "role_marker"): "Contains chat markup: {evidence}",
    ("output_guard", "placeholder"): "Contains placeholders that are not in the input: {evidence}",
    ("output_guard", "prompt_leak"): "Repeats the hidden prompt: {evidence}",
    ("output_guard", "system_leak"): "Repeats the hidden system instructions: {evidence}",
}
CHECK_NAMES: Mapping[str, str] = {
    "channel": "Channel rules",
    "brand": "Brand kit",
    "grounding": "Facts",
    "numbers": "Numbers",
    "polarity": "Facts",
    "name_fidelity": "Product name",
    "repetition": "Repetition",
    "truncation": "Cut off",
    "leaks": "Prompt leak",
    "instructions": "Hidden instructions",
    "policy": "Policy",
    "offensive": "Tone",
    "output_guard": "Safety",
    "sentiment": "Tone",
    "readability": "Readability",
    "diversity": "Variety",
    "example": "Template example",
    "example_words": "Template example",
    "meta_commentary": "Notes to the reader",
    "attributes": "Facts",
    "off_topic": "Off topic",
    "generator": "Generation",
}


@dataclass(frozen=True)
class Finding:
    """One check result for people: a sentence, its evidence, and whether it blocks publishing."""

    sentence: str
    blocking: bool
    check: str
    kind: str
    field: str = "text"
    evidence: str = ""

    @property
    def label(self) -> str:
        """The check's short name for a badge ("Facts", "Brand kit")."""
        return CHECK_NAMES.get(self.check, self.check.replace("_", " ").capitalize())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (API responses, stored edit checks)."""
        return {
            "sentence": self.sentence,
            "blocking": self.blocking,
            "check": self.check,
            "kind": self.kind,
            "field": self.field,
            "evidence": self.evidence,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Rebuild a finding stored by `as_dict`."""
        return cls(
            sentence=str(data.get("sentence", "")),
            blocking=bool(data.get("blocking")),
            check=str(data.get("check", "")),
            kind=str(data.get("kind", "")),
            field=str(data.get("field", "text")),
            evidence=str(data.get("evidence", "")),
        )


@dataclass(frozen=True)
class Findings:
    """An output's findings, blocking and advisory apart."""

    blocking: tuple[Finding, ...] = ()
    advisory: tuple[Finding, ...] = ()

    @property
    def passed(self) -> bool:
        """True when nothing blocks publishing."""
        return not self.blocking


def sentence(problem: Problem) -> str:
    """The plain-language sentence for one Problem record."""
    template = WORDING.get((problem.check, problem.kind)) or WORDING.get(("", problem.kind))
    if template is None and problem.kind.startswith("invented_"):
        template = WORDING.get((problem.check, "invented_number"))
    if template is None:
        return _capital(problem.describe())
    size = problem.end if problem.end is not None else len(problem.evidence)
    field = problem.field.replace("_", " ")
    return template.format(evidence=problem.evidence, limit=problem.limit, field=field, size=size)


def finding(problem: Problem, blocking: bool) -> Finding:
    """A Finding for one Problem."""
    return Finding(
        sentence(problem), blocking, problem.check, problem.kind, problem.field, problem.evidence
    )


def findings_of(
    evaluations: Sequence[Evaluation],
    gates: Mapping[str, bool],
    *,
    rejected: bool = False,
    reason: str | None = None,
) -> Findings:
    """Findings from stored verdicts; `gates` maps evaluator names to whether they gate.

    An evaluator the mapping does not know gates when it is a built-in gate, or when the output
    was rejected; a rejected output whose reason no verdict explains gets that reason as a
    blocking finding.
    """
    blocking: list[Finding] = []
    advisory: list[Finding] = []
    for e in evaluations:
        gate = gates.get(e.name, e.name in BUILTIN_GATES or rejected)
        if e.passed:
            advisory += _hints(e)
            continue
        target = blocking if gate else advisory
        records = problems_from_detail(e.detail)
        if records:
            target += [finding(p, gate) for p in records]
        else:
            target.append(_unrecorded(e, gate))
    if rejected and not blocking:
        text = reason or "rejected when generated"
        blocking.append(Finding(f"Rejected when generated: {text}", True, "generator", FAILED))
    return Findings(tuple(_unique(blocking)), tuple(_unique(advisory)))


def problem_findings(problems: Sequence[Problem], evaluations: Sequence[Evaluation],
                     gates: Mapping[str, bool]) -> Findings:  # fmt: skip
    """Findings of a fresh check run: `problems` block; failed non-gating verdicts advise."""
    blocking = [finding(p, True) for p in problems]
    advisory: list[Finding] = []
    for e in evaluations:
        if e.passed:
            advisory += _hints(e)
        elif not gates.get(e.name, e.name in BUILTIN_GATES):
            records = problems_from_detail(e.detail)
            advisory += [finding(p, False) for p in records] or [_unrecorded(e, False)]
    return Findings(tuple(_unique(blocking)), tuple(_unique(advisory)))


def _unrecorded(e: Evaluation, gate: bool) -> Finding:
    """A failed verdict without Problem records: the score-only evaluators, plugins, crashes."""
    d = e.detail
    if e.name == "sentiment":
        text = f"Reads {d.get('label', 'negative')} (tone score {_num(e.score)}"
        text += f"; at least {d['minimum']} expected)" if d.get("minimum") is not None else ")"
    elif e.name == "readability":
        text = (
            f"Hard to read: reading ease {d.get('flesch_reading_ease', '?')}"
            f" (aim for {d.get('minimum', 50)} or more)"
        )
    elif e.name == "diversity":
        similar = 1.0 - e.score if e.score is not None else None
        text = "Almost the same as another variant of this request"
        text += f" ({similar:.0%} alike)" if similar is not None else ""
    elif e.name == "safety_checker":
        text = "The image safety checker flagged this image"
    else:
        why = explain(d)
        text = f"Check “{e.name}” did not pass" + ("" if why == FAILED else f": {why}")
    return Finding(text, gate, e.name, FAILED)


def _hints(e: Evaluation) -> list[Finding]:
    """Advice inside passed verdicts: names not in the facts, brand wording suggestions."""
    hints = []
    names = e.detail.get("unknown_names") if e.name == "grounding" else None
    if isinstance(names, list) and names:
        shown = ", ".join(str(n) for n in names[:5])
        hints.append(
            Finding(f"Mentions names that are not in the facts: {shown}", False, e.name, "names")
        )
    suggestions = e.detail.get("suggestions") if e.name == "brand" else None
    if isinstance(suggestions, list):
        hints += [Finding(f"Brand wording: {s}", False, e.name, "wording") for s in suggestions[:5]]
    return hints


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _unique(found: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in found:
        if (f.sentence, f.field) not in seen:
            seen.add((f.sentence, f.field))
            out.append(f)
    return out


def output_findings(output: Output, gates: Mapping[str, bool]) -> Findings:
    """The findings of a stored output's verdicts."""
    return findings_of(
        output.evaluations, gates, rejected=output.status != "ok", reason=output.reason
    )
