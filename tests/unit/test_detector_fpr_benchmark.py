"""The detector false-positive benchmark: what it counts as judged and flagged, per split."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.detector_fpr import corpus_items, fpr_table, rescreen_items, screen

DUVET = {
    "name": "Gibbons Hygge Duvet Cover Set",
    "material": "organic cotton percale",
    "colours": ["dove grey", "oat"],
    "price_eur": "159.00",
}
GOOD = "Softer nights: the Gibbons Hygge Duvet Cover Set in organic cotton percale, 159 EUR."
BAD = "The Gibbons Hygge Duvet Cover Set in the finest wool, 159 EUR. [Note: I kept it short.]"


def _lines(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_corpus_record_counts_for_its_split_and_a_bad_one_is_flagged(tmp_path: Path) -> None:
    _lines(tmp_path / "briefs.jsonl", [
        {"id": "b1", "product": DUVET, "split": "train"},
        {"id": "b2", "product": DUVET, "split": "heldout"},
    ])  # fmt: skip
    _lines(tmp_path / "marketing.jsonl", [
        {"id": f"b{i}/sms/0", "brief_id": f"b{i}", "channel": "sms", "tone": "friendly",
         "audience": "light sleepers", "text": text, "fields": {"text": text}}
        for i, text in ((1, GOOD), (2, BAD))
    ])  # fmt: skip
    for name in ("customer_service", "news"):
        _lines(tmp_path / f"{name}.jsonl", [])
    result = screen(corpus_items(tmp_path, None))
    assert result["records"] == 2
    assert result["judged"][("attributes", "train", "sms")] == 1
    assert result["flagged"][("attributes", "heldout", "sms")] == 1
    assert result["flagged"][("meta_commentary", "heldout", "sms")] == 1
    assert result["flagged"][("attributes", "train", "sms")] == 0
    table = fpr_table(result, ("train", "heldout"))
    assert "| attributes | 1/2 (50.00%) | 0/1 (0.00%) | 1/1 (100.00%) |" in table


def test_returned_outputs_are_rebuilt_from_their_requests(tmp_path: Path) -> None:
    request = {"tone": "friendly", "audience": "light sleepers", "product": DUVET}
    path = _lines(tmp_path / "quality_base.jsonl", [
        {"id": "o1", "arm": "base", "channel": "sms", "request": request, "text": BAD,
         "fields": {"text": BAD}},
    ])  # fmt: skip
    ((record_id, arm, channel, item),) = list(rescreen_items(path))
    assert (record_id, arm, channel) == ("o1", "base", "sms")
    assert item.examples and "Alpine Hiking Boot" in item.examples[0][0]
    found = screen(iter([(record_id, arm, channel, item)]))["flags"]
    assert {d["detector"] for d in found[0]["found"]} >= {"attributes", "meta_commentary"}
