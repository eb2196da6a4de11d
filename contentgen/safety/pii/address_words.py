"""Street words, postcode shapes and regions of the countries the address detector covers.

Word lists and regex fragments only (no compiled patterns): `addresses.py` assembles them. Countries: FR, ES,
NL, SE, DE, IT, UK, US, JP, PL, PT, BE, CH, AT, DK, NO, FI, IE, CA, AU, BR, IN (and LU, which
shares the French and German words).
"""

from __future__ import annotations

import re


def alternation(words: tuple[str, ...]) -> str:
    """A regex alternation of literal `words`, longest first (so "avda." wins over "av.")."""
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
LOWER = "a-zß-öø-ÿāăąćčďđēėęěğģīįıķĺļľłńņňōőœŕřśşšţťūůűųźżž"
# A capitalised word of a street or city name: "Baker", "Saint-Germain", "O'Connell", "St.".
CAP_WORD = rf"[{UPPER}][{UPPER}{LOWER}]*(?:['’-][{UPPER}{LOWER}]+)*\.?"
# Lower-case words inside names: "rue de la Paix", "Via dei Mille", "Karl Johans gate".
PARTICLE = (
    r"(?:(?:de|del|della|delle|dei|degli|dello|di|da|dal|do|dos|das|du|des|la|le|les|los|las|"
    r"van|der|den|het|ter|von|zu|zum|zur|y|e|i|of|the|am|an|auf|sur|en|al|el|sul|sant'|san)\s+"
    r"|[dlDL]['’])"
)

# Number first, then a street word, then the name (France, Belgium, Luxembourg, Quebec).
FR_STREET: tuple[str, ...] = (
    "rue", "avenue", "av.", "bd", "bd.", "boulevard", "place", "pl.", "allée", "allee", "impasse",
    "imp.", "chemin", "ch.", "quai", "cours", "route", "rte", "rte.", "square", "passage",
    "faubourg", "fbg", "fbg.", "voie", "promenade", "esplanade", "sentier", "résidence",
    "residence", "cité", "cite", "hameau", "lieu-dit", "rond-point", "parvis", "montée", "montee",
    "villa", "chaussée", "chaussee", "drève", "dreve", "rang", "allé", "carré", "sente", "venelle",
)  # fmt: skip
# Street word, name, number (Spain, Italy, Portugal, Brazil, Poland, French-speaking countries).
LEADING_STREET: tuple[str, ...] = FR_STREET + (
    "calle", "c/", "avenida", "avda", "avda.", "paseo", "pº", "pº.", "plaza", "pza.", "ronda",
    "carrer", "travesía", "travesia", "camino", "carretera", "ctra.", "glorieta", "rambla",
    "callejón", "callejon", "urbanización", "urbanizacion", "urb.", "via", "viale", "v.le",
    "piazza", "p.za", "piazzale", "corso", "c.so", "largo", "vicolo", "strada", "lungomare",
    "lungotevere", "contrada", "borgo", "salita", "rua", "r.", "travessa", "tv.", "alameda",
    "praça", "praca", "pç.", "estrada", "rodovia", "beco", "ladeira", "ul.", "ulica", "al.",
    "aleja", "aleje", "plac", "os.", "osiedle", "rondo", "c.", "cuesta", "cañada", "acceso", "vial",
    "pasaje", "bajada", "vía", "plazuela", "polígono", "incrocio", "stretto", "rotonda",
    "traversa", "galleria", "vico", "discesa", "circonvallazione", "av", "vila", "viela",
    "vereda", "setor", "quadra", "conjunto", "residencial", "condomínio", "loteamento", "jardim",
    "parque", "chácara", "fazenda", "sítio", "colônia", "passarela", "trecho", "núcleo",
    "pasadizo", "canale",
)  # fmt: skip
# Name, then a street word (English-speaking countries; India). Case as written.
EN_STREET: tuple[str, ...] = (
    "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive",
    "Dr", "Court", "Ct", "Way", "Place", "Pl", "Terrace", "Tce", "Parkway", "Pkwy", "Close",
    "Crescent", "Cres", "Gardens", "Grove", "Square", "Sq", "Mews", "Row", "Walk", "Hill",
    "Highway", "Hwy", "Parade", "Pde", "Esplanade", "Circuit", "Quay", "Green", "Rise", "Trail",
    "Circle", "Alley", "Plaza", "Loop", "Point", "Gateway", "Crossing", "Heights", "Ridge",
    "Valley", "View", "Vista", "Glen", "Harbor", "Harbour", "Junction", "Landing", "Manor",
    "Meadows", "Park", "Pike", "Path", "Springs", "Summit", "Turnpike", "Village", "Marg", "Nagar",
    "Colony", "Layout", "Chowk", "Ganj", "Zila", "Bazar", "Bagh", "Vihar", "Enclave", "Puram",
)  # fmt: skip
# Street words written as the end of one word: "Hauptstraße", "Keizersgracht", "Storgatan",
# "Vesterbrogade", "Kirkeveien", "Mannerheimintie". Endings that are also English words
# ("ring", "gate", "plan") are only accepted as separate words, below.
COMPOUND_ENDING: tuple[str, ...] = (
    "straße", "strasse", "str.", "gasse", "weg", "platz", "allee", "damm", "ufer", "chaussee",
    "steig", "pfad", "markt", "gürtel", "gracht", "straat", "laan", "plein", "kade", "singel",
    "dijk", "steeg", "dreef", "gatan", "gata", "gaten", "vägen", "väg", "gränd", "torget",
    "stigen", "backen", "gade", "vej", "vænget", "allé", "plads", "stræde", "torv", "veien",
    "vei", "vegen", "veg", "plass", "katu", "kuja", "polku", "väylä", "tori", "ranta", "kaari",
    "rinne", "aukio", "tie", "bulevardi", "puistotie", "ring", "baan", "boulevard", "hof",
    "haven", "wal", "plantsoen", "park", "backe", "stig", "gången", "slingan", "platsen", "allén",
    "kajen", "leden", "bakken", "åsen", "haugen", "svingen", "stien", "tunet", "jordet", "løkka",
    "kroken", "grenda", "lunden", "skogen", "dalen", "berget", "engen", "toppen", "stranda",
    "tjernet", "stykket", "vollen", "sletta", "kollen", "brekka", "lei",
)  # fmt: skip
# A separate street word after a name: "Karl Johans gate 1", "Fanø Allé 82", "Eerik Pyhän
# polku 7", "Mariahilfer Straße 10".
NORDIC_SEPARATE: tuple[str, ...] = (
    "gate", "gata", "gatan", "vägen", "vei", "veien", "veg", "vegen", "allé", "Allé", "plass",
    "vej", "Vej", "gade", "Gade", "plads", "Plads", "katu", "tie", "kuja", "polku", "bulevardi",
    "väylä", "ranta", "kaari", "aukio", "puistotie", "puistokuja", "puistopolku", "Boulevard",
)  # fmt: skip
GERMAN_SEPARATE: tuple[str, ...] = (
    "Straße", "Strasse", "Str.", "Weg", "Gasse", "Platz", "Allee", "Ring", "Damm", "Ufer",
    "Chaussee", "Markt",
)  # fmt: skip
# Floor, flat and door after a house number: "3º B", "Apt 4", "bus 2", "m. 5".
UNIT = (
    r"(?:(?i:apt|apartment|suite|ste|unit|flat|piso|planta|escalera|esc|puerta|pta|int|interno|"
    r"scala|lok|m|app|bus|bte|bo[iî]te|etg|etage|lgh|lägenhet)(?:\.\s*|\s+)[\w/-]{1,6}(?!\w)"
    r"|#\s*[\w-]{1,6}|\d{1,2}\s?[º°ªoa]\s?[A-Za-z]?(?:\s?(?:izq|izda|dcha|dch)\.?)?(?!\w))"
)

US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM"
    "|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
AU_STATES = "NSW|VIC|QLD|WA|SA|TAS|ACT|NT"
CA_PROVINCES = "AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT"
BR_STATES = "AC|AL|AP|AM|BA|CE|DF|ES|GO|MA|MT|MS|MG|PA|PB|PR|PE|PI|RJ|RN|RS|RO|RR|SC|SP|SE|TO"
UK_POSTCODE = r"(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
CA_POSTCODE = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"
# Eircode: routing key, then four characters of which at least one is a letter.
IE_EIRCODE = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?(?=[0-9]{0,3}[AC-FHKNPRTV-Y])[0-9AC-FHKNPRTV-Y]{4}"
JP_POSTCODE = r"〒\s?[0-9０-９]{3}[-－‐]?[0-9０-９]{4}"
# Postcodes written before the city: DE/FR/ES/IT/FI/US 5 digits, BE/CH/AT/DK/NO/AU/LU 4,
# NL "1234 AB", SE "123 45", PL "12-345", PT "1234-567", BR "12345-678".
POSTCODE_BEFORE_CITY = (
    r"(?:\d{5}-\d{3,4}|\d{4}-\d{3}|\d{5}|\d{4} ?[A-Z]{2}(?![\w])|\d{4}|\d{3} \d{2}|\d{2}-\d{3})"
    r"(?![\w-])"
)
# Country prefixes written before a postcode: "D-10115", "CH-8001", "SE-111 22".
COUNTRY_PREFIX = r"(?:D|F|E|I|A|B|L|P|S|N|CH|NL|SE|DK|NO|FI|PL|PT|AT|BE|DE|FR|ES|IT|LU)-"
# ... and the postcode that goes with each: "A-1010" has four digits, "D-10115" five.
PREFIXED_POSTCODE = (
    r"(?:A|B|L|N|CH|DK|NO|AT|BE|LU)-\d{4}|(?:D|F|E|I|FI|DE|FR|ES|IT)-\d{5}|(?:S|SE)-\d{3} ?\d{2}"
)
# Words that say a postcode follows (any language of the list above).
POSTCODE_CUE: tuple[str, ...] = (
    "postcode", "post code", "postal code", "zip", "zip code", "zipcode", "code postal", "cp",
    "c.p.", "plz", "postleitzahl", "cap", "código postal", "codigo postal", "cod. postal",
    "postnummer", "postnr", "postnr.", "postinumero", "kod pocztowy", "cep", "pin", "pin code",
    "pincode", "eircode",
)  # fmt: skip
JP_PREFECTURE = r"(?:東京都|北海道|京都府|大阪府|[\u4E00-\u9FFF]{2,3}県)"
KANJI_DIGITS = "0-9０-９一二三四五六七八九十"
