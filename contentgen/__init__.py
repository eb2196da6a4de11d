"""contentgen: generate marketing copy, news summaries, customer-service replies and images with your
own models; every output stored with provenance and ratings that shape what is generated next.

Public API re-exports only; importing this package never imports torch.
"""

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
