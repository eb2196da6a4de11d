"""Collect the reliability tests' figures (tests/.reliability/*.json) into a Markdown table.

    python scripts/reliability_report.py            # after `pytest tests/unit tests/integration`
    python scripts/reliability_report.py --dir DIR  # figures from elsewhere (e.g. a CI artifact)

The table is what the README's "Reliability and security" section shows. Each row names the
area, how many cases were tried, what went wrong (failures, escapes, lost rows or leaked values:
all should be 0), and the notes a reader needs to judge the figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "tests" / ".reliability"
Row = tuple[str, str, str, str]


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def concurrency(data: Mapping[str, Any]) -> Iterator[Row]:
    """One row per backend and scenario (ratings only, or generating while rating)."""
    for run, f in sorted(data.get("runs", {}).items()):
        backend, _, scenario = run.partition("/")
        what = "rating" if scenario == "ratings" else "generating + rating"
        yield (
            f"Concurrent writers, {backend} ({what})",
            f"{f['processes']} processes, {_n(f['writes'])} writes",
            f"{f['lost']} lost, {f['errors']} errors",
            f"{f['writes_per_s']} writes/s, {f['wall_s']} s wall",
        )


def pii_canary(f: Mapping[str, Any]) -> Iterator[Row]:
    """The end-to-end canary: planted values searched for in the database, its WAL and the log."""
    megabytes = f.get("bytes_searched", 0) / 1e6
    countries = f" from {f['countries']} countries" if "countries" in f else ""
    yield (
        "PII canary (pipeline → DB, WAL, DEBUG log)",
        f"{_n(f['tickets'])} tickets{countries}, {_n(f['planted_values'])} planted values",
        f"{f['hits']} hits",
        f"{_n(f['needles'])} byte forms searched in {megabytes:.1f} MB; "
        f"{f.get('failed_requests_stored_with_error', 0)} failed requests stored too",
    )


def pii_corpus(f: Mapping[str, Any]) -> Iterator[Row]:
    """The unit corpus of PII positives (must be found) and business-data negatives."""
    countries = f" from {f['countries']} countries" if "countries" in f else ""
    speed = f"; {f['us_per_message']} µs per message" if "us_per_message" in f else ""
    yield (
        "PII redaction corpus",
        f"{f['positives']} positives{countries}, {f['negatives']} negatives",
        f"{f['positives'] - f['found']} missed, {f['false']} false positives",
        "emails, phones, cards, IBANs, national ids, IPs, addresses vs. order ids, SKUs, "
        f"prices, dates, sizes, versions{speed}",
    )


def bad_generators(data: Mapping[str, Any]) -> Iterator[Row]:
    """Generators that raise, hang or crash, through the engine and through a batch."""
    runs = data.get("runs", {})
    if "engine" in runs:
        f = runs["engine"]
        good_failed = f["good_requests"] - f["good_ok"]
        unexplained = f["bad_requests"] - f["bad_failed_with_stored_reason"]
        yield (
            "Bad generators (raise, hang, crash, flaky)",
            f"{f['requests']} requests on 6 generators",
            f"{good_failed} good requests failed, {unexplained} failures without a stored reason, "
            f"{f['host_crashes']} host crashes",
            f"timeout {f['timeout_s']:g} s, {f['retries']} retries; {f['wall_s']} s wall",
        )
    if "batch" in runs:
        f = runs["batch"]
        yield (
            "Bad rows in a batch (crash, hang, raise)",
            f"{f['rows']} rows, {f['bad_rows']} bad",
            f"{f['failed'] - f['bad_rows']} extra failures, {f['pending']} rows left pending",
            f"{f['done']} done (flaky row recovered: {bool(f['flaky_rows_recovered'])}); "
            f"{f['wall_s']} s wall",
        )


def served_faults(data: Mapping[str, Any]) -> Iterator[Row]:
    """builtin:openai batch jobs against the fault-injecting server, SIGKILL-resume included."""
    runs = data.get("runs", {})
    kinds = {k: f for k, f in runs.items() if not k.startswith("sigkill/")}
    kills = {k.removeprefix("sigkill/"): f for k, f in runs.items() if k.startswith("sigkill/")}
    every = [*kinds.values(), *kills.values()]
    total = {k: sum(f.get(k, 0) for f in every) for k in ("rows", "requests", "faults")}
    bad = {k: sum(f[k] for f in every) for k in ("lost", "duplicated", "tracebacks")}
    unexpected = sum(abs(f["failed"] - f["expected_failed"]) for f in every)
    resumed = ", ".join(f"{b} {f['kills']} kills" for b, f in sorted(kills.items()))
    yield (
        "Served model faults (builtin:openai vs fault server)",
        f"{len(kinds)} fault kinds, {_n(total['rows'])} rows, {_n(total['requests'])} requests",
        f"{bad['lost']} lost, {bad['duplicated']} duplicated, {bad['tracebacks']} tracebacks, "
        f"{unexpected} unexpected row failures",
        f"{_n(total['faults'])} faults injected; poisoned rows failed with a per-row error"
        + (f"; SIGKILL-resume: {resumed}" if resumed else ""),
    )


def fuzz_cli(f: Mapping[str, Any]) -> Iterator[Row]:
    """hypothesis-built command lines run through the console script's main."""
    codes = ", ".join(f"{code}: {count}" for code, count in sorted(f.get("exit_codes", {}).items()))
    yield (
        "CLI fuzzing (generate, rate, compare, export, list)",
        f"{_n(f['examples'])} command lines",
        f"{f['tracebacks']} tracebacks",
        f"exit codes {codes}",
    )


def fuzz_csv(f: Mapping[str, Any]) -> Iterator[Row]:
    """hypothesis-built CSV files through the batch reader and row mapping."""
    yield (
        "CSV fuzzing (batch reader + mapping)",
        f"{_n(f['examples'])} files, {_n(f.get('rows', 0))} rows",
        f"{f['escapes']} escaped exceptions",
        f"{f.get('row_errors', 0)} per-row errors, {f.get('file_errors', 0)} file errors, "
        f"{f.get('requests', 0)} valid requests",
    )


def fuzz_files(f: Mapping[str, Any]) -> Iterator[Row]:
    """Fixed-seed corruptions of Parquet, CSV and JSONL files through the batch reader."""
    yield (
        "Corrupted input files (Parquet, CSV, JSONL)",
        f"{_n(f['examples'])} files, {_n(f.get('rows', 0))} rows",
        f"{f['escapes']} escaped exceptions",
        f"{_n(f.get('file_errors', 0))} file errors (exit 2), "
        f"{_n(f.get('row_errors', 0))} per-row errors, {_n(f.get('requests', 0))} valid requests",
    )


def batch_concurrent(data: Mapping[str, Any]) -> Iterator[Row]:
    """Two identical batch commands at once, per backend: each row generated exactly once."""
    for backend, f in sorted(data.get("runs", {}).items()):
        yield (
            f"Two identical batch runs at once, {backend}",
            f"{f['processes']} processes, {_n(f['rows'])} rows",
            f"{f['generated_twice']} generated twice, {f['never_generated']} never",
            f"rows split {' + '.join(str(n) for n in f['split'])} between the runs",
        )


def sandbox(data: Mapping[str, Any]) -> Iterator[Row]:
    """The hostile-template corpus against the sandboxed Jinja environment."""
    f = data.get("summary", data)
    yield (
        "Template sandbox (hostile corpus)",
        f"{f['cases']} templates",
        f"{f['escapes']} escapes, {f['side_effects']} side effects",
        f"{f['blocked']} blocked, {f['rendered_harmless']} harmless; "
        f"slowest {f['slowest_seconds']} s"
        + (
            f" ({f['slowest_case']}) against a {f['budget_seconds']:g} s budget, "
            f"{f['over_twice_budget']} over 2x budget"
            if "budget_seconds" in f
            else ""
        ),
    )


def untrusted(f: Mapping[str, Any]) -> Iterator[Row]:
    """Prompt-injection and hidden-character cases for untrusted request text."""
    yield (
        "Untrusted text (injection, hidden characters)",
        f"{f['cases']} cases",
        f"{f['cases'] - f['held']} broken",
        "delimiters, role markers and special tokens neutralised",
    )


def quality_checks(f: Mapping[str, Any]) -> Iterator[Row]:
    """The quality detectors on the adversarial set: known-bad outputs missed, good copy lost."""
    detectors = f["detectors"]
    missed = sum(d["bad"] - d["caught"] for d in detectors.values())
    false = sum(d["false_positives"] for d in detectors.values())
    rates = ", ".join(
        f"{name} {100 * d['false_positive_rate']:.1f}%" for name, d in detectors.items()
    )
    yield (
        f"Copy quality detectors ({len(detectors)}, adversarial set)",
        f"{f['products']} products, {f['bad_outputs']} known-bad + {f['good_outputs']} good outputs",
        f"{missed} known-bad missed, {false} good outputs rejected",
        f"false-positive rate per detector (limit 5%): {rates}",
    )


def creatives(f: Mapping[str, Any]) -> Iterator[Row]:
    """Ad creatives: every placement x layout variant x demo product, judged on its pixels."""
    yield (
        "Ad creatives (fitting, safe zones, WCAG AA)",
        f"{f['cases']} creatives: {f['placements']} placements, {f['variants']} layout variants, "
        f"{f['products']} demo products",
        f"{f['failures']} with text or logo outside the safe zone or AA missed unflagged",
        f"{f['refused']} refused as not fitting (a Problem record, never drawn badly); lowest "
        f"contrast {f['worst_contrast_margin']}x what AA requires; social text share at most "
        f"{100 * f['max_social_text_share']:.0f}%",
    )


def generic(f: Mapping[str, Any]) -> Iterator[Row]:
    """Any other figures file: the usual count keys, whatever it holds."""
    tried = next((f[k] for k in ("cases", "examples", "requests", "tickets") if k in f), "?")
    bad = [f"{f[k]} {k}" for k in ("failures", "escapes", "lost", "hits", "errors") if k in f]
    yield ("", _n(tried), ", ".join(bad) or "?", "")


FORMATTERS: dict[str, Callable[[Mapping[str, Any]], Iterator[Row]]] = {
    "concurrency": concurrency,
    "pii_canary": pii_canary,
    "pii": pii_corpus,
    "bad_generators": bad_generators,
    "served_faults": served_faults,
    "fuzz_cli": fuzz_cli,
    "fuzz_csv": fuzz_csv,
    "fuzz_files": fuzz_files,
    "batch_concurrent": batch_concurrent,
    "sandbox": sandbox,
    "untrusted": untrusted,
    "quality_checks": quality_checks,
    "creatives": creatives,
}
ORDER = list(FORMATTERS)


def rows(folder: Path) -> list[Row]:
    """Table rows for every figures file in `folder`, known areas first, in a fixed order."""
    files = sorted(
        folder.glob("*.json"),
        key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem),
    )
    table: list[Row] = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            formatter = FORMATTERS.get(path.stem, generic)
            for area, tried, bad, notes in formatter(data):
                table.append((area or path.stem, tried, bad, notes))
        except (ValueError, KeyError, TypeError) as exc:
            table.append((path.stem, "?", "?", f"unreadable figures: {type(exc).__name__}: {exc}"))
    return table


def markdown(table: list[Row]) -> str:
    """The rows as a GitHub Markdown table."""
    lines = [
        "| Area | Cases tried | Failures / escapes / lost / hits | Notes |",
        "|---|---|---|---|",
    ]
    for row in table:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 when there are no figures to report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder of *.json figures")
    args = parser.parse_args(argv)
    table = rows(args.dir)
    if not table:
        print(f"no figures in {args.dir}; run the tests first", file=sys.stderr)
        return 1
    print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
