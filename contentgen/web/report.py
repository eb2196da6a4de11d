"""The full feedback report (contentgen.feedback.report) in the web app, when it is installed."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from fastapi import HTTPException
from fastapi.responses import HTMLResponse

if TYPE_CHECKING:
    from contentgen.engine import Engine

# The report is one self-contained HTML file (inline styles, base64 PNG plots): it gets its own
# policy, sandboxed so that nothing in it can run script or reach the app's cookies.
REPORT_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'"
)
NEEDS = ("contentgen.feedback.report", "contentgen.feedback.report_html", "matplotlib")


def available() -> bool:
    """True when the feedback report and its plotting library are installed."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in NEEDS)
    except ImportError:
        return False


def full_report(engine: Engine) -> HTMLResponse:
    """The HTML report built from the database now, or 404 when it is not installed."""
    if not available():
        raise HTTPException(404, "the feedback report needs the 'eval' extra; see /report")
    from contentgen.feedback.report import build_report
    from contentgen.feedback.report_html import render_html

    html = render_html(build_report(engine.store, engine.settings))
    return HTMLResponse(html, headers={"content-security-policy": REPORT_CSP})
