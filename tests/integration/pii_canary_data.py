"""Synthetic customer-service tickets from 22 countries with planted personal data.

Seeded faker supplies names, cities and street names in each country's language; the numbers are
built to be valid for their kind (Luhn cards, mod-97 IBANs, phone numbers valid in their region,
national identity numbers passing their country's check), so a redactor that misses one has
missed something a real customer could have written. Every number kind is written with the
separators people use: spaces, dots, dashes, slashes or none.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from faker import Faker

from contentgen.safety.pii import iban_ok, luhn_ok
from tests.integration import pii_canary_countries as countries

# Issuer prefixes and lengths: Visa 16, Mastercard 51-55 and 2221-2720, Amex 15, Discover 16.
CARD_PREFIXES: tuple[tuple[str, int], ...] = (
    ("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16),
    ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("35", 16),
)  # fmt: skip
# country: BBAN shape; "9" is a digit, "A" an upper-case letter.
IBAN_SHAPES: dict[str, str] = {
    "GB": "AAAA99999999999999", "DE": "999999999999999999", "FR": "99999999999999999999999",
    "NL": "AAAA9999999999", "ES": "99999999999999999999", "IE": "AAAA99999999999999",
    "IT": "A9999999999999999999999", "SE": "99999999999999999999", "PL": "999999999999999999999999",
    "PT": "999999999999999999999", "BE": "999999999999", "CH": "99999999999999999",
    "AT": "9999999999999999", "DK": "99999999999999", "NO": "99999999999", "FI": "99999999999999",
}  # fmt: skip


@dataclass(frozen=True)
class Planted:
    """One planted value: its kind, the text as written, and further byte forms to search for."""

    kind: str
    text: str
    variants: tuple[str, ...] = ()

    def needles(self) -> set[bytes]:
        """Every byte string whose presence in storage or logs would be a leak.

        Digit-only forms shorter than ten digits are left out: in megabytes of ids, seeds and
        timings they turn up by chance, which would say nothing about redaction.
        """
        forms = (self.text, *self.variants)
        return {v.encode() for v in forms if v and not (v.isdigit() and len(v) < 10)}


@dataclass
class Ticket:
    """One ticket: the request fields, the country it is from, and what was planted in them."""

    message: str
    context: dict[str, Any]
    country: str
    planted: list[Planted] = field(default_factory=list)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def luhn_card(rng: random.Random) -> str:
    """A Luhn-valid card number with a real issuer prefix."""
    prefix, length = rng.choice(CARD_PREFIXES)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def grouped(number: str, sizes: tuple[int, ...], separator: str) -> str:
    """`number` cut into groups of `sizes` (the last group takes the rest), joined by `separator`."""
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    parts.append(number[at:])
    return separator.join(p for p in parts if p)


def format_card(number: str, rng: random.Random) -> str:
    """As people write cards: grouped by spaces, dashes, dots or slashes, or in one run."""
    separator = rng.choice(["", " ", "-", ".", "/"])
    return grouped(number, (4, 6, 5) if len(number) == 15 else (4, 4, 4, 4), separator)


def valid_iban(country: str) -> Callable[[random.Random], str]:
    """A builder of mod-97-valid IBANs (compact) for `country`."""

    def build(rng: random.Random) -> str:
        bban = "".join(
            str(rng.randrange(10)) if c == "9" else rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            for c in IBAN_SHAPES[country]
        )
        numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
        iban = f"{country}{98 - int(numeric) % 97:02d}{bban}"
        assert iban_ok(iban), iban
        return iban

    return build


def format_iban(iban: str, rng: random.Random) -> str:
    """Compact, or in groups of four split by spaces, dashes or dots."""
    separator = rng.choice(["", " ", " ", "-", "."])
    return separator.join(iban[i : i + 4] for i in range(0, len(iban), 4))


def valid_phone(country: str, rng: random.Random) -> str:
    """A phone number valid in `country`, written in one of its national or international forms."""
    template = rng.choice(countries.PHONE_FORMATS[country])
    for _ in range(1000):
        text = re.sub("#", lambda _: str(rng.randrange(10)), template)
        if phonenumbers.is_valid_number(phonenumbers.parse(text, country)):
            return text
    raise AssertionError(f"no valid {country} number in the shape {template!r}")


def _phone_planted(text: str, country: str) -> Planted:
    number = phonenumbers.parse(text, country)
    national = str(number.national_number)
    forms = {_digits(text), f"{number.country_code}{national}", "0" + national}
    return Planted("PHONE", text, tuple(sorted(forms - {text})))


def make_ticket(rng: random.Random, number: int, fakes: dict[str, Faker]) -> Ticket:
    """A ticket from a random country whose message and order facts carry its personal data."""
    country = rng.choice(sorted(countries.PROFILES))
    profile = countries.PROFILES[country]
    fake = fakes[profile.locale]
    first, last = fake.first_name(), fake.last_name()
    email = countries.email(first, last, fake, rng)
    tel = valid_phone(country, rng)
    card = luhn_card(rng)
    card_text = format_card(card, rng)
    iban = valid_iban(profile.iban_country or rng.choice(sorted(IBAN_SHAPES)))(rng)
    iban_text = format_iban(iban, rng)
    ip = fake.ipv4_public() if rng.random() < 0.7 else fake.ipv6()
    street, postcode_city = profile.address(fake, rng)
    address = f"{street}, {postcode_city}" if country != "JP" else f"{postcode_city} {street}"
    id_cue, id_text = profile.national_id(rng)
    order = f"A-{number:05d}"
    messages = [
        f"Hi, order {order} never arrived. Please call me on {tel} or write to {email}. "
        f"I paid with card {card_text}.",
        f"Hello ({email}). Refund to IBAN {iban_text} please; the parcel should go to {address}.",
        f"Login blocked from {ip}, my phone is {tel}. Card {card_text} was charged twice for "
        f"{order}!",
        f"Deliver to {street}, {postcode_city}. Reach me at {email} / {tel}.",
        f"Ship to:\n{address}\nTel: {tel}\n{id_cue} {id_text}\nThanks",
        profile.local_message.format(address=address, tel=tel, email=email),
    ]
    context = {
        "order_id": order,
        "customer_email": email,
        profile.phone_key: tel,
        "shipping_address": address,
        profile.address_key: street,
        "customer_name": f"{first} {last}",
        "date_of_birth": (dob := fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat()),
        "payments": [{"card": card_text, "iban": iban_text}],
        "last_login_ip": ip,
        "national_id": id_text,
    }
    planted = [
        Planted("EMAIL", email),
        _phone_planted(tel, country),
        Planted("CARD", card_text, (card,)),
        Planted("IBAN", iban_text, (iban,)),
        Planted("IP", ip),
        Planted("ADDRESS", street),
        Planted("ADDRESS", postcode_city),
        Planted("NAME", f"{first} {last}"),
        Planted("BIRTHDATE", dob),
        Planted("ID", id_text, (_digits(id_text),)),
    ]
    return Ticket(rng.choice(messages), context, country, planted)


def make_tickets(count: int, seed: int = 20240601) -> list[Ticket]:
    """`count` tickets, the same for the same seed."""
    Faker.seed(seed)
    locales = sorted({p.locale for p in countries.PROFILES.values()})
    fakes = {locale: Faker(locale) for locale in locales}
    for i, fake in enumerate(fakes.values()):
        fake.seed_instance(seed + i)
    rng = random.Random(seed)
    return [make_ticket(rng, i, fakes) for i in range(count)]
