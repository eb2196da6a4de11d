"""Figures the reliability tests write to tests/.reliability/*.json for the report script."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from filelock import FileLock

FIGURES_DIR = Path(__file__).resolve().parent / ".reliability"


def record(filename: str, figures: dict[str, Any], *, run: str | None = None) -> Path:
    """Write `figures` to tests/.reliability/<filename>; with `run`, merge it under runs[run].

    Tests of one area that run separately (SQLite and PostgreSQL, say) each add their own run
    to the same file instead of overwriting the others' figures.
    """
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    path = FIGURES_DIR / filename
    # Test workers (pytest-xdist) may merge runs into the same file at once.
    with FileLock(f"{path}.lock"):
        if run is None:
            data = figures
        else:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if not isinstance(data.get("runs"), dict):
                data = {"runs": {}}
            data["runs"][run] = figures
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        partial.replace(path)
    return path
