"""The plugin task data_report with the real default model (SmolLM2) through the engine (slow)."""

from __future__ import annotations

import re
from pathlib import Path

import contentgen_reports
import pytest
from contentgen_reports import DataReportRequest
from contentgen_reports.check import ReportNumbers

from contentgen import Engine
from contentgen.checks.base import EvalInput

pytestmark = pytest.mark.slow

BOX_SCORE = {
    "home": {"team": "Lions", "score": 98},
    "away": {"team": "Bears", "score": 91},
    "players": [{"name": "Ana Ruiz", "team": "Lions", "points": 31}],
}


def test_the_default_model_writes_a_recap_whose_accepted_numbers_are_all_grounded(
    tmp_path: Path,
) -> None:
    plugins = [("reports", contentgen_reports)]
    with Engine.from_config(
        data_dir=tmp_path, use_entry_points=False, extra_plugins=plugins
    ) as engine:
        assert engine.settings.route("data_report").generator == "builtin:transformers"
        result = engine.generate(DataReportRequest(data=BOX_SCORE, variants=3, seed=5))
    produced = [*result.outputs, *result.rejected]
    assert produced, "the model produced nothing"
    texts = [o.text or "" for o in produced]
    assert any(re.search(r"\b(Lions|Bears)\b", t) for t in texts), texts
    facts = contentgen_reports.SPEC.facts(DataReportRequest(data=BOX_SCORE).variables())
    for output in result.outputs:  # what is returned never states an invented number
        item = EvalInput(task="data_report", text=output.text or "", facts=facts)
        assert ReportNumbers().evaluate([item])[0].passed, output.text
    for output in result.rejected:  # and what is not returned says why
        assert output.reason, output.text
