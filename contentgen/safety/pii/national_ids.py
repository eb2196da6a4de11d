"""National identity, social-security, tax and passport numbers (kind "ID").

Two ways in:

- a number in a country's own written shape that passes that country's check (validators from
  `python-stdnum`): "123-45-6789" (US SSN), "2 95 10 99 126 111 93" (FR NIR), "12345678Z"
  (ES DNI), "811218-9876" (SE personnummer), "131052-308T" (FI HETU), "RSSMRA85T10A562S"
  (IT codice fiscale), "756.1234.5678.97" (CH AHV), "123.456.789-09" (BR CPF), ...;
- any number of 5+ digits right after the name of an identity number ("SSN", "passport no.",
  "PESEL:", "BSN", "CPR-nummer", "Steuer-ID", "codice fiscale", "マイナンバー"), checksum or not:
  bare 9-13 digit runs are too often order numbers to be recognised by shape alone.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from functools import cache

from contentgen.safety.pii.spans import Scan, Span

_B = r"(?<![\w./-])"  # no word character or number separator right before
_E = r"(?![\w/-]|[.,]\d)"  # ... or right after
# (python-stdnum module, the shapes people write that number in)
_SHAPES: tuple[tuple[str, str], ...] = (
    ("us.ssn", r"\d{3}[- ]\d{2}[- ]\d{4}"),
    ("fr.nir", r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}"),
    ("es.dni", r"\d{8}[ -]?[A-Z]"),
    ("es.nie", r"[XYZ][ -]?\d{7}[ -]?[A-Z]"),
    ("nl.bsn", r"\d{4}\.\d{2}\.\d{3}"),
    ("se.personnummer", r"(?:19|20)?\d{6}[-+]\d{4}"),
    ("no.fodselsnummer", r"\d{6} \d{5}"),
    ("fi.hetu", r"\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]"),
    ("it.codicefiscale", r"[A-Z]{6}[\dLMNP-V]{2}[A-EHLMPR-T][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]"),
    ("pt.cc", r"\d{8} ?\d ?[A-Z]{2}\d"),
    ("be.nn", r"\d{2}\.\d{2}\.\d{2}[- ]\d{3}\.\d{2}"),
    ("ch.ssn", r"756\.\d{4}\.\d{4}\.\d{2}"),
    ("ie.pps", r"\d{7}[A-W][A-IW]?"),
    ("ca.sin", r"\d{3}-\d{3}-\d{3}"),  # with spaces it is as often a phone: needs a cue
    ("br.cpf", r"\d{3}\.\d{3}\.\d{3}-\d{2}"),
    ("in_.aadhaar", r"[2-9]\d{3}[ -]\d{4}[ -]\d{4}"),
    ("in_.pan", r"[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]"),
    ("gb.nino", r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]"),
)
_SHAPE_PATTERNS = tuple(re.compile(f"{_B}{shape}{_E}") for _, shape in _SHAPES)
# One pass finds where any shape may start; each shape is then tried there on its own.
_ANY_SHAPE = re.compile(f"(?=[0-9A-Z]){_B}(?:{'|'.join(shape for _, shape in _SHAPES)}){_E}")
_NINO_PREFIXES_NOT_ISSUED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_CUE = re.compile(
    r"(?:\b(?:ssn|social\s+security(?:\s+number)?|national\s+insurance(?:\s+number)?|nino|"
    r"national\s+id(?:entity)?(?:\s+(?:number|card))?|id\s+(?:number|card)|"
    r"identity\s+(?:number|card)|passport|passeport|pasaporte|reisepass|paspoort|passaporto|"
    r"passaporte|pass(?:nummer|nr)|tax\s+(?:id|number|code)|tin|bsn(?:-nummer)?|"
    r"burgerservicenummer|personnummer|personnr|cpr(?:-nummer|-nr)?|f[øo]dselsnummer|hetu|"
    r"henkil[öo]tunnus|pesel|nif|nie|dni|nir|s[ée]curit[ée]\s+sociale|codice\s+fiscale|"
    r"steuer-?id|steuer-?identifikationsnummer|steuernummer|idnr|ahv(?:-nr)?|avs|svnr|"
    r"sozialversicherungsnummer|ppsn?|sin|social\s+insurance\s+number|tfn|tax\s+file\s+number|"
    r"cpf|aadhaa?r|pan|driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|licen[cs]e\s+number)\b"
    r"|マイナンバー|個人番号)"
    r"(?:\s*(?:number|no\.?|nr\.?|n\.?[º°o]\.?|#|:|=|-|is|was|ist|est|es|är|er|on|é))*\s*$",
    re.I,
)
_TOKEN = re.compile(
    r"(?<![\w.-])[A-Z]{0,3}\d[\dA-Z]*(?:[ .\-/](?:\d[\dA-Z]*|[A-Z]{1,2}(?!\w)))*", re.I
)
_FIVE_DIGITS = re.compile(r"(?:\D*\d){5}")
_FOUR_DIGITS = re.compile(r"(?:\D*\d){4}")  # an Indian PAN has four
# The first word of every name in _CUE, as `Scan` splits and folds it: the cheap test first.
_CUE_WORDS = frozenset(
    (
        "ssn", "social", "national", "nino", "id", "identity", "passport", "passeport", "pasaporte",
        "reisepass", "paspoort", "passaporto", "passaporte", "passnummer", "passnr", "tax", "tin",
        "bsn", "bsn-nummer", "burgerservicenummer", "personnummer", "personnr", "cpr", "cpr-nummer",
        "cpr-nr", "fødselsnummer", "fodselsnummer", "hetu", "henkilötunnus", "henkilotunnus", "pesel",
        "nif", "nie", "dni", "nir", "sécurité", "securite", "codice", "steuer-id", "steuerid",
        "steuer-identifikationsnummer", "steueridentifikationsnummer", "steuernummer", "idnr", "ahv",
        "ahv-nr", "avs", "svnr", "sozialversicherungsnummer", "pps", "ppsn", "sin", "tfn", "cpf",
        "aadhaar", "aadhar", "pan", "driver's", "drivers", "driver", "driving", "licence", "license",
    )
)  # fmt: skip
_CJK_CUES = ("マイナンバー", "個人番号")

# "order ID number 12345678" names an order, not a person.
_OTHER_ID = re.compile(
    r"\b(?:order|ticket|customer|account|tracking|invoice|product|item|transaction|case|"
    r"reference|ref|member|loyalty|client|booking|reservation|shipment|parcel)\s*$",
    re.I,
)


@cache
def _validators() -> list[Callable[[str], bool]]:
    """One check per shape, imported on first use (stdnum's modules cost ~1 ms each to import)."""
    checks: list[Callable[[str], bool]] = []
    for module, _ in _SHAPES:
        if module == "gb.nino":
            checks.append(lambda v: v.replace(" ", "")[:2] not in _NINO_PREFIXES_NOT_ISSUED)
        else:
            checks.append(importlib.import_module(f"stdnum.{module}").is_valid)
    return checks


def _key(value: str) -> str:
    return re.sub(r"[\s./-]", "", value).upper()


def _shaped(text: str) -> Iterator[Span]:
    checks = _validators()
    for candidate in _ANY_SHAPE.finditer(text):
        for pattern, check in zip(_SHAPE_PATTERNS, checks, strict=True):
            m = pattern.match(text, candidate.start())
            if m and (check(m.group(0)) or check(re.sub(r"[\s./-]", "", m.group(0)))):
                yield Span(m.start(), m.end(), "ID", _key(m.group(0)))
                break


def _cued(scan: Scan) -> Iterator[Span]:
    text = scan.text
    if scan.vocabulary.isdisjoint(_CUE_WORDS) and not any(c in text for c in _CJK_CUES):
        return
    for m in _TOKEN.finditer(text):
        value = m.group(0).rstrip(" .-/")
        if len(value) > 30 or not _FIVE_DIGITS.match(value):
            continue
        start = m.start()
        cue = _CUE.search(text, max(0, start - 60), start)
        if cue and not _OTHER_ID.search(text, max(0, cue.start() - 20), cue.start()):
            yield Span(start, start + len(value), "ID", _key(value))


def national_ids(scan: Scan) -> Iterator[Span]:
    """Identity numbers by checked shape, and any number right after an identity-number name."""
    if _FOUR_DIGITS.match(scan.text) is None:
        return
    yield from _shaped(scan.text)
    if _FIVE_DIGITS.match(scan.text):
        yield from _cued(scan)
