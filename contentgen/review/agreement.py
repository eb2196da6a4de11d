"""How much reviewers agree, per template and criterion: Krippendorff's alpha (ordinal, 1-5).

Alpha comes from the `krippendorff` package (PyPI, the `web` extra). It uses every output that
two or more reviewers scored on the criterion and tolerates missing scores; 1 is perfect
agreement, 0 what chance would give, below 0 systematic disagreement. Krippendorff's own reading
is used for the verdict: >= 0.8 reliable, >= 0.667 tentative, below that low. Each reviewer's
latest score per output counts (`contentgen.storage.team.judgements`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from contentgen.review.rubrics import Rubric
from contentgen.storage import team
from contentgen.storage.store import Store

RELIABLE, TENTATIVE = 0.8, 0.667
OVERALL = "overall"
NO_TEMPLATE = "(no template)"


@dataclass(frozen=True)
class AgreementRow:
    """Agreement on one criterion of one template's outputs."""

    template: str
    criterion: str
    label: str
    alpha: float | None
    units: int
    raters: int
    scores: int
    note: str = ""

    @property
    def verdict(self) -> str:
        """'reliable', 'tentative', 'low', or '' when alpha is undefined."""
        if self.alpha is None:
            return ""
        if self.alpha >= RELIABLE:
            return "reliable"
        return "tentative" if self.alpha >= TENTATIVE else "low"


def alpha(values: Mapping[str, Mapping[str, int]]) -> float | None:
    """Ordinal alpha of {rater: {output: score}}; None when no output has two scores or every
    score is the same (no disagreement to measure)."""
    if not _pairable(values):
        return None
    import krippendorff
    import numpy as np

    raters = sorted(values)
    units = sorted({u for scored in values.values() for u in scored})
    data = np.full((len(raters), len(units)), np.nan)
    column = {u: i for i, u in enumerate(units)}
    for row, rater in enumerate(raters):
        for unit, score in values[rater].items():
            data[row, column[unit]] = score
    with np.errstate(invalid="ignore", divide="ignore"):  # no disagreement at all: 0 / 0
        result = float(
            krippendorff.alpha(
                reliability_data=data,
                level_of_measurement="ordinal",
                value_domain=list(range(1, 6)),
            )
        )
    return None if math.isnan(result) else result


def _pairable(values: Mapping[str, Mapping[str, int]]) -> bool:
    counts: dict[str, int] = defaultdict(int)
    for scored in values.values():
        for unit in scored:
            counts[unit] += 1
    return any(n >= 2 for n in counts.values())


def agreement(store: Store, labels: Mapping[str, str] | None = None) -> list[AgreementRow]:
    """One row per (template, criterion) that any reviewer scored, overall score first."""
    grouped: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(dict)
    for j in team.judgements(store):
        key = (j.template_id or NO_TEMPLATE, j.criterion)
        grouped[key].setdefault(j.rater, {})[j.output_id] = j.value
    rows = []
    names = {OVERALL: "Overall score", **(labels or {})}
    for (template, criterion), values in grouped.items():
        value = alpha(values)
        counts: dict[str, int] = defaultdict(int)
        for scored in values.values():
            for unit in scored:
                counts[unit] += 1
        units = sum(1 for n in counts.values() if n >= 2)
        note = ""
        if value is None:
            note = (
                "no output scored by two reviewers yet"
                if not units
                else "every score the same: nothing to measure"
            )
        rows.append(
            AgreementRow(
                template=template,
                criterion=criterion,
                label=names.get(criterion, criterion.replace("_", " ").capitalize()),
                alpha=value,
                units=units,
                raters=len(values),
                scores=sum(counts.values()),
                note=note,
            )
        )
    return sorted(rows, key=lambda r: (r.template, r.criterion != OVERALL, r.criterion))


def criterion_labels(rubrics: Sequence[Rubric]) -> dict[str, str]:
    """{criterion name: label} over rubrics (the first rubric naming a criterion wins)."""
    labels: dict[str, str] = {}
    for rubric in rubrics:
        for c in rubric.criteria:
            labels.setdefault(c.name, c.label)
    return labels
