"""The built-in plugin: registers contentgen's own generators through the same hook as third parties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contentgen.checks.builtin import register_evaluators
from contentgen.hookspecs import hookimpl
from contentgen.tasks.builtin import register_tasks

__all__ = ["register_evaluators", "register_generators", "register_tasks"]


@hookimpl
def register_generators(register: Callable[[type[Any]], None]) -> None:
    """Register the built-in text and image generators (their modules import no torch)."""
    from contentgen.creatives.composer import Composer
    from contentgen.generators.auto_gen import AutoGenerator
    from contentgen.generators.ctranslate2_gen import CTranslate2Generator
    from contentgen.generators.diffusers_gen import DiffusersGenerator
    from contentgen.generators.extractive import ExtractiveSummarizer
    from contentgen.generators.openai_gen import OpenAIGenerator
    from contentgen.generators.openvino_gen import OpenVINOGenerator
    from contentgen.generators.trained_images import GanGenerator, VaeGenerator
    from contentgen.generators.transformers_gen import TransformersGenerator

    register(TransformersGenerator)
    register(CTranslate2Generator)
    register(OpenVINOGenerator)
    register(AutoGenerator)
    register(OpenAIGenerator)
    register(ExtractiveSummarizer)
    register(GanGenerator)
    register(VaeGenerator)
    register(DiffusersGenerator)
    register(Composer)
