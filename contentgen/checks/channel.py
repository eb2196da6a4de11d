"""The channel evaluator: marketing fields present, within their limits, no placeholders left."""

from __future__ import annotations

import re
from collections.abc import Sequence

from contentgen.checks.base import EvalInput
from contentgen.checks.channels import CHANNELS, CHECK
from contentgen.checks.problems import Problem, problem_detail
from contentgen.types import Evaluation

# Template leftovers a model copies instead of filling in: "{product}", "[Your Name]", "<brand>".
_PLACEHOLDER = re.compile(
    r"\{\{?\s*[a-z_][\w.]*\s*\}?\}"
    r"|\[(?:your|insert|product|brand|company|name|link|url|price|date|discount|code)\b[^\]]{0,40}\]"
    r"|<(?:product|brand|name|link|url|price)[^>]{0,30}>",
    re.IGNORECASE,
)


class ChannelEvaluator:
    """Checks a marketing output against its channel spec (fields, lengths, placeholders)."""

    name: str = CHECK
    tasks: frozenset[str] = frozenset({"marketing"})
    gate: bool = True

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        """One verdict per item: passed when every field complies; detail holds Problem records."""
        return [self._one(item) for item in items]

    def _one(self, item: EvalInput) -> Evaluation:
        if item.channel is None:
            return Evaluation(name=self.name, passed=True, detail={"skipped": "no channel"})
        spec = CHANNELS.get(item.channel)
        if spec is None:
            valid = ", ".join(sorted(CHANNELS))
            problem = Problem(CHECK, "unknown_channel", "channel", item.channel, limit=valid)
            return Evaluation(
                name=self.name, passed=False, score=0.0, detail=problem_detail([problem])
            )
        fields = dict(item.fields) if item.fields else spec.parse(item.text)
        problems = spec.problems(fields)
        for field_spec in spec.fields:
            for match in _PLACEHOLDER.finditer(fields.get(field_spec.name, "")):
                problems.append(
                    Problem(
                        CHECK,
                        "placeholder",
                        field_spec.name,
                        match.group(),
                        start=match.start(),
                        end=match.end(),
                    )
                )
        bad = {p.field for p in problems}
        return Evaluation(
            name=self.name,
            passed=not problems,
            score=round(1 - len(bad) / len(spec.fields), 4),
            detail=problem_detail(
                problems,
                channel=spec.name,
                lengths={f.name: len(fields.get(f.name, "")) for f in spec.fields},
                limits={f.name: f.max_chars for f in spec.fields},
            ),
        )
