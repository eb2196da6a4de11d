"""The review queue's search: outputs whose text, or whose request's facts, contain a phrase.

Two SQL forms find the same rows. Inline, the pattern is tested on each output the query reads:
the form for SQLite, and for a phrase most outputs contain (a page fills after a few rows, and
a count must read every output anyway). As subqueries, PostgreSQL reads the matching outputs
and requests from their pg_trgm indexes (migration 0006) instead of testing every output: the
form for rarer phrases there. `indexed_form` picks one from how many of the newest outputs
match; either way the results are the same, only the time differs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, case, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from contentgen.storage.tables import OutputRow, RequestRow

SAMPLE = 1000
# Measured on 50,000 outputs: the index wins 4x at a 20% share, loses 2x at 54%.
BROAD = 0.25


def _pattern(text: str) -> str:
    """`text` as an ILIKE pattern that matches it anywhere, wildcards in it taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches(text: str, *, indexed: bool = False) -> Any:
    """SQL: the output's text, or its request's product name, SKU, title or any fact, contain
    `text` (case-insensitive); `indexed` asks for the form PostgreSQL's trigram indexes serve."""
    pattern = _pattern(text)
    payload = RequestRow.payload
    found = [cast(payload, Text).ilike(pattern, escape="\\")]
    if not text.isascii() or '"' in text or "\\" in text:
        # JSON text escapes these, so names are also searched as extracted strings.
        found += [
            payload[("product", "name")].as_string().ilike(pattern, escape="\\"),
            payload[("product", "sku")].as_string().ilike(pattern, escape="\\"),
            payload["title"].as_string().ilike(pattern, escape="\\"),
        ]
    # One pass over the requests (not one lookup per output): a subquery the database runs once.
    in_request = OutputRow.request_id.in_(select(RequestRow.id).where(or_(*found)))
    if not indexed:
        return or_(OutputRow.text.ilike(pattern, escape="\\"), in_request)
    texts = aliased(OutputRow)
    in_text = OutputRow.id.in_(select(texts.id).where(texts.text.ilike(pattern, escape="\\")))
    return or_(in_text, in_request)


def indexed_form(session: Session, text: str) -> bool:
    """True when at most BROAD of the newest SAMPLE outputs' texts contain `text` (PostgreSQL)."""
    newest = select(OutputRow.text).order_by(OutputRow.created_at.desc()).limit(SAMPLE).subquery()
    hit = case((newest.c.text.ilike(_pattern(text), escape="\\"), 1), else_=0)
    read, hits = session.execute(select(func.count(), func.sum(hit)).select_from(newest)).one()
    return int(hits or 0) <= BROAD * int(read or 0)
