"""Shared CLI plumbing: building the engine from the global options, and parsing key=value pairs."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from contentgen.errors import ValidationError

if TYPE_CHECKING:
    from contentgen.engine import Engine


def engine_from(ctx: click.Context) -> Engine:
    """The engine for this invocation (built once, closed when the command ends)."""
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    if "engine" not in obj:
        from contentgen.engine import Engine

        engine = Engine.from_config(obj.get("config_path"))
        obj["engine"] = engine
        root.obj = obj
        root.call_on_close(engine.close)
    return obj["engine"]  # type: ignore[no-any-return]


def _scalar(text: str) -> Any:
    """A JSON number, or a JSON list of strings (e.g. stop=["###", "END"]), else the text itself.

    Out-of-range JSON numbers (1e999 -> inf, NaN) are returned as floats so validation names them.
    """
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return text


def parse_pairs(pairs: Sequence[str], option: str, *, typed: bool = False) -> dict[str, Any]:
    """Turn ('name=Trail Runner', 'price=89.99') into a dict; a malformed pair names the option."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationError(option, f"expected KEY=VALUE, got {pair!r}")
        out[key.strip()] = _scalar(value) if typed else value
    return out


def default_rater() -> str:
    """The rater id: $CONTENTGEN_RATER, else the login name."""
    return os.environ.get("CONTENTGEN_RATER") or getpass.getuser()
