"""The quality benchmark's figures: one Cell per arm and channel, and the Markdown tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contentgen.checks.detectors import DETECTOR_NAMES


@dataclass
class Cell:
    """What one arm returned for one channel (or for all channels, once merged)."""

    products: int = 0
    covered: int = 0  # products with at least one accepted variant
    asked: int = 0  # variants asked for
    accepted: int = 0
    first_try: int = 0  # accepted from the first generation round, unrepaired
    rejected: int = 0  # drafts the engine rejected on the way
    defective: int = 0  # returned outputs in which any detector, run again, finds a defect
    defects: Counter[str] = field(default_factory=Counter)  # returned outputs per detector
    rejections: Counter[str] = field(default_factory=Counter)  # rejected drafts per "check:kind"
    wall_s: float = 0.0
    cpu_s: float = 0.0

    def add(self, other: Cell) -> None:
        """Fold another cell's counts and times into this one."""
        for name in ("products", "covered", "asked", "accepted", "first_try", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.defective += other.defective
        self.defects.update(other.defects)
        self.rejections.update(other.rejections)
        self.wall_s += other.wall_s
        self.cpu_s += other.cpu_s

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts and times."""
        return {
            "products": self.products,
            "covered": self.covered,
            "asked": self.asked,
            "accepted": self.accepted,
            "first_try": self.first_try,
            "rejected": self.rejected,
            "defective": self.defective,
            "defects": {name: self.defects.get(name, 0) for name in DETECTOR_NAMES},
            "rejections": dict(self.rejections.most_common()),
            "wall_s": round(self.wall_s, 2),
            "cpu_s": round(self.cpu_s, 2),
        }


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "-"


def _per_accepted(value: float, accepted: int, digits: int = 1) -> str:
    return f"{value / accepted:.{digits}f}" if accepted else "- (none accepted)"


def _detectors(counts: Counter[str]) -> str:
    found = [f"{name} {counts[name]}" for name in DETECTOR_NAMES if counts.get(name)]
    return ", ".join(found) or "none"


def total(cells: Mapping[str, Cell]) -> Cell:
    """All channels of one arm together."""
    merged = Cell()
    for cell in cells.values():
        merged.add(cell)
    return merged


TABLE_HEADER = (
    "| arm | channel | products with >= 1 accepted | accepted / asked | first-try compliance "
    "| rejected drafts per accepted | returned with a defect | defects by detector "
    "| wall s per accepted | CPU s per accepted |\n"
    "|---|---|---:|---:|---:|---:|---:|---|---:|---:|"
)


def table_row(arm: str, channel: str, cell: Cell) -> str:
    """One Markdown row of the main table."""
    return (
        f"| {arm} | {channel} | {_share(cell.covered, cell.products)} "
        f"| {_share(cell.accepted, cell.asked)} | {_share(cell.first_try, cell.asked)} "
        f"| {_per_accepted(cell.rejected, cell.accepted)} "
        f"| {_share(cell.defective, cell.accepted)} | {_detectors(cell.defects)} "
        f"| {_per_accepted(cell.wall_s, cell.accepted)} "
        f"| {_per_accepted(cell.cpu_s, cell.accepted)} |"
    )


def detector_table(results: Mapping[str, Mapping[str, Cell]]) -> list[str]:
    """Returned outputs each detector flags, per arm over all channels (zeros included)."""
    arms = list(results)
    totals = {arm: total(cells) for arm, cells in results.items()}
    lines = [
        "| detector | " + " | ".join(arms) + " |",
        "|---|" + "---:|" * len(arms),
    ]
    for name in (*DETECTOR_NAMES, "any"):
        counts = [
            totals[a].defective if name == "any" else totals[a].defects.get(name, 0) for a in arms
        ]
        cells = [f"{n} of {totals[a].accepted}" for n, a in zip(counts, arms, strict=True)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def rejection_table(results: Mapping[str, Mapping[str, Cell]], top: int = 5) -> list[str]:
    """Why drafts were rejected: per arm and channel, the commonest problem kinds."""
    lines = [
        "| arm | channel | rejected drafts | commonest problems (drafts with each) |",
        "|---|---|---:|---|",
    ]
    for arm, cells in results.items():
        for channel, cell in cells.items():
            kinds = ", ".join(f"{k} {n}" for k, n in cell.rejections.most_common(top)) or "-"
            lines.append(f"| {arm} | {channel} | {cell.rejected} | {kinds} |")
    return lines


def markdown(
    header: Sequence[str],
    results: Mapping[str, Mapping[str, Cell]],
    skipped: Sequence[str],
) -> str:
    """The whole report: header lines, the per-channel table and the per-detector table."""
    lines = [*header, "", TABLE_HEADER]
    for arm, cells in results.items():
        lines += [table_row(arm, channel, cell) for channel, cell in cells.items()]
        lines.append(table_row(arm, "**all**", total(cells)))
    lines += ["", "Returned outputs flagged per detector (all channels):", ""]
    lines += detector_table(results) if results else ["(no arm ran)"]
    lines += ["", "Why drafts were rejected (a draft counts once per check:kind it failed):", ""]
    lines += rejection_table(results)
    if skipped:
        lines += ["", *(f"- skipped: {line}" for line in skipped)]
    return "\n".join(lines) + "\n"
