"""The checks' data files (`contentgen/checks/data/`), read from the installed package."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def read_json(name: str) -> Any:
    """A JSON file of `contentgen/checks/data/`, parsed."""
    path = resources.files("contentgen.checks").joinpath("data", name)
    return json.loads(path.read_text(encoding="utf-8"))
