"""ROUGE of news summaries on the Reuters-21578 sample (r-cran-tm), headline as the reference.

Compares the extractive summariser (builtin:extractive), the abstractive SmolLM2 through
builtin:transformers with the news_summary templates, and two trivial baselines. The model
never sees the headline. "novel words" is the share of the summary's content words that do not
occur in the article: a cheap proxy for invented facts.

    python benchmarks/summaries.py --limit 10 --styles headline   # quick
    python benchmarks/summaries.py                                 # all 70 articles, both styles
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_WORDS = {"headline": 12, "brief": 40}
_LABEL = re.compile(r"^\s*(headline|summary|title)\s*:\s*", re.IGNORECASE)


def clean_model_text(text: str) -> str:
    """First line of prose, without a 'Headline:' label, data delimiters or wrapping quotes."""
    lines = (
        x for x in text.splitlines() if x.strip() and not x.lstrip().startswith(("<<<", ">>>"))
    )
    line = next(lines, "")
    return _LABEL.sub("", line).strip().strip('"*').strip()


def novel_share(summary: str, article: str) -> float:
    from contentgen.generators.sentences import terms

    words = terms(summary)
    known = set(terms(article))
    return sum(w not in known for w in words) / len(words) if words else 0.0


def abstractive(
    articles: list[Any], style: str, threads: int, batch_size: int
) -> tuple[list[str], float]:
    """Summaries from SmolLM2 via builtin:transformers and the built-in news_summary template."""
    from contentgen.generators.transformers_gen import TransformersGenerator
    from contentgen.templates import TemplateLibrary
    from contentgen.types import Prompt, Task

    library = TemplateLibrary.with_builtins([ROOT / "templates"])
    gen = TransformersGenerator(torch_threads=threads, batch_size=batch_size)
    gen.load()
    prompts = []
    for art in articles:
        variables = {
            "article": art.body,
            "title": "",
            "target_words": TARGET_WORDS[style],
            "style": style,
        }
        rendered = library.render(f"news_summary/{style}", variables)
        budget = int(rendered.template.meta.get("max_new_tokens", 64))
        prompts.append(
            Prompt(
                task=Task.NEWS_SUMMARY,
                text=rendered.text,
                system=rendered.system,
                temperature=0,
                max_new_tokens=budget,
                stop=rendered.stop,
                examples=rendered.examples,
                data=variables,
            )
        )
    started = time.perf_counter()
    out = []
    for i in range(0, len(prompts), batch_size):
        out += [
            clean_model_text(c[0].text or "") for c in gen.generate(prompts[i : i + batch_size])
        ]
    return out, time.perf_counter() - started


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    parser.add_argument("--styles", default="headline,brief")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--skip-model", action="store_true", help="extractive and baselines only")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "summaries.md"
    )
    args = parser.parse_args(argv)

    from rouge_score import rouge_scorer

    from contentgen.datasets.reuters import load_reuters
    from contentgen.generators.extractive import summarize
    from contentgen.generators.sentences import split_sentences

    articles = load_reuters()
    if args.limit:
        articles = articles[: args.limit]
    refs = [a.title for a in articles]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rows: list[tuple[str, str, list[str], float]] = []

    def add(name: str, style: str, make: Callable[[], tuple[list[str], float]]) -> None:
        outputs, seconds = make()
        rows.append((name, style, outputs, seconds))

    for style in args.styles.split(","):
        target = TARGET_WORDS[style]
        add(
            "lead words baseline",
            style,
            lambda t=target: ([" ".join(a.body.split()[:t]) for a in articles], 0.0),
        )
        add(
            "lead sentence baseline",
            style,
            lambda: ([split_sentences(a.body)[0].text for a in articles], 0.0),
        )

        def extractive(s: str = style, t: int = target) -> tuple[list[str], float]:
            started = time.perf_counter()
            texts = [summarize(a.body, target_words=t, style=s).text for a in articles]
            return texts, time.perf_counter() - started

        add("builtin:extractive", style, extractive)
        if not args.skip_model:
            add(
                "builtin:transformers SmolLM2 (greedy)",
                style,
                lambda s=style: abstractive(articles, s, args.threads, args.batch_size),
            )

    lines = [
        f"# Summaries on Reuters-21578 samples ({dt.date.today().isoformat()})",
        "",
        f"{len(articles)} articles (acq + crude from Debian r-cran-tm); reference = the headline; "
        "ROUGE F1 (recall in brackets), Porter stemming; target 12 words (headline) / 40 (brief).",
        "",
        "| method | style | ROUGE-1 | ROUGE-2 | ROUGE-L | words | novel words | seconds |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, style, outputs, seconds in rows:
        scores = [scorer.score(ref, out) for ref, out in zip(refs, outputs, strict=True)]
        cells = []
        for key in ("rouge1", "rouge2", "rougeL"):
            f1 = statistics.mean(s[key].fmeasure for s in scores)
            recall = statistics.mean(s[key].recall for s in scores)
            cells.append(f"{f1:.3f} ({recall:.2f})")
        words = statistics.mean(len(o.split()) for o in outputs)
        novel = statistics.mean(
            novel_share(o, a.body) for o, a in zip(outputs, articles, strict=True)
        )
        lines.append(
            f"| {name} | {style} | {' | '.join(cells)} | {words:.1f} | {novel:.0%} "
            f"| {seconds:.1f} |"
        )
    lines += ["", "Examples (first article):", "", f"- reference: {refs[0]!r}"]
    lines += [f"- {name} / {style}: {outputs[0]!r}" for name, style, outputs, _ in rows]
    report = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    return report


if __name__ == "__main__":
    main()
