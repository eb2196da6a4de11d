"""Blind A/B review of returned copy (issue 16): make a shuffled sheet, then score the grades.

    python scripts/blind_review.py make --arms benchmarks/results/quality_base.jsonl \
        benchmarks/results/quality_tuned.jsonl --n 60 --seed 1 --out review/
    # give the reviewer review/sheet.csv and docs/copy_rubric.md only; key.json stays private
    python scripts/blind_review.py score review/ --judgements graded.csv

Each arm file is JSONL, one returned output a line ("text", "request", optional "fields",
"channel", "id", "arm"): what benchmarks/quality.py writes. The sheet numbers the items in
shuffled order and names no arm; `score` unblinds with the key and prints, per arm, the counts
publishable / light edit / unusable with 95% Wilson intervals.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contentgen.errors import ContentgenError  # noqa: E402
from contentgen.feedback.blind_review import (  # noqa: E402
    KEY_FILE,
    format_scores,
    make_review,
    score_review,
)


def parser() -> argparse.ArgumentParser:
    """The two subcommands and their options."""
    top = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = top.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make", help="write the shuffled sheet and the private key")
    make.add_argument("--arms", nargs="+", type=Path, required=True, help="one JSONL per arm")
    make.add_argument("--n", type=int, default=60, help="outputs sampled per arm (default 60)")
    make.add_argument("--seed", type=int, required=True, help="seed of the sample and shuffle")
    make.add_argument("--out", type=Path, required=True, help="a new folder for sheet and key")
    make.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="sheet format")
    score = commands.add_parser("score", help="unblind a graded sheet and count grades per arm")
    score.add_argument("folder", type=Path, help="the folder `make` wrote")
    score.add_argument("--judgements", type=Path, required=True, help="the graded sheet")
    score.add_argument("--json", action="store_true", help="print the counts as JSON")
    return top


def run(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; the exit status."""
    args = parser().parse_args(argv)
    if args.command == "make":
        sheet = make_review(args.arms, args.n, args.seed, args.out, args.format)
        print(f"wrote {sheet}: {args.n} outputs from each of {len(args.arms)} arms, shuffled")
        print(f"give the reviewer {sheet.name} and docs/copy_rubric.md; keep {KEY_FILE} private")
        return 0
    scores = score_review(args.folder, args.judgements)
    if args.json:
        data = [
            {"arm": s.arm, "counts": dict(s.counts), "criteria": dict(s.criteria),
             "publishable": s.publishable.__dict__, "acceptable": s.acceptable.__dict__}
            for s in scores
        ]  # fmt: skip
        print(json.dumps(data, indent=2))
    else:
        print(format_scores(scores))
    return 0


def main() -> None:
    """Entry point: a ContentgenError becomes its message and exit code, never a traceback."""
    try:
        sys.exit(run())
    except ContentgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
