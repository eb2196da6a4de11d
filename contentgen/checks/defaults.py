"""The default evaluator set, in run order, and the brand evaluator for a kit file.

Gates (a failed verdict rejects the output): channel, brand, grounding, the quality detectors of
`contentgen.checks` (leaks, repetition, truncation, name_fidelity, polarity, numbers, policy,
instructions, meta_commentary, example_words, attributes, off_topic), offensive, output_guard.
Scores only: stereotypes (a gate with the setting `stereotype_gate`), sentiment, readability,
diversity. Heavy libraries load inside `evaluate`.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from contentgen.checks.base import Evaluator
from contentgen.checks.brand import BrandEvaluator
from contentgen.checks.channel import ChannelEvaluator
from contentgen.checks.detectors import quality_detectors
from contentgen.checks.diversity import DiversityEvaluator
from contentgen.checks.grounding import GroundingEvaluator
from contentgen.checks.offensive import OffensiveEvaluator
from contentgen.checks.output_guard import OutputGuard
from contentgen.checks.readability import ReadabilityEvaluator
from contentgen.checks.sentiment import SentimentEvaluator
from contentgen.checks.stereotypes import StereotypeCheck

log = logging.getLogger(__name__)


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
    # Numbers are the `numbers` detector's, so a wrong price is one rejection reason, not two.
    evaluators.append(GroundingEvaluator(check_numbers=False))
    evaluators += quality_detectors()
    evaluators.append(StereotypeCheck())  # advisory; Engine makes it a gate on stereotype_gate
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
    evaluators.append(OutputGuard())
    if _installed("textstat"):
        evaluators.append(ReadabilityEvaluator())
    else:
        log.warning("textstat is not installed: the readability evaluator is off")
    evaluators.append(DiversityEvaluator(embeddings=embeddings))
    return evaluators


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
