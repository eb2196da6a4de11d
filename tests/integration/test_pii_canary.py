"""PII canary: 1,000 tickets from 22 countries with planted personal data; none may be stored.

Each ticket plants an email (internationalised where the name has accents), a phone number in
its country's national or international format, a card and an IBAN in any separator style, an IP,
a street address and postcode in the country's own format, a national identity number, and a
name and date of birth that only its context fields (named in the country's language) hold.
The tickets run through the real pipeline (Engine.generate_many: prompt variables, templates,
generators, evaluators, storage) with DEBUG logging on behind the CLI's redaction filter. A quarter
go to a "parrot" generator that repeats everything it was shown, so whatever reaches a generator
also reaches the database. Then the SQLite file, its WAL and the log are searched byte by byte
for every planted value and its digits-only forms.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contentgen.checks.base import Evaluator
from contentgen.checks.diversity import DiversityEvaluator
from contentgen.checks.grounding import GroundingEvaluator
from contentgen.checks.output_guard import OutputGuard
from contentgen.checks.readability import ReadabilityEvaluator
from contentgen.checks.sentiment import SentimentEvaluator
from contentgen.config import Route, Settings
from contentgen.engine import Engine
from contentgen.plugins import load_plugins
from contentgen.safety.pii import PiiLogFilter, install_log_redaction, redact_mapping, redact_text
from contentgen.types import CustomerServiceRequest, Task
from tests.integration.pii_canary_data import Planted, Ticket, make_tickets
from tests.integration.reliability_generators import reliability_plugin
from tests.reliability_figures import record

TICKETS = 1000
CHUNK = 100
POLICY = "Refunds go back to the original payment method within 5 working days."


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """DEBUG logging of everything to a file, behind the redaction filter the CLI installs."""
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    install_log_redaction()
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)
        for logger in (logging.getLogger("contentgen"), *root.handlers):
            for found in [f for f in logger.filters if isinstance(f, PiiLogFilter)]:
                logger.removeFilter(found)


def _engine(tmp_path: Path) -> Engine:
    settings = Settings(
        data_dir=tmp_path / "data",
        routes={Task.CUSTOMER_SERVICE: Route("testing:echo", template="customer_service/reply")},
        generators={"canary:parrot": {"fail_every": 5}},
        repair_attempts=1,  # a rejected parrot reply is stored as rejected, not regenerated
        use_entry_points=False,
    )
    plugins = load_plugins(
        (), use_entry_points=False, extra=[("reliability", reliability_plugin())]
    )
    evaluators: list[Evaluator] = [
        GroundingEvaluator(),
        SentimentEvaluator(),
        OutputGuard(),
        ReadabilityEvaluator(),
        DiversityEvaluator(embeddings=False),
    ]
    return Engine(settings, plugins, evaluators=evaluators)


def _request(index: int, ticket: Ticket) -> CustomerServiceRequest:
    return CustomerServiceRequest(
        message=ticket.message,
        context=ticket.context,
        policy=POLICY,
        variants=2,
        seed=index,
        generator="canary:parrot" if index % 4 == 1 else None,
    )


def needle_pattern(needles: set[bytes]) -> re.Pattern[bytes]:
    """One regex of all needles, as a trie, inside a lookahead so overlapping hits all show.

    Searching 30 MB for 10,000 needles one `in` at a time takes minutes; a trie regex, seconds.
    """
    trie: dict[int | None, Any] = {}
    for needle in needles:
        node = trie
        for byte in needle:
            node = node.setdefault(byte, {})
        node[None] = {}

    def build(node: dict[int | None, Any]) -> bytes:
        branches = [
            re.escape(bytes([b])) + build(child) for b, child in node.items() if b is not None
        ]
        if not branches:
            return b""
        body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
        return b"(?:" + body + b")?" if None in node else body

    return re.compile(b"(?=(" + build(trie) + b"))")


def _hits(planted: list[Planted], files: dict[str, bytes]) -> list[tuple[str, str, str]]:
    owner = {needle: item for item in planted for needle in item.needles()}
    pattern = needle_pattern(set(owner))
    found = set()
    for name, data in files.items():
        for match in pattern.finditer(data):
            needle = match.group(1)
            found.add((name, owner[needle].kind, needle.decode()))
    return sorted(found)


def _country(tickets: list[Ticket], needle: str) -> str:
    """The country of the ticket a leaked value was planted in."""
    return next(t.country for t in tickets for p in t.planted if needle.encode() in p.needles())


def _read(paths: list[Path]) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths if p.exists()}


@pytest.mark.timeout(600)
def test_planted_personal_data_never_reaches_the_database_or_logs(
    tmp_path: Path, debug_log: Path
) -> None:
    tickets = make_tickets(TICKETS)
    planted = [p for t in tickets for p in t.planted]
    started = time.perf_counter()
    engine = _engine(tmp_path)
    db_path = Path(engine.settings.db_url.removeprefix("sqlite:///"))
    # What a plugin or integration might log about a ticket it handles: the filter must catch it.
    chatty = logging.getLogger("contentgen.integration.helpdesk")
    outside = logging.getLogger("helpdesk_sdk")  # not under contentgen: caught by the root handler
    results = []
    for start in range(0, TICKETS, CHUNK):
        chunk = tickets[start : start + CHUNK]
        for i, ticket in enumerate(chunk, start):
            chatty.debug(
                "ticket %d from %s: %s", i, ticket.context["customer_email"], ticket.message
            )
            outside.info("context %s", ticket.context)
        try:
            raise RuntimeError(f"CRM lookup failed for {chunk[0].message}")
        except RuntimeError:
            chatty.exception("helpdesk sync failed")
        results += engine.generate_many([_request(i, t) for i, t in enumerate(chunk, start)])
    live = _read([db_path, db_path.with_name(db_path.name + "-wal"), debug_log])
    stored_requests = engine.store.count("requests")
    stored_outputs = engine.store.count("outputs")
    engine.close()
    after_close = _read([db_path, db_path.with_name(db_path.name + "-wal")])
    seconds = time.perf_counter() - started

    files = {**live, **{f"{name} (closed)": data for name, data in after_close.items()}}
    hits = _hits(planted, files)
    # The search itself finds a planted value wherever it is, even overlapping another one.
    probe = b"x" + planted[0].text.encode() + planted[1].text.encode() + b"y"
    assert {planted[0].text, planted[1].text} <= {n for _, _, n in _hits(planted[:2], {"p": probe})}
    failed = [r for r in results if r.notes]
    kinds = Counter(p.kind for p in planted)
    figures = {
        "tickets": TICKETS,
        "countries": len({t.country for t in tickets}),
        "planted_values": len(planted),
        "needles": sum(len(p.needles()) for p in planted),
        "planted_by_kind": dict(sorted(kinds.items())),
        "files_searched": sorted(files),
        "bytes_searched": sum(len(d) for d in files.values()),
        "requests_stored": stored_requests,
        "outputs_stored": stored_outputs,
        "failed_requests_stored_with_error": len(failed),
        "hits": len(hits),
        "hits_by_kind": dict(Counter(k for _, k, _ in hits)),
        "hits_by_country": dict(Counter(_country(tickets, n) for _, _, n in hits)),
        "seconds": round(seconds, 1),
    }
    record("pii_canary.json", figures)
    print(f"\npii canary: {figures}")
    assert hits == [], hits[:20]
    # The search could have seen the values: the tickets were stored, redacted, and logged.
    assert stored_requests == TICKETS and stored_outputs >= TICKETS
    assert failed, "the parrot's failures (quoting its prompt) must be stored too"
    db = (
        files[db_path.name + " (closed)"]
        if db_path.name + " (closed)" in files
        else files[db_path.name]
    )
    for placeholder in (
        b"[EMAIL_1]",
        b"[PHONE_1]",
        b"[CARD_1]",
        b"[IBAN_1]",
        b"[IP_1]",
        b"[ADDRESS_1]",
        b"[ID_1]",
        b"[NAME_1]",
        b"[BIRTHDATE_1]",
    ):
        assert placeholder in db or placeholder in files.get(db_path.name + "-wal", b""), (
            placeholder
        )
    log_text = files[debug_log.name]
    assert (
        b"helpdesk sync failed" in log_text and b"[EMAIL_" in log_text and b"parrot saw" in log_text
    )


# Leaks the canary found, fixed in contentgen/safety/pii.py, pinned here one by one.
FOUND_LEAKS = [
    ("my phone is 808.403.2643x49595", "808.403.2643x49595"),  # US extension suffix
    ("call 001-696-545-8843x465 today", "001-696-545-8843x465"),
    ("phone: (208)291-0738x7171", "(208)291-0738x7171"),
    ("my phone is 5635685284.", "5635685284"),  # a bare 10-digit run after a phone cue
    ("Reach me at x.y+orders@example.org / 7112169398.", "7112169398"),
    ("Call me on 0873904525", "0873904525"),
    ("Deliver to postcode EH8 2GB please", "EH8 2GB"),  # 'GB' unit read as gigabytes
    ("the parcel goes to LS19 3TB", "LS19 3TB"),
    ("postcode N7 5TB", "N7 5TB"),
    # Text reaches the redactor NFKC-normalised: "：" becomes ":", "3º" becomes "3o".
    ("住所は東京都港区六本木3-1-1です。電話:090-7216-5926、メール", "090-7216-5926"),
    ("Ship to:\nC/ Miralles, 244, 3o L, 34091 León\nTel: 91 180 42 46", "34091 León"),
    ("Deliver to Rua Viana, 2063, Castro - MG, 35769-454.", "Rua Viana, 2063"),  # not a year
    ("Avenida Leão, 220, da Mota de Minas - MG, 27223-328.", "27223-328"),
]


@pytest.mark.parametrize(("text", "value"), FOUND_LEAKS, ids=[v for _, v in FOUND_LEAKS])
def test_leaks_found_by_the_canary_stay_fixed(text: str, value: str) -> None:
    assert value not in redact_text(text)


def test_field_names_give_bare_numbers_and_postcodes_their_meaning() -> None:
    context = {
        "phone": "0873904525",
        "contacts": {"mobile": ["5635685284"]},
        "shipping": {"postcode": "N7 5TB"},
        "order_id": "1234567890",
        "laptop": "MacBook M3 8GB",
        "電話番号": "090-7216-5926",
        "teléfono": 612345678,
    }
    redacted = redact_mapping(context)
    assert redacted == {
        "phone": "[PHONE_1]",
        "contacts": {"mobile": ["[PHONE_2]"]},
        "shipping": {"postcode": "[ADDRESS_1]"},
        "order_id": "1234567890",
        "laptop": "MacBook M3 8GB",
        "電話番号": "[PHONE_3]",
        "teléfono": "[PHONE_4]",
    }


def test_the_canary_plants_every_kind_in_every_country() -> None:
    tickets = make_tickets(300)
    by_country: dict[str, set[str]] = {}
    for ticket in tickets:
        by_country.setdefault(ticket.country, set()).update(p.kind for p in ticket.planted)
    assert len(by_country) == 22
    expected = {"EMAIL", "PHONE", "CARD", "IBAN", "IP", "ADDRESS", "ID", "NAME", "BIRTHDATE"}
    assert all(kinds == expected for kinds in by_country.values())
