"""Edited final texts go through the checks generated copy went through, before they are saved.

The request is rebuilt from its stored payload and the prompt re-rendered with the output's
template, so the edit meets the same channel spec, template-example check and engine evaluators
(brand kit, grounding, numbers, polarity, ...) as a generated draft. An edit with blocking
findings is saved only with an override reason, which is stored with the verdict; only edits
that passed or were overridden become tuning data (`contentgen.feedback.preferences`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contentgen.checks.channels import CHANNELS
from contentgen.drafts import DraftContext, evaluate_drafts, example_facts, parse_candidate
from contentgen.errors import ContentgenError, ValidationError
from contentgen.ratings import rating_rows
from contentgen.review.wording import Finding, Findings, problem_findings
from contentgen.storage import review as stored
from contentgen.types import Candidate, Output, Rating

if TYPE_CHECKING:
    from contentgen.engine import Engine

MAX_REASON = 2000


class EditBlocked(ValidationError):
    """An edit with blocking findings, sent without an override reason; nothing was saved."""

    def __init__(self, findings: Findings) -> None:
        self.findings = findings
        listed = "; ".join(f.sentence for f in findings.blocking[:5])
        super().__init__(
            "edited_text",
            f"the edit fails checks that block publishing: {listed}. Fix it, or save it anyway "
            "with an override reason (override_reason)",
        )


@dataclass(frozen=True)
class SavedEdit:
    """A stored edit with the findings of its checks, and the override reason if one was needed."""

    rating: Rating
    findings: Findings
    override_reason: str | None = None


def gates_of(engine: Engine) -> dict[str, bool]:
    """Whether each of the engine's evaluators gates (the channel spec always does)."""
    return {"channel": True, "example": True, "generator": True} | {
        e.name: bool(e.gate) for e in engine.evaluators
    }


def _request_variables(engine: Engine, output: Output, payload: Mapping[str, Any]) -> Any:
    from contentgen.requests_io import prompt_variables

    data = {k: v for k, v in payload.items() if k not in ("task", "error")}
    try:
        spec = engine.tasks.get(output.task)
        request = spec.build_request(data)
        return spec, request, prompt_variables(request, spec)
    except ContentgenError:  # a task no longer served, or a payload from an older version
        return None, None, data


def edit_context(engine: Engine, output: Output) -> DraftContext:
    """The checking context the output's drafts had: facts, output spec, prompt, evaluators."""
    payload = engine.store.request_payload(output.request_id)
    spec, request, variables = _request_variables(engine, output, payload)
    channel = payload.get("channel") if isinstance(payload.get("channel"), str) else None
    output_spec = spec.output_spec(request) if spec is not None else CHANNELS.get(channel or "")
    rendered = None
    template_id = output.provenance.template_id
    if template_id and engine.templates.exists(template_id):
        try:
            rendered = engine.templates.render(template_id, variables)
        except ContentgenError:
            rendered = None
    prompt = rendered.text if rendered is not None else str(variables.get("prompt", ""))
    system = rendered.system if rendered is not None else None
    examples = rendered.template.meta.get("examples", []) if rendered is not None else []
    return DraftContext(
        task=output.task,
        channel=output_spec.name if output_spec is not None else None,
        facts=variables,
        prompt="\n".join(filter(None, [system, prompt])),
        evaluators=engine.evaluators,
        example_facts=example_facts(examples, variables),
        output=output_spec,
        fact_fields=frozenset(spec.fact_fields) if spec is not None else None,
        examples=rendered.examples if rendered is not None else (),
    )


def check_edit(engine: Engine, output: Output, text: str) -> Findings:
    """Run `text` through the checks `output` passed when it was generated."""
    if output.text is None:
        raise ValidationError("edited_text", "only text outputs can be edited")
    ctx = edit_context(engine, output)
    draft = parse_candidate(Candidate(text=text), ctx, output.provenance.seed or 0, 0.0)
    (checked,) = evaluate_drafts([draft], ctx)
    return problem_findings(checked.problems, checked.evaluations, gates_of(engine))


def _reason(override_reason: str | None) -> str | None:
    if override_reason is None or not override_reason.strip():
        return None
    if len(override_reason) > MAX_REASON:
        raise ValidationError("override_reason", f"must be at most {MAX_REASON} characters")
    return override_reason.strip()


def save_edit(
    engine: Engine,
    output_id: str,
    edited_text: str,
    *,
    rater: str,
    source: str = "api",
    override_reason: str | None = None,
    enforce: bool = True,
    import_key: str | None = None,
) -> SavedEdit:
    """Check an edit and store it with its verdict.

    With `enforce` (the review page, the CLI, sheet imports) an edit with blocking findings
    raises EditBlocked unless `override_reason` says why it is right anyway; without it the edit
    is stored either way, and one that failed without a reason never becomes tuning data.
    """
    rating_rows(rater=rater, edited_text=edited_text)  # the usual validation, before any work
    reason = _reason(override_reason)
    output = engine.store.get_output(output_id)
    findings = check_edit(engine, output, edited_text)
    if enforce and findings.blocking and reason is None:
        raise EditBlocked(findings)
    rating = stored.add_checked_edit(
        engine.store,
        output_id,
        rater=rater.strip(),
        edited_text=edited_text,
        source=source,
        passed=findings.passed,
        blocking=[f.as_dict() for f in findings.blocking],
        advisory=[f.as_dict() for f in findings.advisory],
        override_reason=reason if findings.blocking else None,
        import_key=import_key,
    )
    return SavedEdit(rating, findings, reason if findings.blocking else None)


def stored_findings(record: stored.EditCheckRecord) -> Findings:
    """The findings stored with an edit's check."""
    return Findings(
        tuple(Finding.from_dict(f) for f in record.blocking),
        tuple(Finding.from_dict(f) for f in record.advisory),
    )
