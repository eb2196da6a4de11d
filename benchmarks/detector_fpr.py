"""The quality detectors' false-positive rates on publishable copy; a re-screen of returned copy.

Good copy: every record of a copywriting corpus (`python -m contentgen.datasets.copywriting
build --out DIR`: marketing copy for six channels, customer-service replies, news headlines,
briefs and bullets, all written to be publishable). Each record is checked as the engine checks
an output: with its request's variables as facts, the prompt rendered from the built-in template,
and the template's few-shot examples. A detector's false-positive rate is the share of the
records it judges (its tasks only) that it rejects; the corpus's held-out split (the briefs no
adapter trains on, and that scripts/build_copy_vocabulary.py does not read) is reported apart.

`--rescreen FILE` runs the detectors over returned outputs (benchmarks/quality.py's
quality_<arm>.jsonl) and lists what each one flags. Offline: no generator runs.

    python benchmarks/detector_fpr.py --corpus /tmp/corpus
    python benchmarks/detector_fpr.py --rescreen benchmarks/results/quality_base.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contentgen.checks.base import EvalInput, run_evaluators  # noqa: E402
from contentgen.checks.detectors import DETECTOR_NAMES, quality_detectors  # noqa: E402
from contentgen.checks.problems import problems_from_detail  # noqa: E402
from contentgen.datasets.copywriting.sft import (  # noqa: E402
    marketing_request,
    news_request,
    support_request,
)
from contentgen.hostinfo import host_cpu  # noqa: E402
from contentgen.requests_io import prompt_variables  # noqa: E402
from contentgen.safety.budget import RenderLimits  # noqa: E402
from contentgen.tasks.registry import builtin_tasks  # noqa: E402
from contentgen.templates import BUILTIN_DIR, TemplateLibrary  # noqa: E402
from contentgen.types import BaseRequest  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
SAMPLES = 8  # flagged records kept per detector for reading
# A loaded machine must not fail a render: this measures the checks, not the render budget.
LIBRARY = TemplateLibrary([BUILTIN_DIR], limits=RenderLimits(max_seconds=60))
TASKS = builtin_tasks()


def eval_input(request: BaseRequest, template_id: str, text: str, **extra: Any) -> EvalInput:
    """An output as the engine's checks see it: facts, rendered prompt and few-shot examples."""
    spec = TASKS.spec_for(request)
    variables = prompt_variables(request, spec)
    rendered = LIBRARY.render(template_id, variables)
    return EvalInput(
        task=request.task, text=text, facts=variables, fact_fields=frozenset(spec.fact_fields),
        prompt="\n".join(filter(None, [rendered.system, rendered.text])),
        examples=rendered.examples, **extra,
    )  # fmt: skip


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        yield from (json.loads(line) for line in handle if line.strip())


def corpus_items(folder: Path, limit: int | None) -> Iterator[tuple[str, str, str, EvalInput]]:
    """(id, split, group, item) for every record of the corpus (group: channel or task)."""
    briefs = {b["id"]: b for b in _jsonl(folder / "briefs.jsonl")}
    for n, row in enumerate(_jsonl(folder / "marketing.jsonl")):
        if limit is not None and n >= limit:
            break
        brief = briefs[row["brief_id"]]
        request = marketing_request(brief["product"], row["channel"], row["tone"], row["audience"])
        item = eval_input(request, f"marketing/{row['channel']}", row["text"],
                          fields=row["fields"], channel=row["channel"])  # fmt: skip
        yield row["id"], brief["split"], row["channel"], item
    for n, row in enumerate(_jsonl(folder / "customer_service.jsonl")):
        if limit is not None and n >= limit // 6:
            break
        split = briefs[row["brief_id"]]["split"] if row.get("brief_id") in briefs else "train"
        item = eval_input(support_request(row), "customer_service/reply", row["reply"])
        yield row["id"], split, "customer_service", item
    for n, row in enumerate(_jsonl(folder / "news.jsonl")):
        if limit is not None and n >= limit // 6:
            break
        texts = {"headline": row["headline"], "brief": row["brief"],
                 "bullets": "\n".join(row["bullets"])}  # fmt: skip
        for style, text in texts.items():
            item = eval_input(news_request(row, style), f"news_summary/{style}", text)
            yield f"{row['id']}/{style}", row.get("split", "train"), f"news_{style}", item


def rescreen_items(path: Path) -> Iterator[tuple[str, str, str, EvalInput]]:
    """(id, arm, channel, item) for every returned output of a quality benchmark file."""
    for row in _jsonl(path):
        asked = row["request"]
        request = marketing_request(asked["product"], row["channel"], asked["tone"],
                                    asked["audience"])  # fmt: skip
        item = eval_input(request, f"marketing/{row['channel']}", row["text"] or "",
                          fields=row["fields"], channel=row["channel"])  # fmt: skip
        yield row["id"], row.get("arm", ""), row["channel"], item


def screen(source: Iterator[tuple[str, str, str, EvalInput]]) -> dict[str, Any]:
    """Run every detector over the records; judged and flagged counts and flagged samples."""
    detectors = quality_detectors()
    judged: Counter[tuple[str, str, str]] = Counter()
    flagged: Counter[tuple[str, str, str]] = Counter()
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in DETECTOR_NAMES}
    flags: list[dict[str, Any]] = []
    batch: list[tuple[str, str, str, EvalInput]] = []
    records = 0

    def run(chunk: list[tuple[str, str, str, EvalInput]]) -> None:
        verdicts = run_evaluators(detectors, [item for *_, item in chunk])
        for (record_id, split, group, item), found in zip(chunk, verdicts, strict=True):
            failed = []
            for verdict in found:
                judged[(verdict.name, split, group)] += 1
                if verdict.passed:
                    continue
                flagged[(verdict.name, split, group)] += 1
                problems = [p.describe() for p in problems_from_detail(verdict.detail)]
                failed.append({"detector": verdict.name, "problems": problems})
                if len(samples[verdict.name]) < SAMPLES:
                    samples[verdict.name].append(
                        {"id": record_id, "text": item.text[:400], "problems": problems[:3]}
                    )
            if failed:
                flags.append({"id": record_id, "group": group, "text": item.text, "found": failed})

    for record in source:
        records += 1
        batch.append(record)
        if len(batch) == 256:
            run(batch)
            batch = []
    if batch:
        run(batch)
    return {"judged": judged, "flagged": flagged, "samples": samples, "flags": flags,
            "records": records}  # fmt: skip


def _rate(flagged: int, judged: int) -> str:
    return f"{flagged}/{judged} ({flagged / judged:.2%})" if judged else "n/a"


def fpr_table(result: Mapping[str, Any], splits: tuple[str, ...]) -> str:
    """Markdown: per detector, false positives / records judged, overall and per split."""
    judged, flagged = result["judged"], result["flagged"]
    head = "| detector | all records | " + " | ".join(f"{s} split" for s in splits) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(splits)]
    for name in DETECTOR_NAMES:
        total = sum(v for (n, _, _), v in judged.items() if n == name)
        bad = sum(v for (n, _, _), v in flagged.items() if n == name)
        cells = [
            _rate(
                sum(v for (n, s, _), v in flagged.items() if n == name and s == split),
                sum(v for (n, s, _), v in judged.items() if n == name and s == split),
            )
            for split in splits
        ]
        lines.append(f"| {name} | {_rate(bad, total)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def group_table(result: Mapping[str, Any]) -> str:
    """Markdown: false positives per detector and channel or task (only cells with any)."""
    groups = sorted({g for (_, _, g) in result["judged"]})
    lines = ["| detector | " + " | ".join(groups) + " |", "|---|" + "---:|" * len(groups)]
    for name in DETECTOR_NAMES:
        cells = []
        for group in groups:
            j = sum(v for (n, _, g), v in result["judged"].items() if n == name and g == group)
            f = sum(v for (n, _, g), v in result["flagged"].items() if n == name and g == group)
            cells.append(f"{f}/{j}" if j else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure on a corpus folder and/or re-screen a returned-outputs file; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a folder written by the copywriting build")
    parser.add_argument("--rescreen", type=Path, help="a quality_<arm>.jsonl of returned outputs")
    parser.add_argument(
        "--limit", type=int, help="only the first N marketing records (a quick look)"
    )
    parser.add_argument("--flags", type=Path, help="write every flagged corpus record here (JSON)")
    args = parser.parse_args(argv)
    if args.corpus is None and args.rescreen is None:
        parser.error("give --corpus DIR, --rescreen FILE, or both")
    report = [f"# Detector false positives and re-screen ({host_cpu().describe()})", ""]
    if args.corpus is not None:
        result = screen(corpus_items(args.corpus, args.limit))
        tables = [fpr_table(result, ("train", "heldout")), "", group_table(result), ""]
        report += [f"Good copy: {args.corpus} (copywriting corpus).", "", *tables]
        (RESULTS / "detector_fpr_samples.json").write_text(
            json.dumps(result["samples"], indent=1), encoding="utf-8"
        )
        if args.flags is not None:
            args.flags.write_text(json.dumps(result["flags"], indent=1), encoding="utf-8")
    if args.rescreen is not None:
        result = screen(rescreen_items(args.rescreen))
        outputs, total = len(result["flags"]), result["records"]
        report += [f"Re-screen of {args.rescreen.name}: {outputs} of {total} outputs flagged.", ""]
        counts = Counter(d["detector"] for f in result["flags"] for d in f["found"])
        report += ["| detector | outputs flagged |", "|---|---:|"]
        report += [f"| {name} | {counts[name]} |" for name in DETECTOR_NAMES] + [""]
        (RESULTS / f"rescreen_{args.rescreen.stem}.json").write_text(
            json.dumps(result["flags"], indent=1), encoding="utf-8"
        )
    text = "\n".join(report)
    print(text)
    if args.corpus is not None and args.limit is None:
        (RESULTS / "detector_fpr.md").write_text(text + "\n", encoding="utf-8")
    elif args.rescreen is not None and args.corpus is None:
        (RESULTS / f"rescreen_{args.rescreen.stem}.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
