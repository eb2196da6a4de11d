"""Explainability: why an output is what it is (`engine.explain(id)`, `contentgen explain ID`)."""

from __future__ import annotations

from contentgen.explain.build import explain_output
from contentgen.explain.grounding import GroundingMap, grounding_map
from contentgen.explain.records import Explanation

__all__ = ["Explanation", "GroundingMap", "explain_output", "grounding_map"]
