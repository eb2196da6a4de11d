"""Write contentgen/checks/data/copy_vocabulary.txt: the words of everyday marketing copy.

A word is everyday copy vocabulary when the copywriting corpus's reference copy uses it for
products of at least SHARE of its categories ("ready", "perfect", "tough"): such a word says
nothing about one product, so the `example_words` check never counts it as a detail copied from a
template's example. Only the corpus's training split is read, so the held-out split measures the
check's false-positive rate on copy the list was not built from.

    python -m contentgen.datasets.copywriting build --out /tmp/corpus
    python scripts/build_copy_vocabulary.py /tmp/corpus
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contentgen.checks.vocabulary import folded  # noqa: E402

OUT = ROOT / "contentgen" / "checks" / "data" / "copy_vocabulary.txt"
SHARE = 0.4


def main(argv: list[str] | None = None) -> int:
    """Read the corpus folder, write the vocabulary file; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder written by the copywriting build")
    args = parser.parse_args(argv)
    briefs = {}
    with (args.corpus / "briefs.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            brief = json.loads(line)
            briefs[brief["id"]] = brief
    categories: dict[str, set[str]] = defaultdict(set)
    with (args.corpus / "marketing.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            brief = briefs[row["brief_id"]]
            if brief.get("split") != "train":
                continue
            for word in folded(" ".join(row["fields"].values())):
                categories[word].add(brief["category"])
    total = len({c for cats in categories.values() for c in cats})
    words = sorted(w for w, cats in categories.items() if len(cats) >= SHARE * total)
    header = [
        f"# Everyday copy words (folded): used in the reference copy of >= {SHARE:.0%} of the",
        f"# {total} categories of the copywriting corpus's training split. Rebuilt by",
        "# scripts/build_copy_vocabulary.py; read by contentgen/checks/vocabulary.py.",
    ]
    OUT.write_text("\n".join([*header, *words]) + "\n", encoding="utf-8")
    print(f"wrote {len(words)} words from {total} categories to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
