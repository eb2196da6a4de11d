"""Field names that say a value is personal data, whatever the value looks like.

`field_kind("shipping_address")` is "ADDRESS", so `{"shipping_address": "Storgatan 12"}` is
redacted as a whole even where no pattern would recognise the value. A name is split into words
(snake_case, camelCase, kebab-case, spaces), accents are dropped and case folded; then its
trailing words are looked up in `FIELD_NAMES`, longest first ("email_address" is an EMAIL, not an
ADDRESS; "gift_card" is nothing), and a trailing "number"/"nr"/"no" may be left out
("card_number" is "card"). Single-word compounds ("Lieferadresse", "Telefonnummer",
"geboortedatum") are matched by `COMPOUND_NAMES`. A bare "name", "nom" or "nombre" is not on the
list: in order facts it is as often a product's name as a customer's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# kind -> field names (lower case, words joined by "_"), in English and the languages of the
# countries the address and number detectors cover.
_NAMES: dict[str, tuple[str, ...]] = {
    "EMAIL": (
        "email", "e_mail", "mail", "email_address", "mail_address", "e_mail_address",
        "emailadresse", "courriel", "adresse_email", "adresse_mail", "correo",
        "correo_electronico", "posta_elettronica", "e_post", "epost", "sahkoposti", "mejl",
        "mailadres", "emailadres", "メール", "メールアドレス",
    ),
    "PHONE": (
        "phone", "telephone", "tel", "tlf", "tfn_no", "mobile", "mobile_phone", "mobil", "mobiel",
        "movil", "cell", "cellphone", "cell_phone", "cellulare", "celular", "handy", "gsm",
        "fax", "whatsapp", "msisdn", "contact_number", "contact_phone", "telefon", "telefoon",
        "telefono", "telefone", "puhelin", "matkapuhelin", "numer_telefonu", "home_phone",
        "work_phone", "denwa", "keitai", "電話", "電話番号", "携帯", "携帯番号",
    ),
    "ADDRESS": (
        "address", "addr", "adresse", "adres", "adress", "adresa", "adressa", "direccion",
        "domicilio", "indirizzo", "endereco", "morada", "osoite", "anschrift", "street",
        "street_address", "strasse", "straat", "calle", "rue", "gata", "gatan", "house_number",
        "hausnummer", "huisnummer", "apartment", "postcode", "post_code", "postal_code",
        "postalcode", "zip", "zipcode", "zip_code", "plz", "postleitzahl", "codigo_postal",
        "code_postal", "codice_postale", "postnummer", "postnr", "postinumero", "eircode", "cep",
        "pincode", "pin_code", "postal_address", "postadresse", "shipping_to", "deliver_to",
        "yubin_bango", "jusho", "住所", "郵便番号", "送付先", "配送先",
    ),
    "NAME": (
        "customer_name", "client_name", "full_name", "fullname", "first_name", "firstname",
        "last_name", "lastname", "surname", "given_name", "family_name", "middle_name",
        "maiden_name", "recipient", "recipient_name", "contact_name", "cardholder",
        "card_holder", "cardholder_name", "account_holder", "holder_name", "buyer_name",
        "sender_name", "shipping_name", "billing_name", "apellido", "apellidos", "prenom",
        "nom_de_famille", "vorname", "nachname", "voornaam", "achternaam", "fornavn",
        "efternavn", "etternavn", "fornamn", "efternamn", "etunimi", "sukunimi", "cognome",
        "sobrenome", "imie", "nazwisko", "nome_completo", "nombre_completo", "nom_complet", "氏名",
    ),
    "BIRTHDATE": (
        "date_of_birth", "dob", "birth_date", "birthdate", "birthday", "geburtsdatum",
        "fecha_de_nacimiento", "fecha_nacimiento", "date_de_naissance", "data_di_nascita",
        "data_de_nascimento", "geboortedatum", "fodelsedatum", "fodselsdato", "fodselsdag",
        "syntymaaika", "data_urodzenia", "生年月日",
    ),
    "IBAN": (
        "iban", "bank_account", "bank_account_number", "bankaccount", "kontonummer",
        "rekeningnummer", "bankrekening", "rib", "numero_de_cuenta", "cuenta_bancaria",
        "conto_corrente", "bank_details",
    ),
    "CARD": (
        "card", "card_number", "cardnumber", "credit_card", "creditcard", "debit_card",
        "payment_card", "cc", "cc_number", "ccnumber", "pan", "kreditkarte", "kartennummer",
        "carte", "carte_bancaire", "numero_de_carte", "tarjeta", "numero_tarjeta",
        "carta_di_credito", "cartao", "cartao_de_credito",
    ),
    "ID": (
        "ssn", "social_security", "social_security_number", "national_id", "national_id_number",
        "national_insurance", "national_insurance_number", "nino", "passport", "passport_number",
        "tax_id", "taxid", "tax_number", "tin", "personal_id", "personal_number", "id_number",
        "id_card", "identity_card", "identity_number", "driver_license", "drivers_license",
        "driving_licence", "driving_license", "licence_number", "license_number", "dni", "nie",
        "nif", "nir", "bsn", "personnummer", "personnr", "cpr", "fodselsnummer", "hetu",
        "henkilotunnus", "pesel", "codice_fiscale", "steuer_id", "steuernummer",
        "steueridentifikationsnummer", "ahv", "avs", "svnr", "sozialversicherungsnummer", "pps",
        "ppsn", "sin", "tfn", "cpf", "aadhaar", "passeport", "pasaporte", "reisepass",
        "paspoort", "passaporto", "passaporte", "my_number", "kojin_bango",
    ),
    "IP": ("ip", "ip_address", "ipaddress", "ip_addr", "remote_addr", "client_ip", "login_ip"),
}  # fmt: skip
# Names that end like a personal field but hold something else: a longer suffix wins.
NOT_PERSONAL: tuple[str, ...] = (
    "gift_card", "giftcard", "loyalty_card", "card_type", "card_brand", "card_last4",
    "card_last_4", "card_expiry", "card_country", "address_type", "address_verified",
    "email_verified", "email_opt_in", "email_optin", "email_consent", "phone_verified",
    "phone_type", "sim_card", "memory_card", "sd_card", "graphics_card", "postcode_area",
)  # fmt: skip
FIELD_NAMES: dict[str, str | None] = {
    **{name: kind for kind, names in _NAMES.items() for name in names},
    **dict.fromkeys(NOT_PERSONAL),
}
# One-word compounds (German, Dutch, Nordic): the kind is in the word's ending.
COMPOUND_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"e?mail(?:adress?e?|address)")),
    ("IP", re.compile(r"ip(?:adress?e?|address)")),
    ("ADDRESS", re.compile(r"\w{2,}(?:adress?e?|address|anschrift|osoite)")),
    ("PHONE", re.compile(r"\w*(?:telefon|telefoon|puhelin|handy)(?:nummer|nr|numero)?|(?:mobile|cell|home|work)phone")),
    ("BIRTHDATE", re.compile(r"(?:geburts|geboorte|fodsels?|fodelse|syntyma)(?:datum|dato|aika)")),
    ("IBAN", re.compile(r"\w*(?:konto|rekening)nummer")),
)  # fmt: skip
_TRAILING = frozenset({"number", "no", "nr", "num", "nummer", "numero", "nro", "value", "digits"})
_TRAILING |= {"line", "line1", "line2", "line3", "1", "2", "3"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _words(name: str) -> list[str]:
    spaced = _CAMEL.sub("_", name)
    kept: list[str] = []
    latin = True
    for char in unicodedata.normalize("NFKD", spaced.casefold()):
        if not unicodedata.combining(char):
            latin = char < "\u0250"
        if latin and unicodedata.combining(char):
            continue  # "dirección" -> "direccion"; kana keep their voicing marks
        kept.append(char)
    plain = unicodedata.normalize("NFC", "".join(kept))
    plain = plain.replace("ø", "o").replace("æ", "ae").replace("ł", "l").replace("đ", "d")
    return [w for w in re.split(r"[^a-z0-9\u3040-\u30ff\u4e00-\u9fff]+", plain) if w]


def _lookup(words: list[str]) -> tuple[bool, str | None]:
    for i in range(len(words)):
        suffix = "_".join(words[i:])
        for form in (suffix, suffix[:-1], suffix[:-2]) if suffix.endswith("s") else (suffix,):
            if form in FIELD_NAMES:
                return True, FIELD_NAMES[form]
    return False, None


# "adresse_de_livraison", "indirizzo_di_spedizione": Romance languages name the kind first.
_CONNECTORS = frozenset({"de", "di", "da", "do", "du", "del", "des", "della", "dello", "dos"})


@lru_cache(maxsize=4096)
def field_kind(name: str) -> str | None:
    """The personal-data kind a field of this name holds ("phone_number" -> "PHONE"), or None."""
    words = _words(name)
    kind = _kind_of(words)
    connector = next((i for i, word in enumerate(words) if word in _CONNECTORS), 0)
    if kind is None and connector:
        kind = _kind_of(words[:connector])
    return kind


def _kind_of(words: list[str]) -> str | None:
    while words:
        found, kind = _lookup(words)
        if found:
            return kind
        last = words[-1]
        for kind, pattern in COMPOUND_NAMES:
            if pattern.fullmatch(last):
                return kind
        if last not in _TRAILING:
            return None
        words = words[:-1]
    return None
