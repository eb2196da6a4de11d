"""`news-summary --method auto` falls back to the extractive summary when a draft is defective."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import ClassVar

import pytest

from contentgen import NewsSummaryRequest
from contentgen.checks.defaults import default_evaluators
from contentgen.config import Route, Settings
from contentgen.engine import Engine
from contentgen.generator import Generator
from contentgen.plugins import load_plugins, plugin_module
from contentgen.types import Candidate, ModelInfo, Prompt, Task

LOOP = "Ærøskøbing — Ðørøskøb — Ðørøskøb — Ðørøskøb — Ðørøskøb — Ðørøskøb."
ARTICLE = (
    "The harbour of Ærøskøbing, a small town on the Danish island of Ærø, reopened on Saturday "
    "after a two-year renovation costing 48 million kroner. The new quay can take ferries of up "
    "to 120 metres. The town council expects 30,000 more visitors a year."
)


class LoopingSummariser(Generator):
    """Writes the decoding loop that issue 16 got back from `--method auto`."""

    id: ClassVar[str] = "testing:looping"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.NEWS_SUMMARY})

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """The same loop for every prompt."""
        return [[Candidate(text=LOOP) for _ in range(p.n)] for p in prompts]

    def model_info(self) -> ModelInfo:
        """No model."""
        return ModelInfo(model_id="loop", backend="rules")


@pytest.fixture
def looping_engine(settings: Settings) -> Iterator[Engine]:
    """An engine whose summariser loops, with no evaluators configured at all."""
    routes = {**settings.routes, Task.NEWS_SUMMARY: Route("testing:looping")}
    plugin = plugin_module(
        "testing", register_generators=lambda register: register(LoopingSummariser)
    )
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", plugin)])
    with Engine(replace(settings, routes=routes), plugins, evaluators=[]) as built:
        yield built


def test_a_looping_auto_summary_is_rejected_and_the_extractive_one_returned(
    looping_engine: Engine,
) -> None:
    result = looping_engine.generate(NewsSummaryRequest(article=ARTICLE, method="auto"))
    (output,) = result.outputs
    assert output.text and "Ðørøskøb" not in output.text
    assert output.provenance.generator_id == "builtin:extractive"
    assert output.provenance.fallback_from == "testing:looping"
    (rejected,) = result.rejected
    assert rejected.text == LOOP and rejected.reason and "repetition" in rejected.reason


def test_with_the_default_checks_an_abstractive_loop_is_rejected_not_returned(
    settings: Settings,
) -> None:
    # Only "auto" may swap generators; "abstractive" stores the loop as rejected, with its reason.
    routes = {**settings.routes, Task.NEWS_SUMMARY: Route("testing:looping")}
    plugin = plugin_module(
        "testing", register_generators=lambda register: register(LoopingSummariser)
    )
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", plugin)])
    checks = default_evaluators(None, embeddings=False)
    with Engine(replace(settings, routes=routes), plugins, evaluators=checks) as engine:
        result = engine.generate(NewsSummaryRequest(article=ARTICLE, method="abstractive"))
    assert result.outputs == ()
    assert result.rejected and all("repetition" in (r.reason or "") for r in result.rejected)
