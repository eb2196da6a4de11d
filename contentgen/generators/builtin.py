"""The built-in plugin: registers contentgen's own generators through the same hook as third parties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contentgen.feedback.evaluators.builtin import register_evaluators
from contentgen.hookspecs import hookimpl

__all__ = ["register_evaluators", "register_generators"]


@hookimpl
def register_generators(register: Callable[[type[Any]], None]) -> None:
    """Register the built-in text and image generators (their modules import no torch)."""
    from contentgen.generators.ctranslate2_gen import CTranslate2Generator
    from contentgen.generators.diffusers_gen import DiffusersGenerator
    from contentgen.generators.extractive import ExtractiveSummarizer
    from contentgen.generators.image_models import GanGenerator, VaeGenerator
    from contentgen.generators.openvino_gen import OpenVINOGenerator
    from contentgen.generators.transformers_gen import TransformersGenerator

    register(TransformersGenerator)
    register(CTranslate2Generator)
    register(OpenVINOGenerator)
    register(ExtractiveSummarizer)
    register(GanGenerator)
    register(VaeGenerator)
    register(DiffusersGenerator)
