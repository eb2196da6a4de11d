"""Requests validate early and name the field and the valid values."""

from __future__ import annotations

import pytest

from contentgen import (
    CustomerServiceRequest,
    ImageRequest,
    MarketingRequest,
    NewsSummaryRequest,
    Task,
    ValidationError,
)
from contentgen.requests_io import request_from_dict


def test_unknown_channel_names_the_valid_channels() -> None:
    with pytest.raises(ValidationError) as info:
        MarketingRequest(product={"name": "Mug"}, channel="billboard")
    assert info.value.field == "channel"
    assert "search_ad" in str(info.value) and "sms" in str(info.value)


@pytest.mark.parametrize("variants", [0, 17, -1, True, "3"])
def test_variants_out_of_range_are_rejected(variants: object) -> None:
    with pytest.raises(ValidationError, match="variants"):
        MarketingRequest(product={"name": "Mug"}, variants=variants)  # type: ignore[arg-type]


def test_product_needs_a_name() -> None:
    with pytest.raises(ValidationError, match="name"):
        MarketingRequest(product={"price": "9.99"})


def test_news_summary_rejects_an_unknown_style() -> None:
    with pytest.raises(ValidationError) as info:
        NewsSummaryRequest(article="Text.", style="haiku")
    assert info.value.choices == ("brief", "bullets", "headline")


def test_empty_customer_message_is_rejected() -> None:
    with pytest.raises(ValidationError, match="message: must not be empty"):
        CustomerServiceRequest(message="   ")


def test_image_request_needs_a_prompt_or_class() -> None:
    with pytest.raises(ValidationError, match="prompt"):
        ImageRequest()
    assert ImageRequest(class_name="sneaker", count=2).n == 2


def test_request_data_is_frozen_against_later_mutation() -> None:
    product = {"name": "Mug"}
    request = MarketingRequest(product=product)
    product["name"] = "Changed"
    assert request.product["name"] == "Mug"
    with pytest.raises(TypeError):
        request.product["name"] = "x"  # type: ignore[index]


def test_task_names_accept_dashes_and_list_the_tasks_when_unknown() -> None:
    assert Task.parse("news-summary") is Task.NEWS_SUMMARY
    with pytest.raises(ValidationError, match="customer_service"):
        Task.parse("poetry")


def test_request_from_dict_reports_unknown_and_missing_fields() -> None:
    request = request_from_dict("marketing", {"product": {"name": "Mug"}, "variants": 2})
    assert isinstance(request, MarketingRequest) and request.variants == 2
    with pytest.raises(ValidationError, match="colour"):
        request_from_dict("marketing", {"product": {"name": "Mug"}, "colour": "red"})
    with pytest.raises(ValidationError, match="article: is required"):
        request_from_dict("news_summary", {"title": "x"})


def test_seed_must_be_a_non_negative_32_bit_integer() -> None:
    with pytest.raises(ValidationError, match="seed"):
        MarketingRequest(product={"name": "Mug"}, seed=-5)
