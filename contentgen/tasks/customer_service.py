"""The customer_service task: a reply draft to one customer message, grounded in order facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from contentgen.config import Route
from contentgen.errors import ValidationError
from contentgen.tasks.spec import RowSpec, TaskSpec
from contentgen.types import (
    MAX_VARIANTS,
    TONES,
    BaseRequest,
    Task,
    frozen_mapping,
    require_int,
    require_text,
)

NAME = Task.CUSTOMER_SERVICE


@dataclass(frozen=True, kw_only=True)
class CustomerServiceRequest(BaseRequest):
    """A reply draft to one customer message, grounded in order facts and policy notes."""

    task: ClassVar[Task] = NAME
    message: str = field(metadata={"help": "The customer's message."})
    context: Mapping[str, Any] = field(
        default_factory=dict, metadata={"help": "An order/account fact (repeat)."}
    )
    policy: str | None = field(
        default=None, metadata={"help": "Policy notes the reply must follow."}
    )
    tone: str = field(default="empathetic", metadata={"choices": TONES})
    variants: int = field(default=1, metadata={"help": "How many reply drafts to write."})

    def __post_init__(self) -> None:
        super().__post_init__()
        require_text(self.message, "message", max_chars=20_000)
        object.__setattr__(self, "context", frozen_mapping(self.context, "context"))
        if self.policy is not None:
            require_text(self.policy, "policy", max_chars=20_000)
        if self.tone not in TONES:
            raise ValidationError("tone", f"unknown tone {self.tone!r}", TONES)
        require_int(self.variants, "variants", 1, MAX_VARIANTS)

    @property
    def n(self) -> int:
        """How many reply drafts the request asks for."""
        return self.variants

    def variables(self) -> dict[str, Any]:
        """Template variables: the message, order/context facts, policy notes and tone."""
        return {
            "message": self.message,
            "context": dict(self.context),
            "policy": self.policy or "",
            "tone": self.tone,
        }


def _template(request: CustomerServiceRequest) -> str:
    return "customer_service/reply"


SPEC = TaskSpec(
    name=NAME,
    request_type=CustomerServiceRequest,
    description="Draft a reply to a customer message, grounded in order facts and policy.",
    default_route=Route(
        "builtin:transformers",
        template="customer_service/reply",
        params={"temperature": 0.7, "max_new_tokens": 200},
    ),
    example={"message": "Where is my order A-1001?", "context": {"order_id": "A-1001"}},
    default_template=_template,
    variant_field="variants",
    # Customer messages and order facts are personal data: redacted before prompt, DB and logs.
    redacted_fields=("message", "context", "policy"),
    fact_fields=("message", "context", "policy"),
    row_mapping=RowSpec(
        fields=("message", "policy", "tone"),
        nested="context",
        required=("message",),
        long_fields=frozenset({"message", "policy"}),
    ),
)
