"""The built-in plugin: registers contentgen's own generators through the same hook as third parties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contentgen.hookspecs import hookimpl


@hookimpl
def register_generators(register: Callable[[type[Any]], None]) -> None:
    """Register the built-in text and image generators (their modules import no torch)."""
    # Each engineer adds the import + register line for their generator here.

