"""Synthetic customer-service tickets with planted personal data (seeded faker + checksum builders).

Every planted value is valid for its kind (Luhn cards, mod-97 IBANs, real UK postcode shapes), so
a redactor that misses one has missed something a real customer could have written.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from contentgen.safety.pii import iban_ok, luhn_ok

# Issuer prefixes and lengths: Visa 16, Mastercard 51-55 and 2221-2720, Amex 15, Discover 16.
CARD_PREFIXES: tuple[tuple[str, int], ...] = (
    ("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16),
    ("34", 15), ("37", 15), ("6011", 16), ("65", 16),
)  # fmt: skip
# country: (bank-code shape, account shape); "9" is a digit, "A" an upper-case letter.
IBAN_SHAPES: dict[str, str] = {
    "GB": "AAAA99999999999999",
    "DE": "999999999999999999",
    "FR": "99999999999999999999999",
    "NL": "AAAA9999999999",
    "ES": "99999999999999999999",
    "IE": "AAAA99999999999999",
    "IT": "A9999999999999999999999",
}
POSTCODE_AREAS = (
    "SW",
    "SE",
    "EC",
    "WC",
    "N",
    "E",
    "W",
    "M",
    "B",
    "LS",
    "G",
    "EH",
    "CF",
    "BS",
    "OX",
)
POSTCODE_UNIT = "ABDEFGHJLNPQRSTUWXYZ"
STREET_WORDS = ("Street", "Road", "Avenue", "Lane", "Close", "Drive", "Gardens", "Way", "Crescent")


@dataclass(frozen=True)
class Planted:
    """One planted value: its kind, the text as written, and further byte forms to search for."""

    kind: str
    text: str
    variants: tuple[str, ...] = ()

    def needles(self) -> set[bytes]:
        """Every byte string whose presence in storage or logs would be a leak."""
        return {v.encode() for v in (self.text, *self.variants) if v}


@dataclass
class Ticket:
    """One ticket: the request fields and what was planted in them."""

    message: str
    context: dict[str, Any]
    planted: list[Planted] = field(default_factory=list)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def luhn_card(rng: random.Random) -> str:
    """A Luhn-valid card number with a real issuer prefix."""
    prefix, length = rng.choice(CARD_PREFIXES)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    for check in range(10):
        if luhn_ok(body + str(check)):
            return body + str(check)
    raise AssertionError("unreachable: one check digit always fits")


def format_card(number: str, rng: random.Random) -> str:
    """As people write cards: grouped by spaces or dashes, or in one run."""
    style = rng.randrange(3)
    if style == 0:
        return number
    sep = " " if style == 1 else "-"
    groups = (4, 6, 5) if len(number) == 15 else (4, 4, 4, 4)
    parts, at = [], 0
    for size in groups:
        parts.append(number[at : at + size])
        at += size
    return sep.join(parts)


def valid_iban(rng: random.Random) -> str:
    """A mod-97-valid IBAN (compact) for a random country shape."""
    country = rng.choice(sorted(IBAN_SHAPES))
    bban = "".join(
        str(rng.randrange(10)) if c == "9" else rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for c in IBAN_SHAPES[country]
    )
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    iban = f"{country}{check:02d}{bban}"
    assert iban_ok(iban), iban
    return iban


def uk_postcode(rng: random.Random) -> str:
    """A postcode in a real format (outward area + district, inward digit + two unit letters)."""
    area = rng.choice(POSTCODE_AREAS)
    district = str(rng.randrange(1, 20)) if len(area) == 2 else str(rng.randrange(1, 10))
    inward = str(rng.randrange(10)) + "".join(rng.choice(POSTCODE_UNIT) for _ in range(2))
    return f"{area}{district} {inward}"


def phone(fake: Faker, rng: random.Random) -> str:
    """A phone number in a national or international format people really type."""
    if rng.random() < 0.5:
        return str(fake.phone_number())
    local = "".join(str(rng.randrange(10)) for _ in range(6))
    return rng.choice(
        [
            f"07700 {local}",
            f"+44 7700 {local}",
            f"+44 20 7946 {local[:4]}",
            f"020 7946 {local[:4]}",
            f"(415) 555-{local[:4]}",
            f"+1 415 555 {local[:4]}",
            f"+49 30 {local}{rng.randrange(10)}",
        ]
    )


def _phone_planted(text: str) -> Planted:
    digits = _digits(text)
    variants = [digits]
    if text.startswith("+44") and "(0)" not in text:
        variants.append("0" + digits[2:])  # the same number written nationally
    return Planted("PHONE", text, tuple(variants))


def make_ticket(fakes: dict[str, Faker], rng: random.Random, number: int) -> Ticket:
    """A ticket whose message and order facts carry several kinds of personal data."""
    fake = fakes[rng.choice(sorted(fakes))]
    uk = fakes["en_GB"]
    email = (
        fake.email() if rng.random() < 0.7 else f"{fake.user_name()}+orders@{fake.domain_name()}"
    )
    tel = phone(fake, rng)
    card = luhn_card(rng)
    card_text = format_card(card, rng)
    iban = valid_iban(rng)
    iban_text = (
        " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if rng.random() < 0.5 else iban
    )
    ip = uk.ipv4_public() if rng.random() < 0.7 else uk.ipv6()
    postcode = uk_postcode(rng)
    street = f"{rng.randrange(1, 400)} {uk.last_name()} {rng.choice(STREET_WORDS)}"
    address = f"{street}, {uk.city()} {postcode}"
    order = f"A-{number:05d}"
    message = rng.choice(
        [
            f"Hi, order {order} never arrived. Please call me on {tel} or write to {email}. "
            f"I paid with card {card_text}.",
            f"My name is {fake.name()} ({email}). Refund to IBAN {iban_text} please; "
            f"the parcel should go to {address}.",
            f"Login blocked from {ip}, my phone is {tel}. Card ending in the number "
            f"{card_text} was charged twice for {order}!",
            f"Deliver to {street}, postcode {postcode}. Reach me at {email} / {tel}.",
        ]
    )
    context = {
        "order_id": order,
        "customer_email": email,
        "phone": tel,
        "shipping": {"address": address, "postcode": postcode},
        "payments": [{"card": card_text, "iban": iban_text}],
        "last_login_ip": ip,
    }
    planted = [
        Planted("EMAIL", email),
        _phone_planted(tel),
        Planted("CARD", card_text, (card,)),
        Planted("IBAN", iban_text, (iban,)),
        Planted("IP", ip),
        Planted("ADDRESS", postcode, (postcode.replace(" ", ""),)),
        Planted("ADDRESS", street),
    ]
    return Ticket(message, context, planted)


def make_tickets(count: int, seed: int = 20240601) -> list[Ticket]:
    """`count` tickets, the same for the same seed."""
    Faker.seed(seed)
    fakes = {locale: Faker(locale) for locale in ("en_GB", "en_US", "de_DE")}
    for i, fake in enumerate(fakes.values()):
        fake.seed_instance(seed + i)
    rng = random.Random(seed)
    return [make_ticket(fakes, rng, i) for i in range(count)]
