"""Bias audit reports kept in the data folder, and the latest one per generator and attribute.

`contentgen audit bias` saves every report's JSON (`BiasReport.to_dict()` plus when it was
made) under `<data_dir>/audits/bias/`; the review page reads them back. Files, not tables: a
report is written once and read whole, and a JSON written with `--json` elsewhere can be added
as it is (`contentgen audit add`).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contentgen.audit.report import AttributeInfo, BiasReport, Effect
from contentgen.errors import ValidationError

FOLDER = Path("audits") / "bias"
_EFFECT_FIELDS = tuple(f.name for f in fields(Effect))
_MAX_BYTES = 64 * 1024 * 1024  # a report of 5,000 pairs with their texts stays well below


@dataclass(frozen=True)
class SavedAudit:
    """One generator and attribute as its latest saved report measured them."""

    generator: str
    attribute: AttributeInfo
    effects: tuple[Effect, ...]
    created_at: str
    source: str  # the report's file name in the audits folder
    alpha: float
    seed: int
    resamples: int
    host: str

    @property
    def flagged(self) -> list[Effect]:
        """The effects significant after Holm's correction."""
        return [e for e in self.effects if e.significant]


@dataclass(frozen=True)
class SavedAudits:
    """The latest audit per generator and attribute, and the files that could not be read."""

    audits: tuple[SavedAudit, ...]
    skipped: tuple[str, ...] = ()

    def by_generator(self) -> dict[str, list[SavedAudit]]:
        """The audits grouped by generator, in the order they were found."""
        grouped: dict[str, list[SavedAudit]] = {}
        for audit in self.audits:
            grouped.setdefault(audit.generator, []).append(audit)
        return grouped


def audits_folder(data_dir: Path) -> Path:
    """Where saved bias reports live."""
    return Path(data_dir) / FOLDER


def save_report(data_dir: Path, report: BiasReport, *, now: datetime | None = None) -> Path:
    """Write `report` as JSON into the audits folder; return the file's path."""
    made = now or datetime.now(UTC)
    data = {"created_at": made.isoformat(timespec="seconds"), **report.to_dict()}
    return _write(audits_folder(data_dir), made, json.dumps(data, indent=1))


def add_report(data_dir: Path, path: Path) -> Path:
    """Copy a report JSON written with `audit bias --json` into the audits folder."""
    data = _read(Path(path))
    if isinstance(data, str):
        raise ValidationError("report", f"{path}: {data}")
    folder = audits_folder(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"added-{_stamp(datetime.now(UTC))}-{Path(path).stem[:60]}.json"
    shutil.copyfile(path, target)
    return target


def latest_audits(data_dir: Path) -> SavedAudits:
    """For each generator and attribute, the newest saved report's effects."""
    folder = audits_folder(data_dir)
    read: list[tuple[str, str, Mapping[str, Any]]] = []
    skipped: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        data = _read(path)
        if isinstance(data, str):
            skipped.append(f"{path.name}: {data}")
            continue
        made = data.get("created_at")
        when = made if isinstance(made, str) else _mtime(path)
        read.append((when, path.name, data))
    read.sort(key=lambda found: (found[0], found[1]), reverse=True)
    seen: set[tuple[str, str]] = set()
    audits: list[SavedAudit] = []
    for when, name, data in read:
        for audit in _audits_of(data, when, name):
            key = (audit.generator, audit.attribute.name)
            if key not in seen:
                seen.add(key)
                audits.append(audit)
    audits.sort(key=lambda a: (a.generator, a.attribute.name))
    return SavedAudits(tuple(audits), tuple(skipped))


def _audits_of(data: Mapping[str, Any], when: str, name: str) -> list[SavedAudit]:
    effects = [_effect(e) for e in data["effects"]]
    found = []
    for generator in data["generators"]:
        for info in data["attributes"]:
            attribute = AttributeInfo(
                str(info["name"]),
                str(info["task"]),
                (str(info["groups"][0]), str(info["groups"][1])),
                str(info.get("description", "")),
                int(info["pairs"]),
            )
            mine = tuple(
                e for e in effects if e.generator == generator and e.attribute == attribute.name
            )
            if mine:
                found.append(
                    SavedAudit(
                        generator=str(generator),
                        attribute=attribute,
                        effects=mine,
                        created_at=when,
                        source=name,
                        alpha=float(data["alpha"]),
                        seed=int(data["seed"]),
                        resamples=int(data["resamples"]),
                        host=str(data.get("host", "")),
                    )
                )
    return found


def _effect(data: Mapping[str, Any]) -> Effect:
    values = {k: data[k] for k in _EFFECT_FIELDS}
    for key in ("mean_a", "mean_b", "difference", "ci_low", "ci_high", "p_value", "p_adjusted"):
        values[key] = math.nan if values[key] is None else float(values[key])
    return Effect(**values)


def _read(path: Path) -> Mapping[str, Any] | str:
    """A report's data, or why it is not one."""
    try:
        if path.stat().st_size > _MAX_BYTES:
            return f"larger than {_MAX_BYTES // 2**20} MiB"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not readable JSON ({type(exc).__name__})"
    needed = ("generators", "attributes", "effects", "alpha", "seed", "resamples")
    missing = [k for k in needed if not isinstance(data, Mapping) or k not in data]
    if missing:
        return f"not a bias report (no {', '.join(missing)})"
    try:
        _audits_of(data, "", path.name)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        return f"not a bias report ({type(exc).__name__}: {exc})"
    return data


def _write(folder: Path, made: datetime, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1000):
        path = folder / f"bias-{_stamp(made)}{f'-{n}' if n else ''}.json"
        try:
            with path.open("x", encoding="utf-8") as out:
                out.write(text + "\n")
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free report name in {folder}")


def _stamp(made: datetime) -> str:
    return made.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _mtime(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


def flagged_names(audits: Sequence[SavedAudit]) -> list[str]:
    """'generator attribute measure' for every significant effect."""
    return [f"{a.generator} {e.attribute} {e.measure}" for a in audits for e in a.flagged]
