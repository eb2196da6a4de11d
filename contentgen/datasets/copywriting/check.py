"""Review every corpus record with contentgen's own checks plus the corpus rules; count failures.

Contentgen's checks: channel limits and parsing (contentgen.checks.channels, ChannelEvaluator), grounding
(GroundingEvaluator), the output guard and a brand kit (BrandEvaluator with data/style.toml). Corpus
rules: every number is a fact or the discount of the two prices, no leftovers of templates or
prompts, fields end as sentences, names spelt exactly, replies promise only what the policy allows.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from contentgen.checks.base import EvalInput, run_evaluators
from contentgen.checks.brand import BrandEvaluator
from contentgen.checks.brandkit import parse_brand_kit
from contentgen.checks.channel import ChannelEvaluator
from contentgen.checks.channels import CHANNELS, clean_paragraphs
from contentgen.checks.grounding import GroundingEvaluator
from contentgen.checks.number_claims import number_claims
from contentgen.checks.output_guard import OutputGuard
from contentgen.datasets.copywriting.grammar import ends_sentence
from contentgen.datasets.copywriting.resources import style
from contentgen.datasets.copywriting.sft import (
    marketing_request,
    news_request,
    render,
    support_request,
)
from contentgen.errors import ValidationError
from contentgen.requests_io import prompt_variables
from contentgen.templates import TemplateLibrary
from contentgen.types import Task

LEFTOVERS = re.compile(
    r"<[^>]*>|\{\{?|\}\}?|\b(?:Tone|Audience|Headline|Description|Subject|Preheader|Body|Title|SMS|Post)\s*:"
)


@dataclass
class Report:
    """Records checked and failures per check, with a few examples of each."""

    checked: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, check: str, record_id: str, detail: str) -> None:
        """Count one failure of `check`."""
        self.failures[check] += 1
        self.examples.setdefault(check, [])
        if len(self.examples[check]) < 5:
            self.examples[check].append(f"{record_id}: {detail}")

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "checked": dict(self.checked),
            "failures": dict(self.failures),
            "examples": self.examples,
        }


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSONL file; a missing file is a ValidationError naming it."""
    if not path.is_file():
        raise ValidationError("corpus", f"{path} is missing; build the corpus first")
    with path.open(encoding="utf-8") as handle:
        yield from (json.loads(line) for line in handle if line.strip())


def strict_numbers(
    text: str, facts: Mapping[str, Any], prices: tuple[str, str] | None
) -> list[str]:
    """Numbers in `text` that are neither facts nor the exact saving between the two prices."""
    allowed: set[Decimal] = set()
    for leaf in _leaves(facts):
        for claim in number_claims(leaf, all_words=True):
            allowed |= claim.values
    if prices is not None:
        price, sale = Decimal(prices[0]), Decimal(prices[1])
        allowed.add(price - sale)
        share = (price - sale) * 100 / price
        if share == share.to_integral_value():
            allowed.add(share)
    return [c.text for c in number_claims(text) if c.values.isdisjoint(allowed)]


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield str(value)


def _without_names(text: str, facts: Mapping[str, Any]) -> str:
    """`text` with the product name blanked: a 'Scratching Post:' is no prompt label."""
    name = facts.get("name") if isinstance(facts, Mapping) else None
    return text.replace(name, " ") if isinstance(name, str) else text


def promises(text: str) -> set[str]:
    """The promise kinds (style.toml [promises]) a reply makes."""
    found = set()
    for kind, patterns in style()["promises"].items():
        if any(re.search(p, text, re.IGNORECASE) for p in patterns):
            found.add(kind)
    return found


class Checker:
    """Runs every check over one corpus folder."""

    def __init__(self) -> None:
        self.library = TemplateLibrary.with_builtins()
        kit = parse_brand_kit(dict(style()["brand_kit"]))
        from contentgen.checks.detectors import quality_detectors

        self.evaluators: list[Any] = [
            ChannelEvaluator(), GroundingEvaluator(), OutputGuard(), BrandEvaluator(kit),
            *quality_detectors(),
        ]  # fmt: skip
        self.report = Report()

    def _evaluate(self, record_id: str, item: EvalInput) -> None:
        for verdict in run_evaluators(self.evaluators, [item])[0]:
            self.report.checked[verdict.name] += 1
            if not verdict.passed:
                self.report.fail(verdict.name, record_id, json.dumps(verdict.detail)[:300])
            names = verdict.detail.get("unknown_names") if verdict.name == "grounding" else None
            if names:
                self.report.fail("unknown_names", record_id, ", ".join(names))

    def _text_rules(self, record_id: str, fields: Mapping[str, str], facts: Mapping[str, Any],
                    prices: tuple[str, str] | None, sentences: bool = True) -> None:  # fmt: skip
        for name, value in fields.items():
            self.report.checked["text_rules"] += 1
            leftover = LEFTOVERS.search(_without_names(value, facts))
            if leftover:
                self.report.fail("leftover", record_id, f"{name}: {leftover.group()!r}")
            if sentences and not ends_sentence(re.sub(r"(?:\s+#\w+)+$", "", value)):
                self.report.fail("incomplete", record_id, f"{name}: {value[-40:]!r}")
            if "  " in value or value != value.strip():
                self.report.fail("spacing", record_id, name)
            bad = strict_numbers(value, facts, prices)
            if bad:
                self.report.fail("strict_numbers", record_id, f"{name}: {bad}")

    def marketing(self, folder: Path) -> None:
        """Check every marketing record against its brief."""
        products = {b["id"]: b["product"] for b in read_jsonl(folder / "briefs.jsonl")}
        for row in read_jsonl(folder / "marketing.jsonl"):
            product = products[row["brief_id"]]
            spec = CHANNELS[row["channel"]]
            request = marketing_request(product, row["channel"], row["tone"], row["audience"])
            variables = prompt_variables(request)
            prompt = render(self.library, f"marketing/{row['channel']}", request)
            fields = row["fields"]
            parsed = spec.parse(row["text"])
            if {k: clean_paragraphs(v) for k, v in fields.items()} != parsed:
                self.report.fail("parse_roundtrip", row["id"], str(parsed)[:200])
            self.report.checked["parse_roundtrip"] += 1
            item = EvalInput(task=Task.MARKETING, text=row["text"], fields=fields, channel=row["channel"],
                             facts=variables, prompt=f"{prompt.system}\n{prompt.text}")  # fmt: skip
            self._evaluate(row["id"], item)
            prices = (
                (product["list_price_eur"], product["price_eur"])
                if "list_price_eur" in product
                else None
            )
            headline_like = {"headline", "title", "subject"}
            self._text_rules(row["id"], {k: v for k, v in fields.items() if k not in headline_like},
                             product, prices)  # fmt: skip
            self._text_rules(row["id"], {k: v for k, v in fields.items() if k in headline_like},
                             product, prices, sentences=False)  # fmt: skip
            self._names(row["id"], row["text"], product)

    def _names(self, record_id: str, text: str, product: Mapping[str, Any]) -> None:
        """The brand is written alone, before the product type, or as the start of the exact name."""
        self.report.checked["brand_usage"] += 1
        name, brand = product["name"], product["brand"]
        type_words = {w.rstrip("s") for w in product["product_type"].lower().split()}
        for match in re.finditer(rf"\b{re.escape(brand)}\b", text):
            if text.startswith(name, match.start()):
                continue
            run = re.match(r"(?: +[A-Z][\w'-]*)+", text[match.end() :])
            words = {w.lower().rstrip("s") for w in run.group().split()} if run else set()
            if any(not any(w[:3] == t[:3] for t in type_words) for w in words):
                self.report.fail("brand_usage", record_id, text[match.start() : match.start() + 40])

    def support(self, folder: Path) -> None:
        """Check every reply against its message, order facts and policy."""
        for row in read_jsonl(folder / "customer_service.jsonl"):
            request = support_request(row)
            variables = prompt_variables(request)
            if variables["message"] != row["message"] or variables["context"] != row["context"]:
                self.report.fail(
                    "redaction_changed_input", row["id"], "the engine would redact this case"
                )
            prompt = render(self.library, "customer_service/reply", request)
            item = EvalInput(task=Task.CUSTOMER_SERVICE, text=row["reply"], facts=variables,
                             prompt=f"{prompt.system}\n{prompt.text}")  # fmt: skip
            self._evaluate(row["id"], item)
            facts = {"message": row["message"], "context": row["context"], "policy": row["policy"]}
            self._text_rules(row["id"], {"reply": row["reply"]}, facts, None)
            self.report.checked["promises"] += 1
            extra = promises(row["reply"]) - set(row["allowed_promises"])
            if extra:
                self.report.fail(
                    "promises", row["id"], f"promises {sorted(extra)} the case does not allow"
                )

    def news(self, folder: Path) -> None:
        """Check every headline, brief and bullet list against its article."""
        for row in read_jsonl(folder / "news.jsonl"):
            facts = {"article": row["article"], "title": row["headline"]}
            outputs = {
                "headline": row["headline"],
                "brief": row["brief"],
                "bullets": "\n".join(row["bullets"]),
            }
            for style_name, text in outputs.items():
                request = news_request(row, style_name)
                prompt = render(self.library, f"news_summary/{style_name}", request)
                item = EvalInput(task=Task.NEWS_SUMMARY, text=text, facts=prompt_variables(request),
                                 prompt=f"{prompt.system}\n{prompt.text}")  # fmt: skip
                self._evaluate(f"{row['id']}/{style_name}", item)
            self._text_rules(row["id"], {"brief": row["brief"]}, facts, None)
            self._text_rules(row["id"], {"headline": row["headline"]}, facts, None, sentences=False)
            self.report.checked["news_shape"] += 1
            if len(row["headline"].split()) > 12 or len(row["brief"].split()) > row["target_words"]:
                self.report.fail("news_shape", row["id"], "headline or brief too long")
            if len(row["bullets"]) != 3 or not all(b.startswith("- ") for b in row["bullets"]):
                self.report.fail("news_shape", row["id"], "bullets are not three '- ' lines")


def check_corpus(folder: Path) -> Report:
    """Run every check over the corpus in `folder`."""
    checker = Checker()
    checker.marketing(folder)
    checker.support(folder)
    checker.news(folder)
    return checker.report
