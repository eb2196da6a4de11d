"""Write contentgen/checks/data/colours.tsv: colour names and their sRGB values.

Sources: the xkcd colour survey (Randall Munroe, 2010; 949 names people gave to colours, public
domain, CC0) and the CSS Color Module Level 4 named colours, both as shipped in matplotlib
(`matplotlib._color_data`). Run again after a matplotlib upgrade: `python
scripts/build_colour_lexicon.py` (needs the `eval` extra). The file is sorted, so a rebuild from
the same sources changes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "contentgen" / "checks" / "data" / "colours.tsv"


def main() -> int:
    """Write the colour file; 0 on success."""
    from matplotlib import _color_data as data  # the eval extra; never imported by contentgen

    names: dict[str, str] = {}
    for name, hex_value in data.CSS4_COLORS.items():
        names[name.lower()] = hex_value.lower()
    # xkcd last, so that its survey names win where both name a colour ("green", "grey").
    for name, hex_value in data.XKCD_COLORS.items():
        names[name.removeprefix("xkcd:").lower()] = hex_value.lower()
    lines = [
        "# name\tsRGB: the xkcd colour survey (CC0) and CSS Color 4 named colours, via",
        "# matplotlib._color_data; rebuilt by scripts/build_colour_lexicon.py",
        *(f"{name}\t{value}" for name, value in sorted(names.items())),
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} colours to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
