"""contentgen: generate marketing copy, news summaries, customer-service replies and images with your
own models; every output stored with provenance and ratings that shape what is generated next.

Public API re-exports only, each imported on first use (PEP 562): importing this package, or
any of its modules (a render worker, the CLI), never imports the engine and its checks until they
are asked for, and never imports torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from contentgen.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from contentgen.config import Route, Settings, load_settings
    from contentgen.engine import Engine
    from contentgen.errors import (
        ConfigError,
        ContentgenError,
        GeneratorError,
        PluginError,
        TemplateError,
        UnknownNameError,
        ValidationError,
    )
    from contentgen.generator import Generator
    from contentgen.hookspecs import hookimpl
    from contentgen.tasks.customer_service import CustomerServiceRequest
    from contentgen.tasks.image import ImageRequest
    from contentgen.tasks.marketing import MarketingRequest
    from contentgen.tasks.news_summary import NewsSummaryRequest
    from contentgen.tasks.spec import TaskSpec
    from contentgen.types import (
        BaseRequest,
        Candidate,
        ModelInfo,
        Output,
        Prompt,
        PromptError,
        Rating,
        Result,
        Task,
    )

# Each public name and the module that defines it.
_HOMES = {
    "BaseRequest": "contentgen.types",
    "Candidate": "contentgen.types",
    "ConfigError": "contentgen.errors",
    "ContentgenError": "contentgen.errors",
    "CustomerServiceRequest": "contentgen.tasks.customer_service",
    "Engine": "contentgen.engine",
    "Generator": "contentgen.generator",
    "GeneratorError": "contentgen.errors",
    "ImageRequest": "contentgen.tasks.image",
    "MarketingRequest": "contentgen.tasks.marketing",
    "ModelInfo": "contentgen.types",
    "NewsSummaryRequest": "contentgen.tasks.news_summary",
    "Output": "contentgen.types",
    "PluginError": "contentgen.errors",
    "Prompt": "contentgen.types",
    "PromptError": "contentgen.types",
    "Rating": "contentgen.types",
    "Result": "contentgen.types",
    "Route": "contentgen.config",
    "Settings": "contentgen.config",
    "Task": "contentgen.types",
    "TaskSpec": "contentgen.tasks.spec",
    "TemplateError": "contentgen.errors",
    "UnknownNameError": "contentgen.errors",
    "ValidationError": "contentgen.errors",
    "hookimpl": "contentgen.hookspecs",
    "load_settings": "contentgen.config",
}

__all__ = [
    "BaseRequest",
    "Candidate",
    "ConfigError",
    "ContentgenError",
    "CustomerServiceRequest",
    "Engine",
    "Generator",
    "GeneratorError",
    "ImageRequest",
    "MarketingRequest",
    "ModelInfo",
    "NewsSummaryRequest",
    "Output",
    "PluginError",
    "Prompt",
    "PromptError",
    "Rating",
    "Result",
    "Route",
    "Settings",
    "Task",
    "TaskSpec",
    "TemplateError",
    "UnknownNameError",
    "ValidationError",
    "hookimpl",
    "load_settings",
]

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
