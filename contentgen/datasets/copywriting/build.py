"""Build the corpus: briefs, copy, customer-service cases, news, the split and the SFT files."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from contentgen.datasets.copywriting.briefs import BENEFIT_SHARE, Brief, _faker, generate_briefs
from contentgen.datasets.copywriting.marketing import CHANNEL_NAMES, variant_tones, write
from contentgen.datasets.copywriting.news import generate_news
from contentgen.datasets.copywriting.resources import category
from contentgen.datasets.copywriting.sft import (
    NEWS_TEMPLATES,
    channel_text,
    chat,
    marketing_request,
    news_request,
    render,
    support_request,
)
from contentgen.datasets.copywriting.split import HELDOUT, TRAIN, stratified_split
from contentgen.datasets.copywriting.support import generate_cases
from contentgen.errors import ValidationError
from contentgen.templates import TemplateLibrary

FILES = ("briefs", "marketing", "customer_service", "news")


@dataclass(frozen=True)
class BuildConfig:
    """What to build: sizes, seed, held-out share, variants per channel and the SFT layout."""

    seed: int = 0
    briefs: int = 1250
    news: int = 800
    variants: int = 2
    heldout_share: float = 0.2
    few_shot: bool = False
    benefit_share: float = BENEFIT_SHARE  # briefs that state benefits; the rest are facts only

    def __post_init__(self) -> None:
        if not 0 < self.heldout_share < 1:
            raise ValidationError(
                "heldout_share", f"must be between 0 and 1, got {self.heldout_share}"
            )
        if not 1 <= self.variants <= 5:
            raise ValidationError(
                "variants", f"must be from 1 to 5 (one per tone), got {self.variants}"
            )
        if not 0 <= self.benefit_share <= 1:
            raise ValidationError("benefit_share", f"must be from 0 to 1, got {self.benefit_share}")
        if self.news < 1:
            raise ValidationError("news", f"must be at least 1, got {self.news}")


def _jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _marketing(
    briefs: list[Brief], split: Mapping[str, str], cfg: BuildConfig
) -> list[dict[str, Any]]:
    rows = []
    for brief in briefs:
        cat = category(brief.category)
        for channel in CHANNEL_NAMES:
            for variant, tone in enumerate(variant_tones(brief, cfg.variants, cfg.seed)):
                fields = write(brief, cat, channel, tone, cfg.seed, variant)
                rows.append({
                    "id": f"{brief.id}/{channel}/{variant}",
                    "brief_id": brief.id,
                    "category": brief.category,
                    "channel": channel,
                    "variant": variant,
                    "tone": tone,
                    "audience": brief.audience,
                    "fields": fields,
                    "text": channel_text(channel, fields),
                    "split": split[brief.id],
                })  # fmt: skip
    return rows


def _sft(
    library: TemplateLibrary,
    products: Mapping[str, Mapping[str, Any]],
    marketing: list[dict[str, Any]],
    support: list[dict[str, Any]],
    news: list[dict[str, Any]],
    few_shot: bool,
) -> list[dict[str, Any]]:
    rows = []
    for row in marketing:
        request = marketing_request(
            products[row["brief_id"]], row["channel"], row["tone"], row["audience"]
        )
        prompt = render(library, f"marketing/{row['channel']}", request)
        rows.append(
            {
                "id": row["id"],
                "split": row["split"],
                "messages": chat(prompt, row["text"], few_shot=few_shot),
            }
        )
    for row in support:
        prompt = render(library, "customer_service/reply", support_request(row))
        rows.append(
            {
                "id": row["id"],
                "split": row["split"],
                "messages": chat(prompt, row["reply"], few_shot=few_shot),
            }
        )
    for row in news:
        for style, template_id in NEWS_TEMPLATES.items():
            answer = "\n".join(row["bullets"]) if style == "bullets" else row[style]
            prompt = render(library, template_id, news_request(row, style))
            rows.append({"id": f"{row['id']}/{style}", "split": row["split"],
                         "messages": chat(prompt, answer, few_shot=few_shot)})  # fmt: skip
    return rows


def split_briefs(cfg: BuildConfig = BuildConfig()) -> tuple[list[Brief], dict[str, str]]:
    """The corpus's briefs and each one's split (train or held out), as `build_corpus` makes
    them: what an evaluation of held-out briefs needs, without writing the copy."""
    briefs = list(generate_briefs(cfg.briefs, cfg.seed, cfg.benefit_share))
    split = stratified_split(((b.id, b.category) for b in briefs), cfg.heldout_share, cfg.seed)
    return briefs, split


def brief_rows(briefs: Iterable[Brief], split: Mapping[str, str]) -> list[dict[str, Any]]:
    """The records of briefs.jsonl: each brief's facts and its split."""
    return [{**b.record(category(b.category)), "split": split[b.id]} for b in briefs]


def build_corpus(out: Path, cfg: BuildConfig = BuildConfig()) -> dict[str, Any]:
    """Write the corpus files into `out` and return the manifest (counts, seed, file hashes)."""
    out.mkdir(parents=True, exist_ok=True)
    briefs, split = split_briefs(cfg)
    fake = _faker(cfg.seed + 1)
    support = [
        {**case.record(), "split": split[case.brief_id]}
        for case in generate_cases(briefs, random.Random(f"{cfg.seed}:support"), fake)
    ]
    items = list(generate_news(cfg.news, random.Random(f"{cfg.seed}:news"), fake))
    news_split = stratified_split(((n.id, n.kind) for n in items), cfg.heldout_share, cfg.seed)
    news = [{**item.record(), "split": news_split[item.id]} for item in items]
    products = {b.id: b.facts(category(b.category)) for b in briefs}
    marketing = _marketing(briefs, split, cfg)
    records = {
        "briefs": brief_rows(briefs, split),
        "marketing": marketing,
        "customer_service": support,
        "news": news,
    }
    counts = {name: _jsonl(out / f"{name}.jsonl", rows) for name, rows in records.items()}
    sft = _sft(TemplateLibrary.with_builtins(), products, marketing, support, news, cfg.few_shot)
    for part in (TRAIN, HELDOUT):
        counts[f"sft_{part}"] = _jsonl(
            out / f"sft_{part}.jsonl", (r for r in sft if r["split"] == part)
        )
    manifest = {
        "config": {**cfg.__dict__},
        "faker": version("faker"),
        "counts": counts,
        "sha256": {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("*.jsonl"))
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
