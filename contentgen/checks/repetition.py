"""Repetition: decoding loops and padding that no reviewer would let through.

Ten signs, each a Problem kind: `loop` (a token or two repeated back to back three times or more,
"# # # #", "Ðørøskøb — Ðørøskøb — Ðørøskøb", or a run of three or more tokens repeated back to
back); `repeated_phrase` (the same five-word run three times anywhere in a field, beyond the
product's own name); `repeated_sentence` (a sentence of three or more words twice in a field);
`overused_word` (one content word, not a word of the product's name, making up more than
`MAX_SHARE` of a field's words and used more than `MAX_COUNT` times, "non-slip" fifty times);
`echoed_phrase` (marketing copy: two words in a row of a product fact or name, outside the name
itself, or a whole fact of two or more words outside the name ("6 mm cushioning"), said twice in one
sentence: "With a tool-free assembly, the tool-free assembly stays as clean as ever", "A hidden
drawer and a hidden drawer", "a wireless charging case, so the case tops up on a wireless charging
pad" for wireless earbuds: a fact explained by itself, which the blind review graded nonsense or
clumsy; parallel phrasing such
as "cold drinks stay cold and hot drinks stay hot" and other tasks' "within 3 working days ...
after 5 working days" are not facts of the product); `doubled_word` (a word of the product's name
or facts twice in a row: "the Torand Honey Honey Baby Carrier"); and `repeated_sentence` also
covers two sentences that say the same thing about a fact in other words: a run of RESTATED_WORDS
content words (not the name, facts or audience) shared by two sentences of marketing copy ("With an
acid-free paper, it is light and packs down neatly. With acid-free paper, it is light and packs
down neatly.") and a sentence of five or more words said again with "it" for the product's name
("The Altavik Mira Desk is a desk designed with home workers in mind. It is a desk designed with
home workers in mind."); `restated_fact` (marketing copy: a feature, material or certification of
two or more words named in two sentences of one field, "It is made from oak veneer. ... It has an
oak veneer.", not counting a fact inside a longer one); `name_echo` (marketing copy: the name, a
colon and its kind's word again, "The Cobalen Folio Dotted Notebook: the notebook opens flat",
with the name alone as its fix); `repeated_yours` (marketing copy: "yours" twice in a field,
"Yours for €9. Get yours now.", which the blind review marked every time; where one is a "yours
for" price line its `fix` says it plainly, "It costs €9."); and `repeated_field` (one field the same
text as another of the output: an email subject that is its preheader word for word), which
also covers an email body that opens with its preheader's sentence word for word ("Refined,
understated and made for lectures, libraries and late nights." as preheader and first line: 8
blind-graded outputs, 4 unusable and 4 light edit, none publishable) or with its subject's
sentences ("Ready for a thoughtful gift for a new arrival? Get set today" as subject and first
line: graded unusable at the issue's 60-product size), whose `fix` drops the body's copy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from difflib import SequenceMatcher

from contentgen.checks.agreement import plural_product
from contentgen.checks.base import EvalInput
from contentgen.checks.detector import Detector, leaves, product_facts, text_fields, word_set
from contentgen.checks.problems import Problem

MAX_COUNT = 3  # a word may appear this often in any field, whatever its share
MAX_SHARE = 0.12  # beyond MAX_COUNT, a word may make up at most this share of a field's words
SHORT_LOOP = 3  # one or two tokens repeated back to back this many times is a loop
RESTATED_WORDS = 3  # content words two sentences may not share as one run
TWIN_WORDS = 5  # sentences this long or longer are compared whole with each other
TWIN_RATIO = 0.8  # difflib ratio at which two sentences say the same thing
_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|[^\w\s]+")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# A body's first sentence and the space after it ("Refined, understated ... nights. Meet ...").
_OWN_WORDS = 4  # a subject's words besides the name before the body may not open with them
_FIRST_SENTENCE = re.compile(r"\s*([^.!?\n]+[.!?])\s*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_ARTICLES = frozenset({"a", "an", "the"})
_YOURS = re.compile(r"\byours\b", re.I)
# The price line of a "yours" offer: "Yours for €9", "it is yours for €19", "they are yours for".
_YOURS_FOR = re.compile(r"\b(?:(?:it is|it's|they are|they're) yours|yours) for\b", re.I)
_STOP = word_set(
    "a an and are as at be but by for from has have in into is it its of on or our so that the "
    "their this to was we were will with you your yours i my me us not no can just all more"
)


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def tandem(tokens: list[str], max_width: int = 8) -> tuple[int, int, int] | None:
    """The first back-to-back repeat: (start, width, times), or None when there is none.

    Widths 1-2 need SHORT_LOOP copies ("very very" is emphasis, a third is a loop); wider runs
    need two copies ("with a non-slip grip with a non-slip grip").
    """
    n = len(tokens)
    for width in range(1, max_width + 1):
        need = SHORT_LOOP if width <= 2 else 2
        for start in range(0, n - width * need + 1):
            times = 1
            while (
                start + (times + 1) * width <= n
                and tokens[start + times * width : start + (times + 1) * width]
                == tokens[start : start + width]
            ):
                times += 1
            if times >= need:
                return start, width, times
    return None


class RepetitionCheck(Detector):
    """Gate 'repetition': loops, repeated phrases and sentences, and overused words."""

    name = "repetition"

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every repetition in every field, and an email body opening with another field."""
        product = product_facts(item)
        name_words = set(_WORD.findall(str(product.get("name", "")).lower()))
        # A stated benefit is what the copy should say, not a fact to explain.
        facts = {k: v for k, v in product.items() if k not in ("name", "benefits")}
        fact_words = {w.lower() for text in leaves(facts) for w in _WORD.findall(text)}
        # Naming a fact or the audience again is fine; saying the same thing about it is not.
        audience = {w.lower() for w in _WORD.findall(str(item.facts.get("audience") or ""))}
        known = name_words | fact_words | audience
        # Whole facts of two or more words ("6 mm cushioning", "4-way stretch"), said twice in
        # one sentence even where a word of them is too short or is also a word of the name.
        phrases = sorted({t.lower() for t in leaves(facts) if len(t.split()) > 1}, key=len)
        name = str(product.get("name", "")).lower()
        # What the product has (not its kind, colour or measures, which copy may name again).
        has = {k: product.get(k) for k in ("features", "material", "materials", "certifications")}
        owned = {t.lower() for t in leaves(has)}
        claims = [p for p in phrases if p in owned]
        fields = text_fields(item)
        found = self._preheader_again(fields, name_words) if item.channel == "email" else []
        said: set[str] = set()
        for field, value in fields.items():
            words = " ".join(_WORD.findall(value.lower()))
            if words and words in said:
                found.append(self.problem("repeated_field", field, value[:60], limit=1))
            said.add(words)
            found += self._field(field, value, name_words)
            whole = _facts_twice(value, phrases, name)
            pairs = _echoes(value, (fact_words | name_words) - _STOP, name)
            found += [  # a pair inside a whole fact said twice is that one echo
                self.problem("echoed_phrase", field, phrase, limit=1)
                for phrase in dict.fromkeys(
                    [p for p in pairs if not any(p in w for w in whole)] + whole
                )
            ]
            found += [
                self.problem("doubled_word", field, f"{word} {word}", limit=1)
                for word in _doubled(value, (name_words | fact_words) - _STOP)
            ]
            found += [  # marketing copy, whose facts say which words are not a claim
                self.problem("repeated_sentence", field, run, limit=1)
                for run in (_restated(_sentences(value), known) if product else [])
            ]
            if product:
                sentences = _sentences(value)
                found += [
                    self.problem("repeated_sentence", field, s, limit=1)
                    for s in _near_twins(sentences, name)
                ]
                found += [
                    self.problem("restated_fact", field, fact, limit=1)
                    for fact in _facts_again(sentences, claims)
                ]
                found += [
                    self.problem("name_echo", field, m.group(0), start=m.start(), end=m.end(),
                                 fix=m.group("name"))
                    for m in name_echoes(value, str(product.get("name", "")))
                ]  # fmt: skip
                found += self._yours(field, value, str(product.get("name", "")))
        return found

    def _yours(self, field: str, value: str, name: str) -> list[Problem]:
        if len(_YOURS.findall(value)) < 2:
            return []
        offer = _YOURS_FOR.search(value)
        if offer is None:  # "Get yours now. Find yours today.": no price line to say it plainly
            return [self.problem("repeated_yours", field, value[:60], limit=1)]
        return [self.problem("repeated_yours", field, offer.group(0), limit=1,
                             start=offer.start(), end=offer.end(), fix=_costs(offer, name))]  # fmt: skip

    def _preheader_again(self, fields: Mapping[str, str], name_words: set[str]) -> list[Problem]:
        """`repeated_field` for an email body that opens with its preheader's or its subject's
        words, each sentence of them whole, fixed by dropping them (and the space after them)
        from the body: "Ready for a new arrival? Get set today" as subject and first line. A
        subject that only introduces the product ("Meet the X", which 55 of the corpus's 2,500
        emails open with again) is left alone."""
        body = fields.get("body", "")
        for name in ("preheader", "subject"):
            said = _WORD.findall(fields.get(name, "").lower())
            if name == "subject" and len([w for w in said if w not in name_words]) < _OWN_WORDS:
                continue
            end = _opening_sentences(body, said) if said else None
            if end is not None:
                return [self.problem("repeated_field", "body", body[:end], limit=1, start=0,
                                     end=end, fix="")]  # fmt: skip
        return []

    def _field(self, field: str, value: str, name_words: set[str]) -> list[Problem]:
        found = []
        tokens = _tokens(value)
        loop = tandem(tokens)
        if loop is not None:
            start, width, times = loop
            evidence = " ".join(tokens[start : start + width * times])
            found.append(self.problem("loop", field, evidence, limit=times))
        phrases = Counter(tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4))
        for phrase, count in phrases.items():
            said = {t for t in phrase if t[:1].isalnum()}
            if count >= 3 and not said <= name_words | _STOP:
                found.append(self.problem("repeated_phrase", field, " ".join(phrase), limit=2))
                break
        counts = Counter(s for s in _sentences(value) if len(s.split()) >= 3)
        found += [
            self.problem("repeated_sentence", field, s, limit=1) for s, c in counts.items() if c > 1
        ]
        words = [w.lower() for w in _WORD.findall(value)]
        ignored = _STOP | name_words
        content = Counter(w for w in words if w not in ignored and len(w) > 2)
        for word, count in content.items():
            if count > MAX_COUNT and count > MAX_SHARE * len(words):
                found.append(self.problem("overused_word", field, word, limit=MAX_COUNT))
        return found


def _sentences(text: str) -> list[str]:
    """Sentences, normalised (lower case, single spaces, no end punctuation)."""
    out = []
    for m in _SENTENCE.finditer(text):
        sentence = " ".join(m.group().lower().strip(" .!?").split())
        if sentence:
            out.append(sentence)
    return out


def _doubled(text: str, words: set[str]) -> list[str]:
    """Words of the product's name or facts said twice in a row ("the Torand Honey Honey Baby
    Carrier"); emphasis such as "very very" is not a product's word."""
    tokens = [w.lower() for w in _WORD.findall(text)]
    pairs = zip(tokens, tokens[1:], strict=False)
    return list(dict.fromkeys(a for a, b in pairs if a == b and a in words and len(a) > 2))


def _restated(sentences: list[str], known: set[str]) -> list[str]:
    """Runs two different sentences share (articles aside) that hold RESTATED_WORDS or more
    content words other than `known` ones (the name, facts, audience): a benefit said twice,
    "With an acid-free paper, it is light and packs down neatly. With acid-free paper, it is
    light and packs down neatly.", "..., so it can be deep-fried. ..., so it can be deep-fried"."""
    found: list[str] = []
    distinct = list(
        dict.fromkeys(sentences)
    )  # a sentence said twice word for word is counted above
    token_lists = [[w for w in _WORD.findall(s) if w not in _ARTICLES] for s in distinct]
    for i, first in enumerate(token_lists):
        for second in token_lists[i + 1 :]:
            run = _longest_common_run(first, second)
            content = [w for w in run if w not in _STOP and w not in known and len(w) > 2]
            if len(content) >= RESTATED_WORDS:
                found.append(" ".join(run))
    return found


def _longest_common_run(a: list[str], b: list[str]) -> list[str]:
    """The longest run of words `a` and `b` both hold, in order and back to back."""
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[match.a : match.a + match.size]


def _opening_sentences(body: str, words: list[str]) -> int | None:
    """Where the body's opening sentences end (spaces after them included) when their words are
    `words` exactly, else None."""
    at = 0
    opened: list[str] = []
    while len(opened) < len(words):
        sentence = _FIRST_SENTENCE.match(body, at)
        if sentence is None:
            return None
        opened += _WORD.findall(sentence.group(1).lower())
        at = sentence.end()
    return at if opened == words else None


def _facts_twice(text: str, phrases: list[str], name: str) -> list[str]:
    """Fact phrases said twice within one sentence ("a 6 mm cushioning and a 6 mm cushioning"),
    not counting the product's name ("the Sprint Adjustable Dumbbell, an adjustable dumbbell")."""
    found: list[str] = []
    for sentence in _sentences(text):
        sentence = sentence.replace(name, " ") if name else sentence
        found += [
            p for p in phrases if len(re.findall(rf"(?<!\w){re.escape(p)}(?!\w)", sentence)) > 1
        ]
    return found


def _near_twins(sentences: list[str], name: str) -> list[str]:
    """Sentences of TWIN_WORDS or more words that say what another says, with the product's name
    read as "it" ("The Altavik Mira Desk is a desk designed with home workers in mind. It is a
    desk designed with home workers in mind."): a difflib ratio of TWIN_RATIO or more."""
    out: list[str] = []
    words = []
    for sentence in dict.fromkeys(sentences):  # word-for-word repeats are counted above
        said = sentence.replace(f"the {name}", "it").replace(name, "it") if name else sentence
        words.append((sentence, _WORD.findall(said)))
    for i, (first, a) in enumerate(words):
        for _, b in words[i + 1 :]:
            if min(len(a), len(b)) < TWIN_WORDS:
                continue
            if SequenceMatcher(None, a, b, autojunk=False).ratio() >= TWIN_RATIO:
                out.append(first)
    return out


def _facts_again(sentences: list[str], phrases: list[str]) -> list[str]:
    """Whole facts of two or more words named in two sentences of one field ("It is made from
    organic cotton percale. ... It has an organic cotton percale."); a fact inside a longer one
    ("organic cotton" in "GOTS-certified organic cotton") is not counted."""
    found: list[str] = []
    for phrase in phrases:
        pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")
        longer = [p for p in phrases if p != phrase and phrase in p]
        mentions = 0
        for sentence in sentences:
            for other in longer:
                sentence = sentence.replace(other, " ")
            mentions += bool(pattern.search(sentence))
        if mentions > 1:
            found.append(phrase)
    return found


def _echoes(text: str, fact_words: set[str], name: str) -> list[str]:
    """Pairs of fact words in a row said twice within one sentence, each pair once, the name
    aside: a word of the name counts outside it ("They have a wireless charging case, so the
    case tops up on a wireless charging pad" for the Cadence Wireless Earbuds)."""
    found: list[str] = []
    for sentence in _sentences(text):
        words = _WORD.findall(sentence.replace(name, " ") if name else sentence)
        pairs = Counter(
            (a, b)
            for a, b in zip(words, words[1:], strict=False)
            if a in fact_words and b in fact_words and len(a) > 2 and len(b) > 2
        )
        found += [f"{a} {b}" for (a, b), count in pairs.items() if count > 1]
    return found


def _costs(offer: re.Match[str], name: str) -> str:
    """The price line of a "yours for" offer said plainly: "Yours for" -> "It costs" ("They cost"
    for a name that ends in a plural, "Cadence Wireless Earbuds"), "it is yours for" -> "it costs"."""
    said = "they cost" if plural_product({"name": name}) else "it costs"
    return said[:1].upper() + said[1:] if offer.group(0)[:1].isupper() else said


def without_repeated_yours(text: str, name: str) -> str:
    """`text` with a "Yours for" offer said plainly where "yours" comes twice, as the engine's
    edit makes it ("Yours for €9. Get yours now." -> "It costs €9. Get yours now.")."""
    offer = _YOURS_FOR.search(text) if len(_YOURS.findall(text)) > 1 else None
    return (
        text if offer is None else text[: offer.start()] + _costs(offer, name) + text[offer.end() :]
    )


def name_echoes(text: str, name: str) -> list[re.Match[str]]:
    """Where the text names the product and then its kind's word again as the subject of the
    next clause ("The Cobalen Folio Dotted Notebook: the notebook opens flat"); the fix keeps the
    name alone ("The Cobalen Folio Dotted Notebook opens flat")."""
    words = _WORD.findall(name)
    if not words:
        return []
    pattern = rf"(?P<name>{re.escape(name)})\s*:\s*the\s+{re.escape(words[-1])}\b"
    return list(re.finditer(pattern, text, re.I))


def without_name_echoes(text: str, name: str) -> str:
    """`text` with each name echo corrected ("The X Notebook: the notebook opens" -> "The X
    Notebook opens"): what the engine's edit makes, for writers of copy such as the corpus."""
    for match in reversed(name_echoes(text, name)):
        text = text[: match.start()] + match.group("name") + text[match.end() :]
    return text
