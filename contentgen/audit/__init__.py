"""Audits of what generators write: `audit_bias` runs counterfactual pairs through the engine.

The report (`BiasReport`) gives, per generator, attribute and measure, the paired difference
with a bootstrap interval, a permutation test and Holm's correction; `to_markdown()` and
`to_dict()` render it.
"""

from contentgen.audit.attributes import ATTRIBUTE_NAMES, ATTRIBUTES, Attribute, CounterfactualPair
from contentgen.audit.bias import audit_bias
from contentgen.audit.measures import MEASURE_NAMES, MEASURES, Measure
from contentgen.audit.report import BiasReport, Effect, PairRecord
from contentgen.errors import BiasFoundError

__all__ = [
    "ATTRIBUTES",
    "ATTRIBUTE_NAMES",
    "MEASURES",
    "MEASURE_NAMES",
    "Attribute",
    "BiasFoundError",
    "BiasReport",
    "CounterfactualPair",
    "Effect",
    "Measure",
    "PairRecord",
    "audit_bias",
]
