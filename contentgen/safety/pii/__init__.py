"""Personal-data redaction for text before it reaches a prompt, the database or a log.

Detected in free text: emails (internationalised local parts and domains), phone numbers
(national and international formats checked with `phonenumbers`), payment cards (Luhn), IBANs
(mod-97 and country structure), national identity/tax/passport numbers (shapes checked with
`python-stdnum`, or any number after the name of one), IPv4/IPv6 addresses, and street addresses
and postcodes of 22 countries; every number kind with spaces, dots, dashes, slashes or no
separator. Values under field names that say they hold personal data ("shipping_address",
"telefono", "date_of_birth"; see `fields`) are replaced as a whole. Order ids, SKUs, prices,
dates and version numbers are left alone. Placeholders such as `[EMAIL_1]` are stable within one
`PiiRedactor`; results carry counts by kind, never the original values.
"""

from contentgen.safety.pii.fields import FIELD_NAMES, field_kind
from contentgen.safety.pii.logs import PiiLogFilter, install_log_redaction
from contentgen.safety.pii.payment import iban_ok, luhn_ok
from contentgen.safety.pii.redactor import (
    PiiRedactor,
    Redaction,
    find_pii,
    kinds_found,
    redact,
    redact_mapping,
    redact_text,
)
from contentgen.safety.pii.spans import KINDS, PLACEHOLDER, Span

__all__ = [
    "FIELD_NAMES",
    "KINDS",
    "PLACEHOLDER",
    "PiiLogFilter",
    "PiiRedactor",
    "Redaction",
    "Span",
    "field_kind",
    "find_pii",
    "iban_ok",
    "install_log_redaction",
    "kinds_found",
    "luhn_ok",
    "redact",
    "redact_mapping",
    "redact_text",
]
