"""Built-in automatic evaluators, run on every output and stored beside it.

Gates (a failed verdict rejects the output): channel, brand, grounding, offensive.
Scores only: sentiment, readability, diversity. Heavy libraries load inside `evaluate`.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from contentgen.evaluation import Evaluator
from contentgen.feedback.evaluators.brand import BrandEvaluator
from contentgen.feedback.evaluators.channel import ChannelEvaluator
from contentgen.feedback.evaluators.diversity import DiversityEvaluator
from contentgen.feedback.evaluators.grounding import GroundingEvaluator
from contentgen.feedback.evaluators.offensive import OffensiveEvaluator
from contentgen.feedback.evaluators.readability import ReadabilityEvaluator
from contentgen.feedback.evaluators.sentiment import SentimentEvaluator

log = logging.getLogger(__name__)

__all__ = [
    "BrandEvaluator",
    "ChannelEvaluator",
    "DiversityEvaluator",
    "GroundingEvaluator",
    "OffensiveEvaluator",
    "ReadabilityEvaluator",
    "SentimentEvaluator",
    "brand_evaluator",
    "default_evaluators",
]


def brand_evaluator(path: str | Path) -> BrandEvaluator:
    """The brand evaluator for the kit file at `path` (ConfigError when missing or malformed)."""
    return BrandEvaluator.from_path(path)


def default_evaluators(
    brand_kit_path: Path | None = None, *, embeddings: bool | None = None
) -> list[Evaluator]:
    """The default set in run order; the brand evaluator only when a brand kit file is given.

    `embeddings` picks the diversity similarity: MiniLM (True), lexical (False, no torch), or
    MiniLM when installed (None). A malformed brand kit raises ConfigError here, at start-up.
    """
    evaluators: list[Evaluator] = [ChannelEvaluator()]
    if brand_kit_path is not None:
        evaluators.append(BrandEvaluator.from_path(brand_kit_path))
    evaluators.append(GroundingEvaluator())
    # Model-backed evaluators join only when their package is installed (the `eval` extra), so a
    # minimal install still generates instead of failing every output at evaluation time.
    if _installed("vaderSentiment"):
        evaluators.append(SentimentEvaluator())
    else:
        log.warning("vaderSentiment is not installed: the sentiment evaluator is off")
    if _installed("profanity_check"):
        evaluators.append(OffensiveEvaluator())
    else:
        log.warning("alt-profanity-check is not installed: the offensive-language gate is off")
    from contentgen.safety.output_guard import OutputGuard

    evaluators += [OutputGuard(), ReadabilityEvaluator(), DiversityEvaluator(embeddings=embeddings)]
    return evaluators


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
