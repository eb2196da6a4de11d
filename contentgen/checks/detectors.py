"""The quality detectors of issue 16, in run order: what a reviewer would reject copy for."""

from __future__ import annotations

from contentgen.checks.agreement import AgreementCheck
from contentgen.checks.articles import ArticlesCheck
from contentgen.checks.attributes import AttributeCheck
from contentgen.checks.benefits import BenefitsCheck
from contentgen.checks.detector import Detector
from contentgen.checks.example_words import ExampleWordsCheck
from contentgen.checks.form import FormCheck
from contentgen.checks.hashtags import HashtagCheck
from contentgen.checks.instructions import InstructionCheck
from contentgen.checks.leaks import LeakCheck
from contentgen.checks.meta import MetaCommentaryCheck
from contentgen.checks.name_fidelity import NameFidelityCheck
from contentgen.checks.number_sense import NumberSenseCheck
from contentgen.checks.numbers import NumbersCheck
from contentgen.checks.off_topic import OffTopicCheck
from contentgen.checks.polarity import PolarityCheck
from contentgen.checks.policy import PolicyCheck
from contentgen.checks.purpose import PurposeCheck
from contentgen.checks.repetition import RepetitionCheck
from contentgen.checks.spec_claims import SpecClaimsCheck
from contentgen.checks.spelling import SpellingCheck
from contentgen.checks.tone import ToneCheck
from contentgen.checks.truncation import TruncationCheck
from contentgen.checks.unsupported_claims import UnsupportedClaimsCheck

DETECTOR_TYPES: tuple[type[Detector], ...] = (
    LeakCheck,
    RepetitionCheck,
    TruncationCheck,
    NameFidelityCheck,
    PolarityCheck,
    NumbersCheck,
    NumberSenseCheck,
    PolicyCheck,
    InstructionCheck,
    MetaCommentaryCheck,
    ExampleWordsCheck,
    AttributeCheck,
    OffTopicCheck,
    UnsupportedClaimsCheck,
    BenefitsCheck,
    PurposeCheck,
    SpecClaimsCheck,
    HashtagCheck,
    FormCheck,
    ArticlesCheck,
    AgreementCheck,
    ToneCheck,
    SpellingCheck,
)
DETECTOR_NAMES: tuple[str, ...] = tuple(t.name for t in DETECTOR_TYPES)


def quality_detectors() -> list[Detector]:
    """A fresh instance of every detector, in run order (all gate, none loads a model)."""
    return [t() for t in DETECTOR_TYPES]
