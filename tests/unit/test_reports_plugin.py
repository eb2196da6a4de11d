"""The contentgen-reports plugin: a whole task (data_report) added with no edit to contentgen.

Everything runs with EchoGenerator or a scripted generator: no model loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import contentgen_reports
import pytest
from contentgen_reports import DataReportRequest, sales_derived, sports_derived
from contentgen_reports.check import ReportNumbers

from contentgen import Candidate, Engine, Generator, Prompt, ValidationError
from contentgen.checks.base import EvalInput
from contentgen.plugins import load_plugins, plugin_module
from contentgen.testing import TaskContract, echo_engine
from contentgen.types import ALL_TASKS, Task
from tests.unit.test_fuzz_cli import run_cli

BOX_SCORE = {
    "league": "City Basketball League",
    "date": "2024-03-12",
    "home": {"team": "Lions", "score": 98, "quarters": [24, 30, 20, 24]},
    "away": {"team": "Bears", "score": 91, "quarters": [22, 25, 28, 16]},
    "players": [
        {"name": "Ana Ruiz", "team": "Lions", "points": 31, "rebounds": 9},
        {"name": "Tom Berg", "team": "Bears", "points": 27, "rebounds": 4},
    ],
}
SALES_CSV = (
    "region,units,units_last_week,revenue_eur,revenue_eur_last_week\n"
    "North,1240,1100,18600,16500\n"
    "South,860,990,12900,14850\n"
)


class TestDataReportTask(TaskContract):
    """The contract every task meets, for data_report."""

    task_name = "data_report"

    @pytest.fixture
    def plugin(self) -> object:
        return contentgen_reports


def _verdict(text: str, request: DataReportRequest) -> Any:
    spec = contentgen_reports.SPEC
    facts = spec.facts(request.variables())
    return ReportNumbers().evaluate([EvalInput(task=spec.name, text=text, facts=facts)])[0]


@pytest.mark.parametrize(
    "text",
    [
        "The Lions beat the Bears 98-91 on 2024-03-12.",
        "A 7-point win: Ana Ruiz scored 31 points and took 9 rebounds.",  # the margin is derived
        "Tom Berg had twenty-seven points for the Bears.",
    ],
)
def test_a_recap_stating_only_data_and_declared_derivations_passes(text: str) -> None:
    verdict = _verdict(text, DataReportRequest(data=BOX_SCORE))
    assert verdict.passed, verdict.detail


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("The Lions beat the Bears 99-91.", ["99"]),
        ("Ana Ruiz scored 35 points.", ["35"]),
        ("The teams combined for 189 points.", ["189"]),  # a sum is no declared derivation
    ],
)
def test_a_recap_with_an_invented_number_is_rejected(text: str, invented: list[str]) -> None:
    verdict = _verdict(text, DataReportRequest(data=BOX_SCORE))
    assert not verdict.passed
    assert verdict.detail["invented_numbers"] == invented


def test_sales_changes_are_derived_week_over_week_and_only_those_pass() -> None:
    rows = [
        {"region": "North", "units": "1240", "units_last_week": "1100"},
        {"region": "South", "units": "860", "units_last_week": "990"},
    ]
    derived = sales_derived({"rows": rows})
    assert derived["rows"][1] == {
        "region": "South",
        "units_change": 130,
        "units_direction": "down",
        "units_change_share": "13.1%",
    }
    assert derived["totals"]["units"] == 2100 and derived["totals"]["units_change"] == 10
    request = DataReportRequest(kind="sales_summary", data={"rows": rows})
    good = "North sold 1,240 units, up 140 (12.7%); South fell 130 (-13.1%). Total: 2,100 units."
    assert _verdict(good, request).passed
    assert _verdict("Units rose 15% overall.", request).detail["invented_numbers"] == ["15%"]


def test_a_draw_has_no_winner_and_missing_scores_are_refused() -> None:
    assert sports_derived({"home_score": "80", "away_score": "80"}) == {"margin": 0}
    with pytest.raises(ValidationError, match="needs both scores"):
        DataReportRequest(data={"home": {"team": "Lions"}})
    with pytest.raises(ValidationError, match="units and units_last_week"):
        DataReportRequest(kind="sales_summary", data={"rows": [{"region": "North"}]})


class Inventor(Generator):
    """Writes a recap with the home score off by one: an invented number."""

    id: ClassVar[str] = "scripted:inventor"
    tasks: ClassVar[frozenset[Task]] = ALL_TASKS

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """The same wrong recap for every variant."""
        return [[Candidate(text="The Lions won 99-91.")] * p.n for p in prompts]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    inventor = plugin_module("scripted", register_generators=lambda register: register(Inventor))
    plugins = [("reports", contentgen_reports), ("scripted", inventor)]
    with echo_engine(tmp_path / "data", plugins=plugins, evaluators=[ReportNumbers()]) as built:
        yield built


def test_the_engine_rejects_a_report_with_an_invented_number(engine: Engine) -> None:
    request = DataReportRequest(data=BOX_SCORE, generator="scripted:inventor", seed=1)
    result = engine.generate(request)
    assert not result.outputs and result.rejected
    assert "report_numbers: number '99' is not in the data" in (result.rejected[0].reason or "")
    accepted = engine.generate(DataReportRequest(data=BOX_SCORE, seed=1))  # echo: data only
    assert accepted.outputs and "Lions" in (accepted.outputs[0].text or "")


def test_a_batch_job_writes_one_recap_per_row(engine: Engine, tmp_path: Path) -> None:
    games = tmp_path / "games.csv"
    games.write_text(
        "game,home_team,home_score,away_team,away_score\n"
        "G1,Lions,98,Bears,91\nG2,Hawks,70,Owls,77\nG3,Rams,,Cats,60\n",
        encoding="utf-8",
    )
    results = {r.key: r for r in engine.batch(games, task="data-report", key="game")}
    assert results["G1"].status == "done" and results["G2"].status == "done"
    assert results["G3"].status == "failed" and "needs both scores" in (results["G3"].error or "")
    recap = results["G2"].outputs[0]
    assert "Owls" in (recap.text or "") and recap.task == "data_report"


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's engine is an echo engine with the plugin and its gate: no model loads."""

    def built(cls: type[Engine], *args: Any, **kwargs: Any) -> Engine:
        plugins = [("reports", contentgen_reports)]
        return echo_engine(tmp_path / "data", plugins=plugins, evaluators=[ReportNumbers()])

    monkeypatch.setattr(Engine, "from_config", classmethod(built))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_cli_command_is_built_from_the_spec(cli_home: Path) -> None:
    code, output, escaped = run_cli(
        [
            "generate", "data-report", "--data", "home_team=Lions", "--data", "home_score=98",
            "--data", "away_team=Bears", "--data", "away_score=91", "--seed", "2", "--json",
        ]
    )  # fmt: skip
    assert (code, escaped) == (0, None), output
    result = json.loads(output)
    assert result["task"] == "data_report" and "Lions" in result["outputs"][0]["text"]


def test_the_cli_reads_a_sales_table_from_a_csv_file(cli_home: Path) -> None:
    (cli_home / "week11.csv").write_text(SALES_CSV, encoding="utf-8")
    argv = ["generate", "data-report", "--kind", "sales_summary", "--data-file", "week11.csv"]
    code, output, escaped = run_cli(argv)
    assert (code, escaped) == (0, None), output
    assert "North" in output and "1 output(s), 0 rejected" in output


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--kind", "poem", "--data", "home_score=1"], 2, "'poem' is not one of"),
        (["--data", "home_score=98"], 2, "needs both scores"),
        ([], 2, "data: give --data or --data-file"),
        (["--data-file", "nope.json"], 2, "does not exist"),
    ],
)
def test_bad_cli_input_is_a_clear_error(
    cli_home: Path, argv: list[str], code: int, message: str
) -> None:
    got, output, escaped = run_cli(["generate", "data-report", *argv])
    assert (got, escaped) == (code, None) and message in output, output


def test_the_installed_distribution_registers_through_its_entry_point() -> None:
    plugins = load_plugins()
    assert plugins.infos["reports"].error is None
    assert plugins.infos["reports"].tasks == ("data_report",)
    assert "report_numbers" in plugins.infos["reports"].evaluators
