"""Stable random ids for requests, outputs, ratings and jobs."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A new random 32-hex-digit id."""
    return uuid.uuid4().hex
