"""Leaks: template placeholders, prompt labels and instructions that were copied into the copy.

Anything of the rendered prompt that is not request data must never reach the reader: a
`<at most 30 characters>` placeholder, a "Tone: friendly" or "Reply in exactly this format:"
line, another field's label inside a field ("Headline:" inside the description), a chat role
marker, the data delimiters, or five words in a row of the template's own wording (the rendered
prompt without its delimited data blocks) that the facts do not also contain.
"""

from __future__ import annotations

import re

from contentgen.checks.base import EvalInput
from contentgen.checks.channels import CHANNELS
from contentgen.checks.detector import Detector, fact_values, leaves, text_fields
from contentgen.checks.problems import Problem
from contentgen.safety.untrusted import CLOSE, OPEN

ECHO_WORDS = 5  # a run this long of the prompt's own wording is a leak, not a coincidence
_PLACEHOLDER = re.compile(
    r"<(?![3\s])[^<>\n]{2,60}(?<!\s)>"  # <at most 30 characters>, <product name>; not "<3"
    r"|\[(?:insert|your|product|brand|name|link|price|company|customer)[^\]\n]{0,40}\]"
    r"|\{\{?\s*[a-z_][\w.]*\s*\}?\}"  # {name}, {{ product.name }}
    r"|\bat most \d+ (?:characters|words|chars)\b"
    r"|\b(?:lorem ipsum|placeholder text)\b|\b(?-i:TODO|TBD|XXX+)\b",
    re.IGNORECASE,
)
_INSTRUCTION = re.compile(
    r"\b(?:reply|respond|answer|write|return) (?:in|with) exactly\b"
    r"|\breply with (?:exactly|only)\b|\breply with the \w+(?: \w+)? only\b|\bthis format\b"
    r"|\band nothing else\b"
    r"|\b(?:two|three|four) short paragraphs\b|\bthe facts (?:below|above)\b"
    r"|\bproduct described by\b|\bdata supplied by others\b|\bfollow instructions\b"
    r"|\bas an ai\b|\b(?:i am|i'm) an ai\b|\blanguage model\b",
    re.IGNORECASE,
)
# Labels of the prompt and of every channel field; "Tone: friendly" in copy is a leak.
PROMPT_LABELS = (
    "tone", "audience", "channel", "product facts", "product", "facts", "policy", "context",
    "customer message", "order facts", "article", "summary", "answer", "reply", "output",
    "response", "example", "instructions", "format", "style", "target words",
)  # fmt: skip
_FIELD_LABELS = sorted(
    {f.title.lower() for spec in CHANNELS.values() for f in spec.fields}
    | {f.name.replace("_", " ") for spec in CHANNELS.values() for f in spec.fields},
    key=len,
    reverse=True,
)
_LABEL = re.compile(
    r"(?<![\w'’])("
    + "|".join(
        re.escape(w) for w in sorted({*PROMPT_LABELS, *_FIELD_LABELS}, key=len, reverse=True)
    )
    + r")\s*[*_]*\s*:(?!\d)",
    re.IGNORECASE,
)
_LINE_START = re.compile(r"(?:^|\n)[\s*_#>-]*$")
_ROLE = re.compile(
    r"<\|[^<>|\n]{1,40}\|>|\[/?(?:INST|SYS)\]|<</?SYS>>|</?(?:s|start_of_turn|end_of_turn)>"
    r"|(?:^|\n)\s*(?:system|assistant|user|human|developer|ai|bot)\s*:"
    r"|#{2,}\s*(?:system|assistant|user|instruction|response|input)\b"
    r"|\(quoted\)",
    re.IGNORECASE,
)
_DELIMITER = re.compile(
    rf"{re.escape(OPEN)}|{re.escape(CLOSE)}|\b\w+_facts\b|\bcustomer_message\b|…truncated"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_DATA_BLOCK = re.compile(rf"^{re.escape(OPEN)}\w*\n.*?^{re.escape(CLOSE)}$", re.S | re.M)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _grams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def template_text(prompt: str) -> str:
    """The rendered prompt without its delimited data blocks: the template's own wording."""
    return _DATA_BLOCK.sub("\n", prompt)


def _ends_fact(before: str, label: str, facts: str) -> bool:
    """Whether the label word ends a phrase of the facts ("scratching post" before a colon)."""
    previous = _WORD.findall(before)[-1:]
    return bool(previous) and f"{previous[0]} {label}".lower() in facts


class LeakCheck(Detector):
    """Gate 'leaks': placeholders, prompt labels, role markers and template wording in copy."""

    name = "leaks"

    def problems(self, item: EvalInput) -> list[Problem]:
        """Every leak in every field."""
        facts = "\n".join(leaves(fact_values(item))).lower()
        prompt_grams = _grams(_words(template_text(item.prompt)), ECHO_WORDS)
        fact_grams = _grams(_words(facts), ECHO_WORDS)
        found: list[Problem] = []
        for field, value in text_fields(item).items():
            found += self._patterns(field, value, facts)
            words = _words(value)
            for i in range(len(words) - ECHO_WORDS + 1):
                gram = tuple(words[i : i + ECHO_WORDS])
                if gram in prompt_grams and gram not in fact_grams:
                    found.append(self.problem("template_echo", field, " ".join(gram)))
                    break
        return found

    def _patterns(self, field: str, value: str, facts: str) -> list[Problem]:
        found = []
        for kind, pattern in (
            ("placeholder", _PLACEHOLDER),
            ("instruction", _INSTRUCTION),
            ("label", _LABEL),
            ("role_marker", _ROLE),
            ("delimiter", _DELIMITER),
        ):
            for m in pattern.finditer(value):
                span = m.group().strip()
                if span.lower() in facts:
                    continue  # the facts themselves say "<3" or "Style: ..."
                if kind == "label" and not (
                    span[:1].isupper() or _LINE_START.search(value[: m.start()])
                ):
                    continue  # "our summer style: linen" is prose; "Tone:" is a prompt label
                if kind == "label" and _ends_fact(value[: m.start()], m.group(1), facts):
                    continue  # "Cat Scratching Post: ..." names the product, it is no label
                found.append(self.problem(kind, field, span, start=m.start(), end=m.end()))
        return found
