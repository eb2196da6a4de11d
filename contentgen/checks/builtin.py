"""The built-in evaluator plugin: registers the default evaluators through `register_evaluators`.

The brand evaluator is not registered here because it needs the user's brand kit; the engine
adds `BrandEvaluator.from_path(settings.brand_kit)` when `Settings.brand_kit` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contentgen.hookspecs import hookimpl


@hookimpl
def register_evaluators(register: Callable[[Any], None]) -> None:
    """Register channel, grounding, sentiment, offensive, readability and diversity."""
    from contentgen.checks.defaults import default_evaluators

    for evaluator in default_evaluators(None):
        register(evaluator)
