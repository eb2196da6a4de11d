"""Personal data is redacted before prompts, storage and logs; order ids, SKUs, prices are not.

The corpus (tests/unit/pii_corpus.py) covers 22 countries; its figures go to the reliability table.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contentgen.requests_io import prompt_variables, request_payload
from contentgen.safety.pii import (
    FIELD_NAMES,
    PLACEHOLDER,
    PiiLogFilter,
    PiiRedactor,
    field_kind,
    iban_ok,
    install_log_redaction,
    luhn_ok,
    redact,
    redact_mapping,
)
from contentgen.types import CustomerServiceRequest
from tests.fuzzing import examples
from tests.reliability_figures import record
from tests.unit.pii_corpus import CUED, FIELD_NAME_CASES, NEGATIVES, POSITIVES

# (kind, value) pairs that must be redacted however their digit groups are separated.
SEPARATED: list[tuple[str, list[str]]] = [
    ("CARD", ["4111", "1111", "1111", "1111"]),
    ("CARD", ["3782", "822463", "10005"]),
    ("IBAN", ["DE89", "3704", "0044", "0532", "0130", "00"]),
    ("IBAN", ["FR14", "2004", "1010", "0505", "0001", "3M02", "606"]),
    ("PHONE", ["+33", "6", "12", "34", "56", "78"]),
    ("PHONE", ["+49", "30", "1234567"]),
    ("PHONE", ["020", "7946", "0958"]),
    ("PHONE", ["06", "12", "34", "56", "78"]),
    ("PHONE", ["212", "555", "0199"]),
    ("PHONE", ["699", "123", "456"]),
    ("ID", ["536", "90", "4399"]),
    ("ID", ["2341", "2341", "2346"]),
]
SEPARATORS = {"space": " ", "dot": ".", "dash": "-", "slash": "/", "none": ""}
# Which separators people use for each kind ("+33/6/12/34/56/78" is nobody's phone number).
SEPARATORS_BY_KIND = {
    "CARD": ("space", "dot", "dash", "slash", "none"),
    "IBAN": ("space", "dot", "dash", "none"),
    "PHONE": ("space", "dot", "dash", "none"),
    "ID": ("space", "dash"),
}


@pytest.mark.parametrize(
    ("country", "kind", "value"), POSITIVES, ids=[f"{c}-{k}:{v}" for c, k, v in POSITIVES]
)
def test_personal_data_is_replaced_by_a_placeholder(country: str, kind: str, value: str) -> None:
    result = redact(f"Hi, it's about {value} - thanks!")
    assert result.text == f"Hi, it's about [{kind}_1] - thanks!", country
    assert dict(result.counts) == {kind: 1}


@pytest.mark.parametrize(
    ("country", "kind", "sentence", "value"), CUED, ids=[f"{c}-{k}:{v}" for c, k, _, v in CUED]
)
def test_a_bare_number_is_personal_data_where_the_sentence_says_so(
    country: str, kind: str, sentence: str, value: str
) -> None:
    assert redact(sentence.format(value) + ". Thanks").text == (
        sentence.format(f"[{kind}_1]") + ". Thanks"
    ), country
    if value.isdigit():  # the same run of digits, unexplained, is an order number as often
        assert not redact(f"Thanks for {value} today").changed


@pytest.mark.parametrize(("category", "text"), NEGATIVES, ids=[f"{c}:{t}" for c, t in NEGATIVES])
def test_business_data_is_left_alone(category: str, text: str) -> None:
    result = redact(f"Please check {text} today.")
    assert result.text == f"Please check {text} today." and result.total == 0, category


@pytest.mark.parametrize(
    ("kind", "groups", "separator"),
    [(k, g, s) for k, g in SEPARATED for s in SEPARATORS_BY_KIND[k]],
    ids=[f"{k}-{s}:{''.join(g)}" for k, g in SEPARATED for s in SEPARATORS_BY_KIND[k]],
)
def test_every_number_kind_is_found_whatever_separates_its_groups(
    kind: str, groups: list[str], separator: str
) -> None:
    value = SEPARATORS[separator].join(groups)
    sentence = "my phone is {}." if kind == "PHONE" and separator == "none" else "see {}."
    assert redact(sentence.format(value)).text == sentence.format(f"[{kind}_1]")


def _luhn_complete(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


@settings(max_examples=examples(300))
@given(
    body=st.text("0123456789", min_size=14, max_size=14),
    prefix=st.sampled_from(["4", "51", "55", "2221", "6011"]),
    separators=st.lists(st.sampled_from([" ", ".", "-", "/", ""]), min_size=3, max_size=3),
)
def test_any_luhn_valid_card_is_found_with_mixed_separators(
    body: str, prefix: str, separators: list[str]
) -> None:
    number = _luhn_complete((prefix + body)[:15])
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    written = groups[0] + "".join(s + g for s, g in zip(separators, groups[1:], strict=True))
    assert redact(f"card {written} was declined").text == "card [CARD_1] was declined"


def test_pii_corpus_figures() -> None:
    found = [redact(f"about {v} thanks").counts.get(k, 0) == 1 for _, k, v in POSITIVES]
    cued = sum(redact(s.format(v) + ". Thanks").counts.get(k, 0) == 1 for _, k, s, v in CUED)
    false = [t for _, t in NEGATIVES if redact(f"check {t} today").changed]
    figures = {
        "positives": len(POSITIVES) + len(CUED),
        "found": sum(found) + cued,
        "negatives": len(NEGATIVES),
        "false": len(false),
        "countries": len({c for c, _, _ in POSITIVES}),
        "positives_by_kind": dict(sorted(Counter(k for _, k, _ in POSITIVES).items())),
        "missed_by_country": dict(
            Counter(c for (c, _, _), ok in zip(POSITIVES, found, strict=True) if not ok)
        ),
        "negative_categories": dict(sorted(Counter(c for c, _ in NEGATIVES).items())),
        "us_per_message": _microseconds_per_message(),
    }
    record("pii.json", figures)
    print(f"\npii corpus: {figures}")
    assert (figures["found"], false) == (figures["positives"], [])


@settings(max_examples=examples(300))
@given(
    st.lists(
        st.sampled_from([v for _, _, v in POSITIVES] + [t for _, t in NEGATIVES])
        | st.text(st.characters(codec=None, exclude_categories=()), max_size=6),
        max_size=8,
    ).map(" ".join)
)
def test_any_text_is_redacted_without_error_into_well_formed_placeholders(text: str) -> None:
    result = redact(text)  # lone surrogates, control characters, values run together
    leftovers = re.sub(r"\[(?:[A-Z]+)_\d+\]", "", result.text)
    assert result.total == len(PLACEHOLDER.findall(result.text)) - len(PLACEHOLDER.findall(text))
    assert "[" not in leftovers or "[" in text


def _microseconds_per_message() -> float:
    """Mean redaction time over the corpus sentences (reported, never asserted)."""
    sentences = [f"Hi, it's about {v} - thanks!" for _, _, v in POSITIVES]
    sentences += [f"Please check {t} today." for _, t in NEGATIVES]
    started = time.perf_counter()
    for sentence in sentences * 5:
        redact(sentence)
    return round((time.perf_counter() - started) / (len(sentences) * 5) * 1e6, 1)


def test_a_realistic_message_keeps_its_business_facts() -> None:
    message = (
        "Hello, I'm Jane (jane.doe@example.com, +44 20 7946 0958). Order A-10023 (#4471) for "
        "€49.99 was charged twice on card 4111 1111 1111 1111. Please refund to "
        "DE89 3704 0044 0532 0130 00. "
        "Ship the replacement to 221B Baker Street, London NW1 6XE. Again: jane.doe@example.com"
    )
    result = redact(message)
    assert result.text == (
        "Hello, I'm Jane ([EMAIL_1], [PHONE_1]). Order A-10023 (#4471) for "
        "€49.99 was charged twice on card [CARD_1]. Please refund to "
        "[IBAN_1]. "
        "Ship the replacement to [ADDRESS_1]. Again: [EMAIL_1]"
    )
    assert dict(result.counts) == {"EMAIL": 2, "PHONE": 1, "CARD": 1, "IBAN": 1, "ADDRESS": 1}


def test_placeholders_are_stable_and_the_result_is_frozen_without_originals() -> None:
    result = redact("a@x.com, b@x.com, A@X.com, 10.0.0.1, 10.0.0.2, 10.0.0.1")
    assert result.text == "[EMAIL_1], [EMAIL_2], [EMAIL_1], [IP_1], [IP_2], [IP_1]"
    assert "a@x.com" not in repr(result) and "10.0.0.1" not in repr(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.counts["EMAIL"] = 0  # type: ignore[index]


def test_redact_mapping_walks_context_and_keeps_ids_prices_and_types() -> None:
    context: dict[str, Any] = {
        "order_id": "A-10023",
        "total": "€49.99",
        "items": [{"sku": "AB-12345-XL", "qty": 2, "gift_note": "call me on 07700 900123"}],
        "customer": {"email": "jane.doe@example.com", "vip": True},
        "ids": ("#4471", "jane.doe@example.com"),
    }
    redactor = PiiRedactor()
    message = redactor.redact("Write to jane.doe@example.com please").text
    redacted = redact_mapping(context, redactor)
    assert message == "Write to [EMAIL_1] please"
    assert redacted == {
        "order_id": "A-10023",
        "total": "€49.99",
        "items": [{"sku": "AB-12345-XL", "qty": 2, "gift_note": "call me on [PHONE_1]"}],
        "customer": {"email": "[EMAIL_1]", "vip": True},
        "ids": ("#4471", "[EMAIL_1]"),
    }
    assert context["customer"]["email"] == "jane.doe@example.com"  # the input is not modified
    assert dict(redactor.counts) == {"EMAIL": 3, "PHONE": 1}
    assert redact_mapping("+49 30 1234567") == "[PHONE_1]"


@pytest.mark.parametrize(("name", "kind"), FIELD_NAME_CASES)
def test_field_names_say_which_kind_of_personal_data_a_value_is(
    name: str, kind: str | None
) -> None:
    assert field_kind(name) == kind


def test_the_documented_field_name_list_covers_every_kind_it_redacts() -> None:
    kinds = {kind for kind in FIELD_NAMES.values() if kind}
    assert kinds == {"EMAIL", "PHONE", "ADDRESS", "NAME", "BIRTHDATE", "IBAN", "CARD", "ID", "IP"}
    assert all(name == name.casefold() and " " not in name for name in FIELD_NAMES)


def test_context_fields_named_for_personal_data_are_redacted_whatever_their_value() -> None:
    context: dict[str, Any] = {
        "order_id": "A-10023",
        "name": "Leather wallet",
        "shipping_address": "Storgatan 12, 111 22 Stockholm",
        "Lieferadresse": {"street": "Am Markt 3", "city": "Hameln", "country": "DE"},
        "dirección": "Plaza Nueva s/n",
        "telefono": 612345678,
        "customer_name": "Åsa Öberg",
        "date_of_birth": "1985-03-12",
        "payments": [{"card": "4111111111111111", "card_last4": "1111", "iban": "n/a"}],
        "email_verified": True,
        "notes": "",
    }
    redacted = redact_mapping(context)
    assert redacted == {
        "order_id": "A-10023",
        "name": "Leather wallet",
        "shipping_address": "[ADDRESS_1]",
        "Lieferadresse": {"street": "[ADDRESS_2]", "city": "[ADDRESS_3]", "country": "[ADDRESS_4]"},
        "dirección": "[ADDRESS_5]",
        "telefono": "[PHONE_1]",
        "customer_name": "[NAME_1]",
        "date_of_birth": "[BIRTHDATE_1]",
        "payments": [{"card": "[CARD_1]", "card_last4": "1111", "iban": "[IBAN_1]"}],
        "email_verified": True,
        "notes": "",
    }


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "context {'order_id': 'A-1', 'shipping_address': 'Storgatan 12', 'telefono': 612345678}",
            "context {'order_id': 'A-1', 'shipping_address': '[ADDRESS_1]', 'telefono': [PHONE_1]}",
        ),
        (
            '{"customer_name": "Åsa Öberg", "sku": "AB-1"}',
            '{"customer_name": "[NAME_1]", "sku": "AB-1"}',
        ),
        ("lookup phone=0873904525 order=12345678", "lookup phone=[PHONE_1] order=12345678"),
        (
            "Order: A-10023\nDate of birth: 12/03/1985\nThanks",
            "Order: A-10023\nDate of birth: [BIRTHDATE_1]\nThanks",
        ),
        (
            "Lieferadresse: Am Markt 3, Hameln\nBestellnummer: 4711",
            "Lieferadresse: [ADDRESS_1]\nBestellnummer: 4711",
        ),
    ],
)
def test_values_written_next_to_a_personal_field_name_are_redacted_in_text(
    text: str, redacted: str
) -> None:
    assert redact(text).text == redacted


def test_a_customer_service_request_is_stored_without_the_personal_data_the_issue_found() -> None:
    planted = [
        "12 rue de la Paix, 75002 Paris",
        "Calle Mayor 5, 28013 Madrid",
        "Keizersgracht 123, 1015 CJ Amsterdam",
        "Storgatan 12, 111 22 Stockholm",
        "〒100-0001 東京都千代田区千代田1-1",
        "müller@example.de",
        "4111.1111.1111.1111",
    ]
    request = CustomerServiceRequest(
        message=(
            f"Bitte an {planted[0]} oder {planted[1]} liefern, sonst {planted[2]}. "
            f"Ich bin unter {planted[5]} erreichbar; Karte {planted[6]}. {planted[4]}"
        ),
        context={"order_id": "A-10023", "shipping_address": planted[3]},
    )
    variables = prompt_variables(request)
    stored = json.dumps(request_payload(request, variables), ensure_ascii=False)
    prompt = json.dumps(variables, ensure_ascii=False)
    assert [p for p in planted if p in stored or p in prompt] == []
    assert "A-10023" in stored and "[ADDRESS_4]" in stored


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB82 WEST 1234 5698 7654 33")
    assert not iban_ok("DE89370400440532013000123")  # right checksum shape, wrong length for DE


def test_log_records_are_redacted_including_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log_filter = install_log_redaction(caplog.handler)
    assert isinstance(log_filter, PiiLogFilter)
    logger = logging.getLogger("contentgen.test_pii")
    with caplog.at_level(logging.INFO, logger="contentgen"):
        logger.info("customer %s wrote from %s", "jane.doe@example.com", "192.168.1.20")
        try:
            raise ValueError("card 4111 1111 1111 1111 declined")
        except ValueError:
            logger.exception("payment failed for order A-10023")
    caplog.handler.removeFilter(log_filter)
    assert "customer [EMAIL_1] wrote from [IP_1]" in caplog.text
    assert "card [CARD_1] declined" in caplog.text and "order A-10023" in caplog.text
    assert "jane.doe" not in caplog.text and "4111" not in caplog.text


def test_default_install_covers_the_contentgen_logger_and_root_handlers() -> None:
    root_handler = logging.StreamHandler()
    logging.getLogger().addHandler(root_handler)
    try:
        log_filter = install_log_redaction()
        assert log_filter in logging.getLogger("contentgen").filters
        assert any(isinstance(f, PiiLogFilter) for f in root_handler.filters)
        assert install_log_redaction() is not None  # installing twice adds no second filter
        assert (
            sum(isinstance(f, PiiLogFilter) for f in logging.getLogger("contentgen").filters) == 1
        )
    finally:
        logging.getLogger().removeHandler(root_handler)
        for f in list(logging.getLogger("contentgen").filters):
            logging.getLogger("contentgen").removeFilter(f)
