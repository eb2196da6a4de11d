"""The data_report task: a sports recap from a box score, a weekly sales summary from a table.

The whole task is this module and its templates: the request type (whose fields become the
options of `contentgen generate data-report`), the documented derivations, and the TaskSpec
registered through `register_tasks`. `check.py` adds the gate that every number is grounded.

Numbers a report may state: those in the data, and only these derivations (shown to the model
too, under `derived`, so it need not compute them):

- sports_recap: the winning margin (`margin`, the absolute score difference), with `winner` and
  `loser`; scores are `home.score`/`away.score` (teams `home.team`/`away.team`) or the flat
  columns `home_score`/`away_score` (`home_team`/`away_team`) of a CSV row.
- sales_summary: for every column X with a partner `X_last_week` (in each of `rows`, or in the
  data itself for one row), the week-over-week change: its size (`X_change`), direction and
  share of last week to a tenth of a percent (`X_change_share`, "12.7%"); the same for the
  totals of each column over all rows (`totals`); and, in `readings`, those changes signed
  (-130, "-13.1%") and as whole percentages ("13%").
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

from contentgen import Route, TaskSpec, ValidationError, hookimpl
from contentgen.tasks.spec import CliOption, RowSpec
from contentgen.types import (
    MAX_VARIANTS,
    BaseRequest,
    Task,
    frozen_mapping,
    require_int,
    require_text,
)

NAME = Task("data_report")
KINDS = ("sports_recap", "sales_summary")
LAST_WEEK = "_last_week"


def number(value: Any) -> Decimal | None:
    """A data value as a number: ints, floats and text such as '98' or '12,400'; else None."""
    if isinstance(value, bool):
        return None
    text = str(value).strip().replace(",", "") if isinstance(value, str) else value
    try:
        found = Decimal(str(text)) if isinstance(text, int | float | str | Decimal) else None
    except InvalidOperation:
        return None
    return found if found is not None and found.is_finite() else None


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _percent(value: Decimal, places: str) -> str:
    return f"{_plain(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))}%"


def _side(data: Mapping[str, Any], side: str, key: str) -> Any:
    nested = data.get(side)
    return nested.get(key) if isinstance(nested, Mapping) else data.get(f"{side}_{key}")


def sports_derived(data: Mapping[str, Any]) -> dict[str, Any]:
    """The winning margin, winner and loser of a box score (empty without both scores)."""
    home, away = number(_side(data, "home", "score")), number(_side(data, "away", "score"))
    if home is None or away is None:
        return {}
    teams = {s: str(_side(data, s, "team") or s.title()) for s in ("home", "away")}
    derived: dict[str, Any] = {"margin": _plain(abs(home - away))}
    if home != away:
        winner, loser = ("home", "away") if home > away else ("away", "home")
        derived |= {"winner": teams[winner], "loser": teams[loser]}
    return derived


def _change(column: str, now: Decimal, before: Decimal, readings: list[Any]) -> dict[str, Any]:
    """A column's week-over-week change as shown; its other readings (signed, whole %) appended."""
    change = now - before
    shown: dict[str, Any] = {
        f"{column}_change": _plain(abs(change)),
        f"{column}_direction": "up" if change > 0 else "down" if change < 0 else "flat",
    }
    readings.append(_plain(change))
    if before != 0:
        share = change / before * 100
        shown[f"{column}_change_share"] = _percent(abs(share), "0.1")
        readings += [_percent(abs(share), "1"), _percent(share, "0.1"), _percent(share, "1")]
    return shown


def sales_derived(data: Mapping[str, Any]) -> dict[str, Any]:
    """Week-over-week changes per row and of the totals (empty without a column pair).

    `readings` holds the same changes written otherwise: signed, and as whole percentages.
    """
    rows = data["rows"] if isinstance(data.get("rows"), list) else [data]
    out_rows: list[dict[str, Any]] = []
    totals: dict[str, Decimal] = {}
    readings: list[Any] = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        derived = {k: v for k, v in row.items() if isinstance(v, str) and number(v) is None}
        for column in row:
            base = column.removesuffix(LAST_WEEK)
            now, before = number(row.get(base)), number(row[column])
            if column == base or now is None or before is None:
                continue
            derived |= _change(base, now, before, readings)
            totals[base] = totals.get(base, Decimal(0)) + now
            totals[column] = totals.get(column, Decimal(0)) + before
        out_rows.append(derived)
    if not totals:
        return {}
    total_row: dict[str, Any] = {k: _plain(v) for k, v in totals.items()}
    for column in [c for c in totals if not c.endswith(LAST_WEEK)]:
        total_row |= _change(column, totals[column], totals[column + LAST_WEEK], readings)
    return {"rows": out_rows, "totals": total_row, "readings": readings}


DERIVATIONS: Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "sports_recap": sports_derived,
    "sales_summary": sales_derived,
}
NEEDS = {
    "sports_recap": "both scores: home.score and away.score (or home_score and away_score)",
    "sales_summary": "this and last week's figures, e.g. units and units_last_week",
}


@dataclass(frozen=True, kw_only=True)
class DataReportRequest(BaseRequest):
    """A short report written from structured data: a game's box score or a week's sales."""

    task: ClassVar[Task] = NAME
    data: Mapping[str, Any] = field(
        metadata={
            "help": "A data point (repeat), e.g. home_score=98.",
            "json_help": 'All the data as a JSON object (a table as {"rows": [...]}).',
        }
    )
    kind: str = field(default="sports_recap", metadata={"choices": KINDS, "help": "What to write."})
    title: str | None = field(default=None, metadata={"help": "A headline to write under."})
    target_words: int = field(default=80, metadata={"help": "About how many words to write."})
    variants: int = field(default=1, metadata={"help": "How many reports to write."})

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "data", frozen_mapping(self.data, "data"))
        if self.kind not in KINDS:
            raise ValidationError("kind", f"unknown kind {self.kind!r}", KINDS)
        if not self.data or not DERIVATIONS[self.kind](self.data):
            raise ValidationError("data", f"a {self.kind} needs {NEEDS[self.kind]}")
        if self.title is not None:
            require_text(self.title, "title", max_chars=200)
        require_int(self.target_words, "target_words", 20, 400)
        require_int(self.variants, "variants", 1, MAX_VARIANTS)

    @property
    def n(self) -> int:
        """How many reports the request asks for."""
        return self.variants

    def variables(self) -> dict[str, Any]:
        """Template variables: the data, its documented derivations, title and length."""
        return {
            "data": dict(self.data),
            "derived": DERIVATIONS[self.kind](self.data),
            "title": self.title or "",
            "target_words": self.target_words,
            "kind": self.kind,
        }


def read_data_file(path: Path, fields: dict[str, Any]) -> None:
    """--data-file: a JSON or TOML mapping, or a CSV table (its rows as `rows`)."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".csv":
            loaded: Any = {"rows": list(csv.DictReader(io.StringIO(text)))}
        elif path.suffix.lower() == ".toml":
            loaded = tomllib.loads(text)
        else:
            loaded = json.loads(text)
    except (UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise ValidationError("--data-file", f"{path} cannot be read: {exc}") from None
    if isinstance(loaded, list):
        loaded = {"rows": loaded}
    if not isinstance(loaded, dict):
        raise ValidationError("--data-file", f"{path} holds no object or table")
    fields["data"] = {**loaded, **fields.get("data", {})}  # --data pairs win over the file


def template_for(request: DataReportRequest) -> str:
    """The kind's template: data_report/sports_recap or data_report/sales_summary."""
    return f"data_report/{request.kind}"


SPEC = TaskSpec(
    name=NAME,
    request_type=DataReportRequest,
    description="A sports recap from a box score, or a weekly sales summary from a table.",
    default_route=Route("builtin:transformers", params={"temperature": 0.3, "max_new_tokens": 160}),
    example={
        "data": {
            "home": {"team": "Lions", "score": 98},
            "away": {"team": "Bears", "score": 91},
        }
    },
    default_template=template_for,
    variant_field="variants",
    fact_fields=("data", "derived", "title"),
    row_mapping=RowSpec(
        fields=("kind", "title", "target_words"), nested="data", rest_to_nested=True
    ),
    cli_extras=(
        CliOption(
            "--data-file",
            "Read the data from a JSON or TOML file, or a table from a CSV file.",
            kind="input_file",
            fills="data",
            before=read_data_file,
        ),
    ),
)


@hookimpl
def register_tasks(register: Callable[[Any], None]) -> None:
    """Add the data_report task."""
    register(SPEC)


@hookimpl
def register_template_dirs(register: Callable[[Path], None]) -> None:
    """Add the data_report templates (sports_recap, sales_summary)."""
    register(Path(__file__).parent / "templates")


@hookimpl
def register_evaluators(register: Callable[[Any], None]) -> None:
    """Add the gate that every number in a report comes from the data."""
    from contentgen_reports.check import ReportNumbers

    register(ReportNumbers())
