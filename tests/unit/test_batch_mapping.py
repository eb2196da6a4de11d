"""--map: row columns become requests per task; bad values are errors naming the column."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contentgen.batch.mapping import RowMapping, is_missing
from contentgen.batch.readers import InputRow
from contentgen.errors import BatchError, ValidationError
from contentgen.types import CustomerServiceRequest, MarketingRequest, NewsSummaryRequest

ROW = {"sku": "P-1", "title": "Trail Runner X", "price": "89.99", "color": "grey", "notes": ""}


def test_marketing_maps_facts_renames_and_passes_other_columns_through() -> None:
    mapping = RowMapping.build("marketing", ["name=title", "price_eur=price"], key="sku")
    request = mapping.to_request(ROW, {"variants": 3, "seed": 1})
    assert isinstance(request, MarketingRequest)
    assert dict(request.product) == {
        "name": "Trail Runner X",
        "price_eur": "89.99",
        "color": "grey",
    }
    assert request.variants == 3


def test_marketing_request_fields_and_explicit_product_prefix() -> None:
    mapping = RowMapping.build("marketing", {"product.name": "title", "audience": "segment"})
    request = mapping.to_request({"title": "Mug", "segment": "students"}, {"seed": 1})
    assert isinstance(request, MarketingRequest)
    assert request.audience == "students" and dict(request.product) == {"name": "Mug"}


def test_news_summary_maps_article_title_and_converts_numbers() -> None:
    mapping = RowMapping.build(
        "news_summary", ["article=body", "title=headline", "target_words=words"]
    )
    request = mapping.to_request(
        {"body": "Rates rose today.", "headline": "Rates", "words": "25"}, {}
    )
    assert isinstance(request, NewsSummaryRequest)
    assert (request.article, request.title, request.target_words) == (
        "Rates rose today.",
        "Rates",
        25,
    )
    with pytest.raises(ValidationError, match="column 'words' .*whole number"):
        mapping.to_request({"body": "x.", "headline": "y", "words": "many"}, {})


def test_customer_service_maps_message_and_context_columns() -> None:
    mapping = RowMapping.build("customer_service", ["message=text", "context.order_id=order"])
    values = {"text": "Where is my parcel?", "order": "A-17", "context.carrier": "DHL"}
    request = mapping.to_request(values, {})
    assert isinstance(request, CustomerServiceRequest)
    assert dict(request.context) == {"order_id": "A-17", "carrier": "DHL"}


def test_unknown_target_names_the_valid_ones() -> None:
    with pytest.raises(BatchError, match="valid: article, title"):
        RowMapping.build("news_summary", ["headline=title"])
    with pytest.raises(BatchError, match="TARGET=SOURCE"):
        RowMapping.build("marketing", ["name"])
    with pytest.raises(BatchError, match="text tasks"):
        RowMapping.build("image", [])


def test_missing_header_column_fails_before_any_work() -> None:
    mapping = RowMapping.build("marketing", ["name=title"], key="sku")
    mapping.check_columns(["sku", "title"])
    with pytest.raises(BatchError, match="column 'title' is not in the input .*sku, name"):
        mapping.check_columns(["sku", "name"])


def test_empty_missing_and_overlong_values_are_row_errors_naming_the_column() -> None:
    mapping = RowMapping.build("marketing", ["name=title"], max_field_chars=50)
    with pytest.raises(ValidationError, match="column 'title' .*is empty"):
        mapping.to_request({**ROW, "title": "  "}, {})
    with pytest.raises(ValidationError, match="column 'title' .*missing"):
        mapping.to_request({"sku": "P-1"}, {})
    with pytest.raises(ValidationError, match="60 characters; the limit is 50"):
        mapping.to_request({**ROW, "color": "x" * 60}, {})


def test_row_key_from_key_column_or_row_number() -> None:
    keyed = RowMapping.build("marketing", key="sku")
    assert keyed.row_key(InputRow(4, ROW)) == "P-1"
    assert keyed.row_key(InputRow(4, {**ROW, "sku": ""})) == "#5"
    assert keyed.key_problem(InputRow(4, {**ROW, "sku": ""})) == "the key column 'sku' is empty"
    assert RowMapping.build("marketing").row_key(InputRow(0, ROW)) == "#1"


def test_zero_false_and_zero_point_zero_are_values_not_missing() -> None:
    # From Parquet or JSONL a product named 0 (a number column) or a false flag is a fact.
    mapping = RowMapping.build("marketing", key="sku")
    values = {"sku": 0, "name": 0, "price": 0.0, "in_stock": False, "stock": 0}
    request = mapping.to_request(values, {"seed": 1})
    assert dict(request.product) == {"name": 0, "price": 0.0, "in_stock": False, "stock": 0}
    assert (
        mapping.row_key(InputRow(3, values)) == "0"
        and mapping.key_problem(InputRow(3, values)) is None
    )
    named_false = mapping.to_request({"sku": "A", "name": False}, {"seed": 1})
    assert dict(named_false.product) == {"name": False}


@pytest.mark.parametrize("missing", [None, float("nan"), Decimal("NaN"), "", "  ", [], {}])
def test_only_none_nan_blank_text_and_empty_lists_are_missing(missing: object) -> None:
    assert is_missing(missing)
    mapping = RowMapping.build("marketing", key="sku")
    assert dict(mapping.to_request({"sku": "A", "name": "Mug", "x": missing}, {}).product) == {
        "name": "Mug"
    }
    with pytest.raises(ValidationError, match="column 'name' .*is empty"):
        mapping.to_request({"sku": "A", "name": missing}, {})
    assert mapping.key_problem(InputRow(0, {"sku": missing, "name": "Mug"})) is not None


@pytest.mark.parametrize("value", [0, 0.0, False, "0", Decimal(0), [0], {"a": None}])
def test_falsy_values_are_not_missing(value: object) -> None:
    assert not is_missing(value)


def test_values_json_cannot_store_are_row_errors_naming_the_column() -> None:
    mapping = RowMapping.build("marketing")
    for value in (float("inf"), [1.0, float("-inf")], {"w": Decimal("Infinity")}):
        with pytest.raises(ValidationError, match="column 'weight' .*infinite number"):
            mapping.to_request({"name": "Mug", "weight": value}, {})
    deep: list[object] = []
    for _ in range(900):  # JSONL parses this; storing it would exceed the recursion limit
        deep = [deep]
    with pytest.raises(ValidationError, match="column 'weight' .*more than 32 levels deep"):
        mapping.to_request({"name": "Mug", "weight": deep}, {})
    shallow = {"a": [{"b": [1, 2]}]}
    assert mapping.to_request({"name": "Mug", "weight": shallow}, {}).product["weight"] == shallow


def test_a_failing_row_keeps_its_key() -> None:
    mapping = RowMapping.build("marketing", key="sku")
    broken = InputRow(7, {"sku": "P-8", "title": "caf\udce9"}, "column 'title' is not UTF-8")
    assert mapping.row_key(broken) == "P-8"
    undecodable_key = InputRow(7, {"sku": "P\udce9"}, "column 'sku' is not UTF-8")
    assert mapping.row_key(undecodable_key) == "#8"  # bytes that cannot be stored never are
