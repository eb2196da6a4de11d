"""Personal data is redacted before prompts, storage and logs; order ids, SKUs, prices are not."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from contentgen.safety.pii import (
    PiiLogFilter,
    PiiRedactor,
    iban_ok,
    install_log_redaction,
    luhn_ok,
    redact,
    redact_mapping,
)

REPORT = Path(__file__).resolve().parents[1] / ".reliability" / "pii.json"

# (kind, value) pairs that must be redacted when embedded in a sentence.
POSITIVES: list[tuple[str, str]] = [
    ("EMAIL", "jane.doe@example.com"),
    ("EMAIL", "j.o'neil+orders@mail.example.co.uk"),
    ("EMAIL", "SUPPORT@Shop-Example.DE"),
    ("PHONE", "+44 20 7946 0958"),
    ("PHONE", "+49 30 1234567"),
    ("PHONE", "0044 20 7946 0958"),
    ("PHONE", "+1 (212) 555-0199"),
    ("PHONE", "020 7946 0958"),
    ("PHONE", "07700 900123"),
    ("PHONE", "030 12345678"),
    ("PHONE", "0171/1234567"),
    ("PHONE", "(030) 1234567"),
    ("PHONE", "(212) 555-0199"),
    ("PHONE", "212-555-0199"),
    ("PHONE", "212.555.0199"),
    ("CARD", "4111 1111 1111 1111"),
    ("CARD", "4111-1111-1111-1111"),
    ("CARD", "5555555555554444"),
    ("CARD", "3782 822463 10005"),
    ("CARD", "6011111111111117"),
    ("IBAN", "DE89 3704 0044 0532 0130 00"),
    ("IBAN", "GB82WEST12345698765432"),
    ("IBAN", "FR14 2004 1010 0505 0001 3M02 606"),
    ("IBAN", "NL91ABNA0417164300"),
    ("IP", "192.168.1.20"),
    ("IP", "2001:db8::1"),
    ("IP", "fe80::1ff:fe23:4567:890a"),
    ("ADDRESS", "221B Baker Street, London NW1 6XE"),
    ("ADDRESS", "SW1A 1AA"),
    ("ADDRESS", "1600 Amphitheatre Parkway, Mountain View, CA 94043"),
    ("ADDRESS", "42 Main St., Springfield, IL 62704"),
    ("ADDRESS", "Berliner Straße 12, 10115 Berlin"),
    ("ADDRESS", "Hauptstr. 5"),
]

# Business data that must survive untouched.
NEGATIVES: list[str] = [
    "order A-10023",
    "ticket #4471",
    "€49.99",
    "$1,299.00",
    "SKU AB-12345-XL",
    "2024-05-01",
    "01.05.2024 12:30",
    "10:30:45",
    "qty 3",
    "order 4111111111111112",
    "ref 12345678",
    "tracking 1Z999AA10123456784",
    "MacBook M3 8GB",
    "invoice INV-2024-00017",
    "ISBN 978-3-16-148410-0",
    "version 1.2.3.4.5",
    "IBAN-like DE89 3704 0044 0532 0130 01",
    "order 0012345",
    "5 items at 19.99 each",
]


@pytest.mark.parametrize(("kind", "value"), POSITIVES, ids=[f"{k}:{v}" for k, v in POSITIVES])
def test_personal_data_is_replaced_by_a_placeholder(kind: str, value: str) -> None:
    result = redact(f"Hi, it's about {value} - thanks!")
    assert result.text == f"Hi, it's about [{kind}_1] - thanks!"
    assert dict(result.counts) == {kind: 1}


@pytest.mark.parametrize("text", NEGATIVES)
def test_business_data_is_left_alone(text: str) -> None:
    result = redact(f"Please check {text} today.")
    assert result.text == f"Please check {text} today." and result.total == 0


def test_pii_corpus_figures() -> None:
    found = sum(redact(f"about {v} thanks").counts.get(k, 0) == 1 for k, v in POSITIVES)
    false = sum(redact(f"check {t} today").changed for t in NEGATIVES)
    print(
        f"\npii corpus: recall {found}/{len(POSITIVES)}, false positives {false}/{len(NEGATIVES)}"
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        "positives": len(POSITIVES),
        "found": found,
        "negatives": len(NEGATIVES),
        "false": false,
    }
    REPORT.write_text(json.dumps(figures), encoding="utf-8")
    assert (found, false) == (len(POSITIVES), 0)


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
