"""Chat records for supervised fine-tuning, prompted exactly as contentgen prompts at run time.

Each request is rendered with contentgen's own templates (TemplateLibrary) from the request type's
variables as the engine prepares them (`requests_io.prompt_variables`), so a tuned model sees in
training the very system and user turns it will see in use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contentgen.checks.channels import CHANNELS
from contentgen.requests_io import prompt_variables
from contentgen.templates import RenderedPrompt, TemplateLibrary
from contentgen.types import (
    BaseRequest,
    CustomerServiceRequest,
    MarketingRequest,
    NewsSummaryRequest,
)

NEWS_TEMPLATES = {"headline": "news_summary/headline", "brief": "news_summary/brief",
                  "bullets": "news_summary/bullets"}  # fmt: skip


def marketing_request(
    product: Mapping[str, Any], channel: str, tone: str, audience: str
) -> MarketingRequest:
    """The request a user would make for this copy, with the brief exactly as the copy was
    written from it (no benefits filled in: a facts-only brief teaches copy for facts only)."""
    return MarketingRequest(
        product=product, channel=channel, tone=tone, audience=audience, suggestions="off"
    )


def support_request(record: Mapping[str, Any]) -> CustomerServiceRequest:
    """The request a user would make for this customer-service reply."""
    return CustomerServiceRequest(
        message=record["message"],
        context=record["context"],
        policy=record["policy"],
        tone=record["tone"],
    )


def news_request(record: Mapping[str, Any], style: str) -> NewsSummaryRequest:
    """The request for one news output; a headline is asked for without the title."""
    title = None if style == "headline" else record["headline"]
    return NewsSummaryRequest(
        article=record["article"], title=title, target_words=record["target_words"], style=style,
        method="abstractive",
    )  # fmt: skip


def render(library: TemplateLibrary, template_id: str, request: BaseRequest) -> RenderedPrompt:
    """The prompt contentgen renders for `request` with `template_id`."""
    return library.render(template_id, prompt_variables(request))


def chat(prompt: RenderedPrompt, answer: str, *, few_shot: bool = False) -> list[dict[str, str]]:
    """System, (few-shot turns,) user and assistant messages, as the text generators encode them."""
    messages = [{"role": "system", "content": prompt.system}] if prompt.system else []
    if few_shot:
        for asked, answered in prompt.examples:
            messages += [
                {"role": "user", "content": asked},
                {"role": "assistant", "content": answered},
            ]
    return [
        *messages,
        {"role": "user", "content": prompt.text},
        {"role": "assistant", "content": answer},
    ]


def channel_text(channel: str, fields: Mapping[str, str]) -> str:
    """The copy as the channel's answer format ('Headline: ...' lines; one field: its text)."""
    return CHANNELS[channel].render(fields)
