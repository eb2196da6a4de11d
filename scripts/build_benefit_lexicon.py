"""Write contentgen/checks/data/benefit_lexicon.json: what each known fact does for its buyer.

The copywriting corpus's lexicon (`contentgen/datasets/copywriting/data/categories/`) records, for
each feature, material and certification of its 24 categories, two or three benefits ("gift box":
"it is ready to give the moment it arrives", "no extra wrapping is needed"). The `benefits` check
reads this copy of it to judge a benefit that copy gives a fact whose brief states none
(`unfit_benefit`); a test keeps the copy equal to the lexicon.

    python scripts/build_benefit_lexicon.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contentgen.datasets.copywriting.resources import known_benefits  # noqa: E402

OUT = ROOT / "contentgen" / "checks" / "data" / "benefit_lexicon.json"


def lexicon() -> dict[str, list[str]]:
    """The lexicon as the file holds it: facts in order, each with its benefits sorted."""
    return {fact: sorted(says) for fact, says in sorted(known_benefits().items())}


def main() -> int:
    """Write the file; 0 on success."""
    OUT.write_text(json.dumps(lexicon(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(lexicon())} facts written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
