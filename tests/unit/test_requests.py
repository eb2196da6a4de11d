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
from contentgen.tasks.registry import builtin_tasks


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


def test_task_names_accept_dashes_and_the_registry_lists_the_tasks_when_unknown() -> None:
    assert Task.parse("news-summary") == Task.NEWS_SUMMARY == "news_summary"
    assert Task.NEWS_SUMMARY.value == "news_summary"  # as when Task was an enum
    assert Task.parse("data_report") == "data_report"  # any snake_case name may be a task
    with pytest.raises(ValidationError, match="snake_case"):
        Task.parse("news summary!")
    with pytest.raises(ValidationError, match="customer_service"):
        builtin_tasks().get("poetry")
    with pytest.raises(ValidationError, match="unknown task 'poetry'"):
        request_from_dict("poetry", {})


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


@pytest.mark.parametrize(
    ("product", "field"),
    [
        ({"name": ""}, "product.name"),
        ({"name": "   "}, "product.name"),
        ({"name": None}, "product.name"),
        ({"title": "\t\n"}, "product.title"),
        ({"name": "", "title": "Mug"}, "product.name"),
    ],
)
def test_a_blank_product_name_or_title_is_rejected_on_construction(
    product: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        MarketingRequest(product=product)
    assert info.value.field == field and "must not be empty" in str(info.value)


@pytest.mark.parametrize("name", ["Mug", 0, 42, " Mug "])
def test_any_non_blank_name_is_a_name(name: object) -> None:
    assert MarketingRequest(product={"name": name}).product["name"] == name


# The cases (`--param temperature=hot` etc. arrive as these values) and their neighbours.
BAD_PARAMS = [
    ("temperature", "hot"),
    ("temperature", "[1]"),
    ("temperature", [1]),
    ("temperature", float("nan")),
    ("temperature", float("inf")),
    ("temperature", -5),
    ("temperature", True),
    ("temperature", None),
    ("max_new_tokens", 100_000),
    ("max_new_tokens", 0),
    ("max_new_tokens", 80.0),
    ("top_p", 0),
    ("top_p", 1.5),
    ("top_k", -1),
    ("stop", ""),
    ("stop", ["END", 3]),
    ("best_of", 0),
]


@pytest.mark.parametrize(("name", "value"), BAD_PARAMS, ids=[f"{n}={v!r}" for n, v in BAD_PARAMS])
@pytest.mark.parametrize(
    "build",
    [
        lambda p: MarketingRequest(product={"name": "Mug"}, params=p),
        lambda p: NewsSummaryRequest(article="Rates rose.", params=p),
        lambda p: CustomerServiceRequest(message="Where is it?", params=p),
        lambda p: ImageRequest(class_name="sneaker", params=p),
    ],
    ids=["marketing", "news", "service", "image"],
)
def test_bad_sampling_params_fail_on_construction_naming_the_field_and_range(
    build: object, name: str, value: object
) -> None:
    with pytest.raises(ValidationError) as info:
        build({name: value})  # type: ignore[operator]
    assert info.value.field == f"params.{name}"
    assert "must be" in info.value.problem and repr(value)[:20] in info.value.problem


def test_a_parameter_that_is_not_common_must_be_plain_json() -> None:
    with pytest.raises(ValidationError, match=r"params.season: must be plain JSON"):
        MarketingRequest(product={"name": "Mug"}, params={"season": object()})
    with pytest.raises(ValidationError, match=r"params.weights: must be plain JSON"):
        MarketingRequest(product={"name": "Mug"}, params={"weights": [1.0, float("nan")]})
    request = MarketingRequest(product={"name": "Mug"}, params={"season": "summer", "n": [1, 2]})
    assert dict(request.params) == {"season": "summer", "n": [1, 2]}
