"""How people in each of the canary's 22 countries write addresses, phone numbers and ids.

Street types, postcode shapes and phone formats follow each country's postal and numbering
conventions; faker supplies names and cities in the country's language. National ids are drawn
until they pass their country's check (python-stdnum), so each is one a real person could have.

Templates: "{a|b}" is one of the choices, "{###}" random digits, "{AA}" random capitals, "{n}" a
house number, "{last}", "{first}", "{city}", "{state}" come from faker, "{uk}", "{ca}", "{eir}"
are UK, Canadian and Irish postcodes, "{ymd}"/"{dmy}"/"{ym}" a date of birth's digits.
"""

from __future__ import annotations

import importlib
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker


def _d(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _date(rng: random.Random, order: str) -> str:
    parts = {
        "d": f"{rng.randrange(1, 28):02d}",
        "m": f"{rng.randrange(1, 12):02d}",
        "y": f"{rng.randrange(40, 99)}",
    }
    return "".join(parts[p] for p in order)


_UK_UNIT = "ABDEFGHJLNPQRSTUWXYZ"
_CA_LETTERS = "ABCEGHJKLMNPRSTVXY"
_EIR = "ACDEFHKNPRTVWXY"
_FILLERS: dict[str, Callable[[Faker, random.Random], str]] = {
    "n": lambda f, r: str(r.randrange(1, 250)),
    "last": lambda f, r: f.last_name(),
    "first": lambda f, r: f.first_name(),
    "city": lambda f, r: f.city(),
    "state": lambda f, r: f.state_abbr(),
    "uk": lambda f, r: (
        f"{r.choice(['SW', 'SE', 'EC', 'N', 'E', 'W', 'M', 'LS', 'EH', 'CF'])}{r.randrange(1, 10)}"
        f" {r.randrange(10)}{''.join(r.choices(_UK_UNIT, k=2))}"
    ),
    "ca": lambda f, r: (
        f"{r.choice(_CA_LETTERS)}{r.randrange(10)}{r.choice(_CA_LETTERS)}"
        f" {r.randrange(10)}{r.choice(_CA_LETTERS)}{r.randrange(10)}"
    ),
    "eir": lambda f, r: (
        f"D{r.randrange(1, 25):02d} {r.choice(_EIR)}{_d(r, 1)}{r.choice(_EIR)}{_d(r, 1)}"
    ),
    "ymd": lambda f, r: _date(r, "ymd"),
    "dmy": lambda f, r: _date(r, "dmy"),
    "ym": lambda f, r: _date(r, "ym"),
}


def render(template: str, fake: Faker | None, rng: random.Random) -> str:
    """Fill a template's "{...}" fields (see the module docstring)."""

    def fill(match: re.Match[str]) -> str:
        token = match.group(1)
        if "|" in token:
            return rng.choice(token.split("|"))
        if set(token) == {"#"}:
            return _d(rng, len(token))
        if set(token) == {"A"}:
            return "".join(rng.choices(string.ascii_uppercase, k=len(token)))
        assert fake is not None or token in ("ymd", "dmy", "ym"), token
        return _FILLERS[token](fake, rng)  # type: ignore[arg-type]

    return re.sub(r"\{([^{}]*)\}", fill, template)


# country: (street lines, postcode + city lines), as the country writes them.
ADDRESSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "GB": (("{n} {last} {Street|Road|Lane|Close|Gardens}",), ("{city} {uk}",)),
    "US": (("{n}{##} {last} {Street|Avenue|Drive|Court|Boulevard}",), ("{city}, {state} {#####}",)),
    "DE": (("{last}straße {n}", "{last}weg {n}", "{last}er Straße {n}"), ("{#####} {city}",)),
    "FR": (("{n} {rue|avenue|boulevard|place} {|de la |du |des }{last}",), ("{#####} {city}",)),
    "ES": (
        ("Calle {last} {n}", "C/ {last}, {n}, {1|2|3|4}º {A}", "Avenida de {last} {n}"),
        ("{#####} {city}",),
    ),
    "NL": (("{last}{straat|laan|weg|gracht|plein} {n}",), ("{1|2|3|5|7}{###} {AA} {city}",)),
    "SE": (("{last}{gatan|vägen|torget|gränd} {n}",), ("{1|4|5|7}{##} {##} {city}",)),
    "IT": (("{Via|Viale|Piazza|Corso|via} {last} {n}",), ("{#####} {city}",)),
    "JP": (
        (
            "東京都{千代田区|中央区|港区|新宿区|渋谷区}{丸の内|銀座|六本木|神南|西新宿}{1|2|3}-{n}-{##}",
            "大阪府大阪市{北区|中央区}{梅田|本町}{1|2|3}丁目{##}番{#}号",
        ),
        ("〒{###}-{####}",),
    ),
    "PL": (("{ul.|al.} {last} {n}/{##}",), ("{##}-{###} {city}",)),
    "PT": (("{Rua|Avenida|Travessa} {last}, {n}",), ("{1|2|3|4}{###}-{###} {city}",)),
    "BE": (("Rue de la {last} {n}", "{last}straat {n}"), ("{1|2|3|4|9}{###} {city}",)),
    "CH": (("{last}strasse {n}",), ("CH-{1|3|8}{###} {city}",)),
    "AT": (("{last}gasse {n}",), ("A-{1|4|5|8}{###} {city}",)),
    "DK": (("{last}{vej|gade|allé} {n}",), ("{1|2|5|8}{###} {city}",)),
    "NO": (("{last}veien {n}", "{first}s gate {n}"), ("{0|1|5|7}{###} {city}",)),
    "FI": (("{last}{nkatu|ntie|nkuja} {n}",), ("{0|2|3}{####} {city}",)),
    "IE": (("{n} {last} {Street|Road|Avenue}",), ("Dublin {1|2|4|6|8}, {eir}",)),
    "CA": (("{n}{##} {last} {Street|Avenue|Road}",), ("{city}, {ON|BC|QC|AB} {ca}",)),
    "AU": (
        ("{n} {last} {Street|Road|Parade|Avenue}",),
        ("{city} {NSW|VIC|QLD|WA} {2|3|4|6}{###}",),
    ),
    "BR": (("{Rua|Avenida|Av.} {last}, {n}{#}",), ("{city} - {SP|RJ|MG}, {#####}-{###}",)),
    "IN": (("{n}, {last} {Road|Marg|Nagar}",), ("{city} {1|4|5|6}{#####}",)),
}

# A country's phone formats: "#" is a random digit (drawn until the number is valid there).
PHONE_FORMATS: dict[str, tuple[str, ...]] = {
    "GB": ("07### ######", "+44 7### ######", "020 #### ####", "+44 20 #### ####"),
    "US": ("(415) ###-####", "415-###-####", "+1 415 ### ####", "212.###.####"),
    "DE": ("+49 30 #######", "030 ########", "0171/#######", "(030) #######"),
    "FR": ("01 ## ## ## ##", "06.##.##.##.##", "+33 6 ## ## ## ##"),
    "ES": ("612 ## ## ##", "+34 612 ### ###", "91 ### ## ##"),
    "NL": ("06-########", "020-#######", "+31 6 ########"),
    "SE": ("08-### ### ##", "070-### ## ##", "+46 70 ### ## ##"),
    "IT": ("347 ### ####", "06 #### ####", "+39 347 ### ####"),
    "JP": ("03-####-####", "090-####-####", "+81 90-####-####"),
    "PL": ("512 ### ###", "+48 512 ### ###", "22 ### ## ##"),
    "PT": ("912 ### ###", "+351 912 ### ###", "21 ### ####"),
    "BE": ("0470 ## ## ##", "02 ### ## ##", "+32 470 ## ## ##"),
    "CH": ("044 ### ## ##", "079 ### ## ##", "+41 44 ### ## ##"),
    "AT": ("0664 #######", "01 ### ####", "+43 664 #######"),
    "DK": ("+45 32 ## ## ##", "+45 2# ## ## ##"),
    "NO": ("+47 412 ## ###", "412 ## ###", "+47 22 ## ## ##"),
    "FI": ("040 ### ####", "09 #### ###", "+358 40 ### ####"),
    "IE": ("087 ### ####", "(01) ### ####", "+353 87 ### ####"),
    "CA": ("(416) ###-####", "+1 416 ### ####", "604-###-####"),
    "AU": ("0412 ### ###", "(02) 9### ####", "+61 412 ### ###"),
    "BR": ("(11) 9####-####", "+55 11 9####-####", "11 9####-####"),
    "IN": ("+91 98### #####", "98### #####", "+91 80 #### ####"),
}

# country: (the words written before the id, python-stdnum module or None, draw, written as).
NATIONAL_IDS: dict[str, tuple[str, str | None, str, str]] = {
    "GB": ("NI number", None, "{AB|CE|JK|PR|ST|WX}{######}{A|B|C|D}", "## ## ## ## #"),
    "US": ("SSN", "us.ssn", "{#########}", "###-##-####"),
    "DE": ("Steuer-ID", "de.idnr", "{1|2|3|4|5|6|7|8|9}{##########}", "## ### ### ###"),
    "FR": ("n° de sécurité sociale", "fr.nir", "{1|2}{ym}{##}{########}", "# ## ## ## ### ### ##"),
    "ES": ("DNI", "es.dni", "{########}{A}", ""),
    "NL": ("BSN", "nl.bsn", "{#########}", ""),
    "SE": ("personnummer", "se.personnummer", "{ymd}{####}", "######-####"),
    "IT": (
        "codice fiscale",
        "it.codicefiscale",
        "{AAAAAA}{5|6|7|8}{#}{A|B|C|D|E|H|L|M|P|R|S|T}{1|2}{#}{A|B|C|D|E|F|G|H}{###}{A}",
        "",
    ),
    "JP": ("マイナンバー", None, "{############}", "#### #### ####"),
    "PL": ("PESEL", "pl.pesel", "{ymd}{#####}", ""),
    "PT": ("NIF", "pt.nif", "{1|2}{########}", ""),
    "BE": ("rijksregisternummer", "be.nn", "{ymd}{#####}", "##.##.##-###.##"),
    "CH": ("AHV-Nr.", "ch.ssn", "756{##########}", "###.####.####.##"),
    "AT": ("SVNR", None, "{####}{dmy}", "#### ######"),
    "DK": ("CPR-nummer", None, "{dmy}{####}", "######-####"),
    "NO": ("fødselsnummer", "no.fodselsnummer", "{dmy}{#####}", "###### #####"),
    "FI": ("henkilötunnus", "fi.hetu", "{dmy}-{###}{0|1|5|9|A|C|F|H|K|N|R|U|Y}", ""),
    "IE": ("PPS number", "ie.pps", "{#######}{A}", ""),
    "CA": ("SIN", "ca.sin", "{1|2|4|5|6|7|9}{########}", "###-###-###"),
    "AU": ("TFN", "au.tfn", "{#########}", "### ### ###"),
    "BR": ("CPF", "br.cpf", "{###########}", "###.###.###-##"),
    "IN": ("Aadhaar", "in_.aadhaar", "{2|3|4|5|6|7|8|9}{###########}", "#### #### ####"),
}


@dataclass(frozen=True)
class Profile:
    """A country: its faker locale, IBAN country, context keys in its language, a message."""

    country: str
    locale: str
    iban_country: str | None
    phone_key: str
    address_key: str
    local_message: str

    def address(self, fake: Faker, rng: random.Random) -> tuple[str, str]:
        """A street line and its postcode + city, as the country writes them."""
        streets, places = ADDRESSES[self.country]
        return render(rng.choice(streets), fake, rng), render(rng.choice(places), fake, rng)

    def national_id(self, rng: random.Random) -> tuple[str, str]:
        """The name of the country's identity number and one valid number, as written."""
        cue, module, draw, mask = NATIONAL_IDS[self.country]
        check = importlib.import_module(f"stdnum.{module}").is_valid if module else None
        value = render(draw, None, rng)
        while check is not None and not check(value):
            value = render(draw, None, rng)
        if mask:
            chars = iter(value)
            value = "".join(next(chars) if m == "#" else m for m in mask)
        return cue, value


_EN = "Please send it to {address} and text me on {tel} or {email}."
PROFILES: dict[str, Profile] = {
    p.country: p
    for p in (
        Profile("GB", "en_GB", "GB", "phone", "delivery_address", _EN),
        Profile("US", "en_US", None, "phone_number", "billing_address", _EN),
        Profile(
            "DE", "de_DE", "DE", "Telefonnummer", "Lieferadresse",
            "Bitte an {address} liefern, Tel. {tel}, Mail {email}.",
        ),
        Profile(
            "FR", "fr_FR", "FR", "téléphone", "adresse_de_livraison",
            "Merci de livrer au {address}, tél. {tel}, courriel {email}.",
        ),
        Profile(
            "ES", "es_ES", "ES", "teléfono", "dirección",
            "Envíelo a {address}, mi teléfono es {tel} y mi correo {email}.",
        ),
        Profile(
            "NL", "nl_NL", "NL", "telefoon", "adres",
            "Graag leveren op {address}, bel me op {tel} of mail {email}.",
        ),
        Profile(
            "SE", "sv_SE", "SE", "telefon", "adress",
            "Skicka till {address}, ring mig på {tel} eller {email}.",
        ),
        Profile(
            "IT", "it_IT", "IT", "telefono", "indirizzo",
            "Spedite a {address}, telefono {tel}, email {email}.",
        ),
        Profile(
            "JP", "ja_JP", None, "電話番号", "住所",
            "住所は{address}です。電話：{tel}、メール：{email}",
        ),
        Profile(
            "PL", "pl_PL", "PL", "telefon", "adres",
            "Proszę wysłać na {address}, telefon {tel}, e-mail {email}.",
        ),
        Profile(
            "PT", "pt_PT", "PT", "telefone", "morada",
            "Enviem para {address}, telefone {tel}, email {email}.",
        ),
        Profile("BE", "nl_BE", "BE", "gsm", "adres", "Livrez à {address}, GSM {tel}, {email}."),
        Profile(
            "CH", "de_CH", "CH", "Telefon", "Adresse",
            "Bitte an {address} schicken, Tel. {tel}, {email}.",
        ),
        Profile("AT", "de_AT", "AT", "Handy", "Anschrift", "Bitte an {address}, Handy {tel}, {email}."),
        Profile("DK", "da_DK", "DK", "tlf", "adresse", "Send til {address}, tlf. {tel}, mail {email}."),
        Profile(
            "NO", "no_NO", "NO", "mobil", "adresse",
            "Send til {address}, mobil {tel}, e-post {email}.",
        ),
        Profile(
            "FI", "fi_FI", "FI", "puhelin", "osoite",
            "Toimittakaa osoitteeseen {address}, puhelin {tel}, {email}.",
        ),
        Profile("IE", "en_IE", "IE", "mobile", "address", _EN),
        Profile("CA", "en_CA", None, "phone", "shipping_address_line1", _EN),
        Profile("AU", "en_AU", None, "mobile", "street_address", _EN),
        Profile(
            "BR", "pt_BR", None, "celular", "endereço",
            "Enviem para {address}, celular {tel}, e-mail {email}.",
        ),
        Profile("IN", "en_IN", None, "mobile", "address", _EN),
    )
}  # fmt: skip
_CJK = re.compile(r"[\u3040-\u9fff]")


def email(first: str, last: str, fake: Faker, rng: random.Random) -> str:
    """An address made of the person's name as written in their language ("åsa.öberg@...").

    Japanese names become a romanised user name; one domain in five is the person's own,
    internationalised where the name has accents ("müller-shop.de").
    """
    local = re.sub(r"[^\w.]", "", f"{first}.{last}".lower().replace(" ", "."))
    if _CJK.search(local):
        local = fake.user_name()
    own = re.sub(r"[^\w-]", "", last.lower())
    if rng.random() < 0.8 or _CJK.search(own):
        domain = fake.domain_name()
    else:
        domain = f"{own}-shop.{rng.choice(['de', 'com', 'se', 'fr'])}"
    return f"{local}{rng.choice(['', '+orders'])}@{domain}"
