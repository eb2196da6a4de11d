"""Bulk data for benchmarks/review_queue.py: copies of engine-made outputs, with review data.

The seed requests, outputs and verdicts that the engine stored are copied with fresh ids (and a
fresh product name and SKU per request) until the store holds the wanted number of outputs; a
third of them get scores by one to three reviewers, some are approved or rejected, a few have
edits, and each reviewer is assigned a share of them with rubric scores on the rated ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select

from contentgen.ids import new_id
from contentgen.storage import tables as t
from contentgen.storage.store import Store

CHUNK = 2_000


def _rows(store: Store, table: Any) -> list[dict[str, Any]]:
    with store.db.read() as s:
        return [dict(r._mapping) for r in s.execute(select(table))]


def _insert(store: Store, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        store.db.write(lambda s, part=part: s.execute(insert(table), part))


def fill(store: Store, outputs: int, raters: Sequence[str]) -> None:
    """Copy the stored outputs until there are `outputs`, then add ratings and review data."""
    requests = _rows(store, t.RequestRow.__table__)
    seed_outputs = _rows(store, t.OutputRow.__table__)
    evaluations = _rows(store, t.EvaluationRow.__table__)
    by_request: dict[str, list[dict[str, Any]]] = {}
    for row in seed_outputs:
        by_request.setdefault(row["request_id"], []).append(row)
    verdicts: dict[str, list[dict[str, Any]]] = {}
    for row in evaluations:
        verdicts.setdefault(row["output_id"], []).append(row)
    have = len(seed_outputs)
    copy = 0
    now = dt.datetime.now(dt.UTC)
    while have < outputs:
        copy += 1
        new_requests, new_outputs, new_verdicts = [], [], []
        for number, request in enumerate(requests):
            if have >= outputs:
                break
            request_id = new_id()
            payload = dict(request["payload"])
            product = dict(payload.get("product") or {})
            serial = copy * len(requests) + number
            product["name"] = f"Trail Runner {serial}"
            product["sku"] = f"TR-{serial:05d}"
            payload["product"] = product
            created = now - dt.timedelta(seconds=serial)
            new_requests.append({**request, "id": request_id, "payload": payload,
                                 "created_at": created})  # fmt: skip
            for output in by_request.get(request["id"], []):
                output_id = new_id()
                new_outputs.append(
                    {**output, "id": output_id, "request_id": request_id, "created_at": created}
                )
                new_verdicts += [
                    {k: v for k, v in e.items() if k != "id"} | {"output_id": output_id}
                    for e in verdicts.get(output["id"], [])
                ]
                have += 1
        _insert(store, t.RequestRow.__table__, new_requests)
        _insert(store, t.OutputRow.__table__, new_outputs)
        _insert(store, t.EvaluationRow.__table__, new_verdicts)
    _review_data(store, raters)
    if not store.is_sqlite:  # what autovacuum does after a bulk load, so plans see the real sizes
        with store.db.write_engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def _review_data(store: Store, raters: Sequence[str]) -> None:
    ids = [r["id"] for r in _rows(store, t.OutputRow.__table__.c.id)]
    ratings, states, assignments, rubrics = [], [], [], []
    for n, output_id in enumerate(ids):
        if n % 5 == 0:
            states.append({"output_id": output_id, "status": "approved", "rater": raters[0]})
        elif n % 17 == 0:
            states.append({"output_id": output_id, "status": "rejected", "rater": raters[1]})
        for k, rater in enumerate(raters):
            if n % (len(raters) + 1) == k:
                assignments.append({"output_id": output_id, "reviewer": rater,
                                    "assigned_by": raters[0]})  # fmt: skip
        if n % 3:
            continue
        for k, rater in enumerate(raters[: 1 + n % len(raters)]):
            rating_id = new_id()
            ratings.append(_rating(rating_id, output_id, rater, score=1 + (n + k) % 5))
            rubrics.append({"rating_id": rating_id, "output_id": output_id, "rater": rater,
                            "rubric_id": "marketing/search_ad", "rubric_sha256": "0" * 64,
                            "scores": {"accurate": 1 + (n + k) % 5, "on_brand": 1 + n % 5}})  # fmt: skip
        if n % 51 == 0:
            ratings.append(_rating(new_id(), output_id, raters[0], edit="Lighter. Faster. Yours."))
    _insert(store, t.RatingRow.__table__, ratings)
    _insert(store, t.ReviewStateRow.__table__, states)
    if hasattr(t, "ReviewAssignmentRow"):
        _insert(store, t.ReviewAssignmentRow.__table__, assignments)
    if hasattr(t, "RatingRubricRow"):
        _insert(store, t.RatingRubricRow.__table__, rubrics)


def _rating(
    rating_id: str, output_id: str, rater: str, *, score: int | None = None, edit: str | None = None
) -> dict[str, Any]:
    return {"id": rating_id, "output_id": output_id, "rater": rater,
            "kind": "edit" if edit else "score", "score": score, "thumb": None, "comment": None,
            "edited_text": edit, "other_output_id": None, "preferred_output_id": None,
            "source": "web", "import_key": None}  # fmt: skip
