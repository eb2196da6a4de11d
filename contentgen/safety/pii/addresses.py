"""Street addresses and postcodes in the formats of 22 countries (words in `address_words`).

A street is a street word next to a name and a house number, in the order the country writes
it ("221B Baker Street", "12 rue de la Paix", "Calle Mayor 5", "ul. Marszałkowska 10/12",
"Hauptstraße 5", "Storgatan 12", "Karl Johans gate 1", "東京都千代田区千代田1-1"); whatever
follows it that reads as the rest of an address (flat, postcode, city, state, province) is taken
too. Postcodes on their own are taken where their shape is distinctive (UK, Canada, Eircode,
"〒100-0001", "NY 10001", "NSW 2000", "1015 CJ Amsterdam", "111 22 Stockholm", "00-590
Warszawa"), after a country prefix ("D-10115 Berlin") or after a postcode word ("PLZ 10115",
"code postal 75002"). A house number followed by a quantity word ("via DHL 2 days") or a
currency is no house number, nor is a four-digit year.

Each street pattern is only tried where one of its street words is (the text's words are split
once, see `spans.Scan`), which keeps a message without addresses cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from contentgen.safety.pii import address_words as w
from contentgen.safety.pii.spans import QUANTITY_WORDS, Scan, Span

_B = r"(?<![\w#/.@-])"
_LETTERS = w.UPPER + w.LOWER
_NAME = rf"(?:{w.PARTICLE})*{w.CAP_WORD}(?:[ -](?:{w.PARTICLE})*{w.CAP_WORD}){{0,4}}"
# After "Rua Viana, " a four-digit number is a house number even when it could be a year.
_HOUSE_OR_YEAR = (
    r"(?:\d{1,5}(?:\s?(?:bis|ter|quater)\b|[A-Za-z](?![\w]))?"
    r"(?:\s?[/-]\s?\d{1,4}[A-Za-z]?)?|[Ss]/[Nn])(?![\w/-])"
)
_HOUSE = (
    r"(?:(?!(?:19|20)\d\d(?!\d))\d{1,5}(?:\s?(?:bis|ter|quater)\b|[A-Za-z](?![\w]))?"
    r"(?:\s?[/-]\s?\d{1,4}[A-Za-z]?)?|[Ss]/[Nn])(?![\w/-])"  # S/N: "sin número", "sem número"
)
_NOT_QUANTITY = rf"(?!\s*(?:[%€$£]|(?i:{QUANTITY_WORDS})\b))"
# Capitalised words that start a sentence or name business data, never a city.
_NOT_CITY = (
    r"(?!(?:Order|Ticket|Invoice|SKU|Ref|Thanks|Thank|Please|Regards|Best|Cheers|Hi|Hello|Dear|"
    r"I|We|My|The|Your|Our|It|This|That|Also|And|But|Or|Can|Could|Would|Will|Is|Are|Was|If|"
    r"Call|Phone|Tel|Email|Card|IBAN|Gracias|Merci|Danke|Grazie|Obrigado|Tack|Tak|Kiitos)\b)"
)
_CITY = (
    rf"(?:{w.PARTICLE})?{_NOT_CITY}{w.CAP_WORD}"
    rf"(?:[ ](?:{w.PARTICLE})*{_NOT_CITY}{w.CAP_WORD}){{0,2}}(?![\w-])"
)
_POSTCODE_THEN_CITY = (
    rf"(?:{w.COUNTRY_PREFIX})?{w.POSTCODE_BEFORE_CITY}(?:\s+{_CITY})?"
    r"(?:\s+(?i:cedex)(?:\s+\d{1,2})?)?"
)
_REGION = rf"(?:{w.US_STATES}|{w.AU_STATES}|{w.CA_PROVINCES}|{w.BR_STATES})(?![\w])"
_TAIL_PART = (
    rf"{w.UNIT}|{w.UK_POSTCODE}(?![\w])|{w.CA_POSTCODE}(?![\w])|{w.IE_EIRCODE}(?![\w])"
    rf"|{_POSTCODE_THEN_CITY}|[1-9]\d{{2}}\s?\d{{3}}(?!\d)|{_REGION}|\((?:[A-Z]{{2}})\)"
    rf"|{_CITY}|\d{{1,2}}(?![\w.,/-]|\s+[{w.LOWER}])"
)
_TAIL = re.compile(rf"(?:(?:\s*,\s*|\s+[-–]\s+|[ \t]*\n\s*|[ \t]+)(?:{_TAIL_PART})){{0,6}}")

# 12 rue de la Paix / 3 bis avenue Victor Hugo
_NUMBER_THEN_FR_STREET = re.compile(
    rf"{_B}\d{{1,5}}(?:\s?(?:bis|ter|quater)\b|[A-Za-z](?!\w))?,?\s+"
    rf"(?i:{w.alternation(w.FR_STREET)})\s+{_NAME}"
)
# 221B Baker Street / 12, MG Road
_NUMBER_NAME_EN_STREET = re.compile(
    rf"{_B}\d{{1,5}}(?:/\d{{1,5}})?[A-Za-z]?,?\s+(?:(?:{w.PARTICLE})?{w.CAP_WORD}\s+){{1,4}}"
    rf"(?:{w.alternation(w.EN_STREET)})\.?"
    r"(?!\w)"
)
# Calle Mayor 5 / Via Roma 10 / Rua Augusta, 100 / ul. Marszałkowska 10/12 / Rue de la Loi 16
_STREET_NAME_NUMBER = re.compile(
    rf"{_B}(?i:{w.alternation(w.LEADING_STREET)})(?:(?<=[/.])\s*|\s+){_NAME}(?:,\s*|\s+)"
    rf"(?:(?i:n[º°o]\.?|nr\.?|no\.?|n[úu]m\.?|n[úu]mero)\s*)?"
    rf"(?:(?<=,\s){_HOUSE_OR_YEAR}|(?<=,){_HOUSE_OR_YEAR}|{_HOUSE}){_NOT_QUANTITY}"
)
# Hauptstraße 5 / Karl-Marx-Straße 1 / Storgatan 12 / Mannerheimintie 1
_COMPOUND_NUMBER = re.compile(
    rf"{_B}[{w.UPPER}][{_LETTERS}]*(?:-[{w.UPPER}][{_LETTERS}]*)*-?"
    rf"(?i:{w.alternation(w.COMPOUND_ENDING)})\.?,?\s+{_HOUSE}{_NOT_QUANTITY}"
)
# Karl Johans gate 1 / Bygdøy allé 2
_NAME_NORDIC_NUMBER = re.compile(
    rf"{_B}{_NAME}\s+(?:{w.alternation(w.NORDIC_SEPARATE)})\s+{_HOUSE}{_NOT_QUANTITY}"
)
# Mariahilfer Straße 10
_GERMAN_NAME_NUMBER = re.compile(
    rf"{_B}[{w.UPPER}][{w.LOWER}]+(?:er|sche[rn]?|s)\s+(?:{w.alternation(w.GERMAN_SEPARATE)})\s+"
    rf"{_HOUSE}{_NOT_QUANTITY}"
)
# 〒100-0001 東京都千代田区千代田1-1 / 大阪市北区梅田3丁目1番1号
_JAPANESE_ADDRESS = re.compile(
    rf"(?:{w.JP_POSTCODE}\s*)?(?:{w.JP_PREFECTURE}[\u4E00-\u9FFF\u3040-\u30FFー]{{0,10}}?"
    rf"|[\u4E00-\u9FFF]{{1,6}})[市区町村郡][\u4E00-\u9FFF\u3040-\u30FFー]{{0,12}}?"
    rf"[{w.KANJI_DIGITS}]+(?:丁目|番地?|号|条|[-－‐の])"
    rf"(?:[{w.KANJI_DIGITS}]+(?:丁目|番地?|号|[-－‐の])?)*"
)
_JAPANESE_POSTCODE = re.compile(
    rf"{w.JP_POSTCODE}|[0-9０-９]{{3}}[-－][0-9０-９]{{4}}(?=\s*{w.JP_PREFECTURE})"
    rf"|[{w.KANJI_DIGITS}]+丁目(?:[{w.KANJI_DIGITS}]+番地?)?(?:[{w.KANJI_DIGITS}]+号)?"
    r"|[0-9０-９]+番地"
)
# Shapes that are postcodes wherever they stand: UK, Canada, Eircode, "NY 10001", "NSW 2000",
# "SP, 01310-200".
_DISTINCT_POSTCODE = re.compile(
    rf"(?=[A-Z])(?<![\w-])(?:{w.UK_POSTCODE}|{w.CA_POSTCODE}|{w.IE_EIRCODE}"
    rf"|(?:{w.US_STATES}),?\s+\d{{5}}(?:-\d{{4}})?|(?:{w.AU_STATES})\s+\d{{4}}"
    rf"|(?:{w.BR_STATES}),?\s+\d{{5}}-\d{{3}})(?![\w-])"
)
# 1015 CJ Amsterdam / 111 22 Stockholm / 00-590 Warszawa / 1100-053 Lisboa / D-10115 Berlin
_POSTCODE_CITY = re.compile(
    r"(?=[\dA-Z])(?<![\w./-])(?:\d{4} ?"
    r"(?!(?:HD|MB|GB|KB|TB|PC|TV|AM|PM|XL|XS|CM|MM|KG|ML|MP|EU|UK|US)\b)[A-Z]{2}"
    rf"|\d{{3}} \d{{2}}|\d{{2}}-\d{{3}}|\d{{4}}-\d{{3}}|{w.PREFIXED_POSTCODE})[ \t]+{_CITY}"
)
_CUED_POSTCODE = re.compile(
    rf"(?i:{w.alternation(w.POSTCODE_CUE)})\s*[:#.]?\s*(?:{w.UK_POSTCODE}|{w.CA_POSTCODE}"
    rf"|{w.IE_EIRCODE}|\d{{5}}(?:-\d{{3,4}})?|\d{{4}}(?: ?[A-Z]{{2}})?|\d{{3}} ?\d{{2,3}}"
    r"|\d{2,3}-\d{3,4})(?![\w-])"
)


def _first_words(words: tuple[str, ...]) -> frozenset[str]:
    """The first word of each entry as `Scan` splits it, case-folded ("v.le" -> "v.")."""
    return frozenset(re.split(r"(?<=[./])|\s|(?=[./]\w)", word.casefold())[0] for word in words)


_LEADING_WORDS = _first_words(w.LEADING_STREET)
_FR_WORDS = _first_words(w.FR_STREET)
_EN_WORDS = frozenset(w.EN_STREET)
_COMPOUND_ENDINGS = tuple(e.casefold().rstrip(".") for e in w.COMPOUND_ENDING)
_NORDIC_WORDS = frozenset(w.NORDIC_SEPARATE)
_GERMAN_WORDS = frozenset(g.rstrip(".") for g in w.GERMAN_SEPARATE)
_POSTCODE_CUE_WORDS = _first_words(w.POSTCODE_CUE)
# "MacBook M3 8GB" is a chip and its memory; as a whole value or after "postcode" it is a
# postcode (so are two-letter areas: "EH8 2GB" is no laptop).
_STORAGE_UNITS = re.compile(r"[A-Z]\d ?\d[KMGT]B")
_POSTCODE_CONTEXT = re.compile(
    r"(?:post\s?code|postal\s+code|address|deliver\w*\s+to)\W{0,5}$", re.I
)
_DIGIT = re.compile(r"[0-9０-９]")
_CJK = re.compile(r"[〒\u3040-\u30FF\u4E00-\u9FFF]")


def _storage_size(text: str, match: re.Match[str]) -> bool:
    if not _STORAGE_UNITS.fullmatch(match.group(0)) or text.strip() == match.group(0):
        return False
    return _POSTCODE_CONTEXT.search(text, max(0, match.start() - 20), match.start()) is None


def _streets(scan: Scan) -> Iterator[re.Match[str]]:
    """Street matches, each pattern tried only around the words that can start or end it."""
    text = scan.text
    for start, end, word in scan.words:
        folded = word.casefold()
        bare = folded.rstrip("./")
        if folded in _LEADING_WORDS or bare in _LEADING_WORDS:
            yield from filter(None, [_STREET_NAME_NUMBER.match(text, start)])
        if bare in _FR_WORDS:
            yield from _NUMBER_THEN_FR_STREET.finditer(text, max(0, start - 14), end + 120)
        if word.rstrip(".") in _EN_WORDS:
            yield from _NUMBER_NAME_EN_STREET.finditer(text, max(0, start - 80), end)
        if word[0].isupper() and bare.endswith(_COMPOUND_ENDINGS):
            yield from filter(None, [_COMPOUND_NUMBER.match(text, start)])
        if word in _NORDIC_WORDS:
            yield from _NAME_NORDIC_NUMBER.finditer(text, max(0, start - 60), end + 16)
        if word.rstrip(".") in _GERMAN_WORDS:
            yield from _GERMAN_NAME_NUMBER.finditer(text, max(0, start - 40), end + 16)


def _postcodes(scan: Scan) -> Iterator[re.Match[str]]:
    text = scan.text
    for m in _DISTINCT_POSTCODE.finditer(text):
        if not _storage_size(text, m):
            yield m
    yield from _POSTCODE_CITY.finditer(text)
    for start, _, word in scan.words:
        folded = word.casefold()
        if folded in _POSTCODE_CUE_WORDS or folded.rstrip("./") in _POSTCODE_CUE_WORDS:
            yield from filter(None, [_CUED_POSTCODE.match(text, start)])


def _key(value: str) -> str:
    return " ".join(value.casefold().split())


def addresses(scan: Scan) -> Iterator[Span]:
    """Street lines (with what follows them of the address) and postcodes standing alone."""
    text = scan.text
    if _DIGIT.search(text) is None and "s/n" not in text.casefold():
        return
    cjk = _CJK.search(text) is not None
    streets = [*_streets(scan), *(_JAPANESE_ADDRESS.finditer(text) if cjk else ())]
    for m in streets:
        tail = _TAIL.match(text, m.end())
        end = tail.end() if tail else m.end()
        yield Span(m.start(), end, "ADDRESS", _key(text[m.start() : end]))
    postcodes = [*_postcodes(scan), *(_JAPANESE_POSTCODE.finditer(text) if cjk else ())]
    for m in postcodes:
        yield Span(m.start(), m.end(), "ADDRESS", _key(m.group(0)))
