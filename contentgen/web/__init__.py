"""The review web app (`contentgen serve`): queue, ratings, comparisons, edits, jobs, report, API.

Needs the `web` extra (FastAPI, uvicorn, python-multipart, itsdangerous); import cost stays out of
`import contentgen` because nothing there imports this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contentgen.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from contentgen.web.app import create_app

        return create_app
    raise AttributeError(name)
