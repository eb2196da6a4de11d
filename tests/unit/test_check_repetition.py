"""Repetition: loops, repeated sentences and overused words are rejected; emphasis is not."""

from __future__ import annotations

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.repetition import RepetitionCheck, tandem
from contentgen.types import Task


def _kinds(text: str, task: Task = Task.NEWS_SUMMARY) -> list[str]:
    item = EvalInput(task=task, text=text)
    return [p["kind"] for p in RepetitionCheck().evaluate([item])[0].detail["problems"]]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Ærøskøbing — Ðørøskøb — Ðørøskøb — Ðørøskøb — Ðørøskøb.", "loop"),
        ("Great grip # # # # for trails.", "loop"),
        ("Tone: friendly Tone: friendly Tone: friendly.", "loop"),
        ("Light and fast. Light and fast. For every runner.", "repeated_sentence"),
        (
            "Non-slip sole, non-slip grip, non-slip tread and non-slip comfort: non-slip boots.",
            "overused_word",
        ),
    ],
)
def test_decoding_loops_and_padding_are_rejected(text: str, kind: str) -> None:
    assert kind in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Very, very comfortable boots for long days on the trail.",
        "Step by step, mile by mile, the boots keep you dry.",
        "The Alpine Hiking Boot is light. The sole grips wet rock, and the Alpine Hiking Boot "
        "dries overnight, so the Alpine Hiking Boot is ready again tomorrow.",
    ],
)
def test_ordinary_emphasis_and_a_repeated_product_name_pass(text: str) -> None:
    assert _kinds(text, Task.MARKETING) == []


def test_tandem_finds_the_first_back_to_back_repeat() -> None:
    assert tandem(["a", "b", "c", "a", "b", "c"]) == (0, 3, 2)
    assert tandem(["very", "very", "good"]) is None
    assert tandem(["#", "#", "#"]) == (0, 1, 3)
