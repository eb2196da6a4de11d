"""The copying check in the engine: registered corpora and adapters' tuning corpora, the Problem
records it stores, and the corpus registry's files and errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from contentgen import Engine, MarketingRequest
from contentgen.checks.base import EvalInput
from contentgen.checks.copying import copying_evaluator
from contentgen.checks.corpora import CorpusStore
from contentgen.config import Route, Settings
from contentgen.errors import UnknownNameError, ValidationError
from contentgen.plugins import load_plugins
from contentgen.types import Task
from tests.conftest import fast_plugin

BRAND = (
    "Our Harbour Hoodie is cut from heavyweight organic loopback cotton that softens with every "
    "wash and keeps its shape for years.\n\n"
    "The Coast Linen Shirt has mother-of-pearl buttons and a chest pocket for sunglasses."
)
COPY = (
    "Harbour Hoodie: cut from heavyweight organic loopback cotton that softens with every wash "
    "and keeps its shape for years."
)
ORIGINAL = "A warm hoodie for cold mornings, with deep pockets and a relaxed fit. Order today."


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    (tmp_path / "brand.txt").write_text(BRAND, encoding="utf-8")
    CorpusStore(tmp_path / "data").add("brand", [tmp_path / "brand.txt"])
    return tmp_path / "data"


def _engine(data_dir: Path, reply: str) -> Engine:
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", fast_plugin())])
    settings = Settings(
        data_dir=data_dir,
        routes={"marketing": Route("testing:echo")},
        generators={"testing:echo": {"reply": reply}},
        use_entry_points=False,
        repair_attempts=0,
    )
    return Engine(settings, plugins)  # the default checks, and the copying check


def test_an_output_copying_a_registered_corpus_is_rejected_with_the_source(
    data_dir: Path,
) -> None:
    request = MarketingRequest(product={"name": "Harbour Hoodie"}, channel="product_description")
    with _engine(data_dir, COPY) as engine:
        assert engine.evaluators[-1].name == "copying"  # after the default checks
        copied = engine.generate_many([request])[0]
        assert not copied.outputs
        stored = engine.get_output(copied.rejected[0].id)
    with _engine(data_dir, ORIGINAL) as engine:
        found = engine.generate_many([request])[0]
        original = (*found.outputs, *found.rejected)[0]
    (verdict,) = [e for e in stored.evaluations if e.name == "copying"]
    (problem,) = verdict.detail["problems"]
    assert problem["kind"] == "copied_text" and problem["limit"] == "brand/brand.txt#1"
    assert problem["evidence"] in BRAND and "loopback cotton" in problem["evidence"]
    assert stored.text is not None
    assert "organic loopback cotton" in stored.text[problem["start"] : problem["end"]]
    assert stored.reason is not None and "copying: copies brand/brand.txt#1" in stored.reason
    assert verdict.detail["matches"][0]["longest_run"] >= 15
    assert [e.passed for e in original.evaluations if e.name == "copying"] == [True]


def _adapter_trained_on(tmp_path: Path, name: str, answer: str) -> Settings:
    """Settings whose default generator uses an adapter `contentgen tune` trained on one chat."""
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Write copy"},
                {"role": "assistant", "content": answer},
            ]
        }
    ]
    train = tmp_path / "sft.jsonl"
    train.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    adapter = tmp_path / name
    adapter.mkdir()
    (adapter / "contentgen_tune.json").write_text(
        json.dumps({"data": {"file": str(train)}}), encoding="utf-8"
    )
    return Settings(
        data_dir=tmp_path / "data", generators={"builtin:transformers": {"adapter": str(adapter)}}
    )


def test_the_tuning_corpus_of_an_adapter_in_use_is_a_reference(tmp_path: Path) -> None:
    answer = "Meet the Marvik Coast Linen Shirt: a relaxed fit, a chest pocket and pearl buttons."
    settings = _adapter_trained_on(tmp_path, "my-adapter", answer)
    check = copying_evaluator(settings)
    assert check is not None
    (copied, fresh) = check.evaluate(
        [EvalInput(task=Task.MARKETING, text=answer), EvalInput(task=Task.MARKETING, text=ORIGINAL)]
    )
    assert not copied.passed and fresh.passed
    assert copied.detail["problems"][0]["limit"] == "tuning:my-adapter/sft.jsonl:1"


def test_an_adapter_keeps_the_answers_it_was_trained_on_as_its_reference(tmp_path: Path) -> None:
    answer = "Meet the Marvik Coast Linen Shirt: a relaxed fit, a chest pocket and pearl buttons."
    settings = _adapter_trained_on(tmp_path, "kept", "An answer the card's file holds.")
    (tmp_path / "sft.jsonl").unlink()  # the training file is gone; the adapter's copy is not
    kept = tmp_path / "kept" / "training_copy.jsonl"
    kept.write_text(json.dumps({"id": "row-7", "text": answer}) + "\n", encoding="utf-8")
    check = copying_evaluator(settings)
    assert check is not None
    (copied,) = check.evaluate([EvalInput(task=Task.MARKETING, text=answer)])
    assert copied.detail["problems"][0]["limit"] == "tuning:kept/row-7"


def test_the_shipped_copywriters_training_answers_are_a_reference_by_default(
    tmp_path: Path,
) -> None:
    from contentgen.modelfiles.adapters import shipped_dir

    kept = shipped_dir("copywriter") / "training_copy.jsonl"
    first = json.loads(kept.read_text(encoding="utf-8").splitlines()[0])
    check = copying_evaluator(Settings(data_dir=tmp_path / "empty"))
    assert check is not None
    (copied, original) = check.evaluate(
        [EvalInput(task=Task.MARKETING, text=first["text"]),
         EvalInput(task=Task.MARKETING, text=ORIGINAL)]
    )  # fmt: skip
    assert copied.detail["problems"][0]["limit"] == f"tuning:copywriter/{first['id']}"
    assert original.passed


def test_a_phrase_in_five_answers_of_the_tuning_corpus_is_house_style_not_copying(
    tmp_path: Path,
) -> None:
    house = "It is backed by a 2-year warranty. Explore it in our online shop today."
    products = ["kettle", "lamp", "rucksack", "desk", "blender"]
    rows = [
        {
            "id": f"r{i}",
            "text": f"The sturdy {p} number {i} suits small flats and long days. {house}",
        }
        for i, p in enumerate(products)
    ]
    rows.append({"id": "odd", "text": "Moonlit tides hum over the quiet harbour wall at dusk."})
    adapter = tmp_path / "style"
    adapter.mkdir()
    (adapter / "training_copy.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
    )
    settings = Settings(
        data_dir=tmp_path / "data", generators={"builtin:transformers": {"adapter": str(adapter)}}
    )
    check = copying_evaluator(settings)
    assert check is not None
    facts = {"product": {"name": "Orla Toaster", "warranty": "2 years"}}
    styled = f"The Orla Toaster browns four slices evenly. {house}"
    copied = (
        "The Orla Toaster browns evenly. Moonlit tides hum over the quiet harbour wall at dusk."
    )
    (in_style, copying) = check.evaluate(
        [EvalInput(task=Task.MARKETING, text=styled, facts=facts),
         EvalInput(task=Task.MARKETING, text=copied, facts=facts)]
    )  # fmt: skip
    assert in_style.passed  # five answers say it: the style the model was taught
    assert copying.detail["problems"][0]["limit"] == "tuning:style/odd"


def test_the_registry_reads_text_csv_and_jsonl_and_names_its_errors(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text('id,text\nx1,"One two three four five"\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(
        '{"id": "r1", "fields": {"headline": "Big warm hoodie", "body": "for cold days"}}\n',
        encoding="utf-8",
    )
    (tmp_path / "bad.csv").write_text("copy\nhello there friend\n", encoding="utf-8")
    store = CorpusStore(tmp_path / "data")
    info = store.add("mixed", [tmp_path / "a.csv", tmp_path / "b.jsonl"])
    assert (info.documents, info.files) == (2, ("a.csv", "b.jsonl"))
    with pytest.raises(ValidationError, match="exists"):
        store.add("mixed", [tmp_path / "a.csv"])
    assert store.add("mixed", [tmp_path / "a.csv"], replace=True).documents == 1
    with pytest.raises(ValidationError, match="no 'text' column"):
        store.add("other", [tmp_path / "bad.csv"])
    with pytest.raises(ValidationError, match="not a corpus name"):
        store.add("Bad Name", [tmp_path / "a.csv"])
    store.remove("mixed")
    with pytest.raises(UnknownNameError):
        store.remove("mixed")
    assert store.names() == []


def test_the_review_page_shows_a_copied_output_with_its_source(data_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from contentgen.web import create_app

    request = MarketingRequest(product={"name": "Harbour Hoodie"}, channel="product_description")
    with _engine(data_dir, COPY) as engine:
        copied = engine.generate_many([request])[0].rejected[0]
        client = TestClient(create_app(engine), base_url="http://127.0.0.1")
        why = " ".join(client.get(f"/outputs/{copied.id}/explain").text.split())
        token = client.get("/api/session").json()["csrf_token"]
        client.post("/api/session", json={"rater": "ana"}, headers={"X-CSRF-Token": token})
        page = " ".join(client.get(f"/outputs/{copied.id}").text.split())
    assert "copying (gate) FAIL" in " ".join(re.sub(r"<[^>]+>", " ", why).split())
    assert "copies brand/brand.txt#1" in why and "organic loopback cotton" in why
    assert "copying" in page and "brand/brand.txt#1" in page


def test_sharing_the_requests_own_facts_with_the_tuning_corpus_is_not_copying(
    tmp_path: Path,
) -> None:
    trained = (
        "The Brukio Mira Desk has a cable management tray and a height-adjustable frame, for "
        "€649. Cables never tangle under your feet and the desk looks tidy from every side."
    )
    check = copying_evaluator(_adapter_trained_on(tmp_path, "house-style", trained))
    assert check is not None
    facts = {
        "product": {
            "name": "Altavik Mira Desk",
            "features": ["cable management tray", "height-adjustable frame"],
            "price_eur": "701.90",
        }
    }
    own = "The Altavik Mira Desk has a cable management tray and a height-adjustable frame, for €701.90."
    copied = own + " Cables never tangle under your feet and the desk looks tidy from every side."
    (same_facts, same_sentence) = check.evaluate(
        [
            EvalInput(task=Task.MARKETING, text=own, facts=facts),
            EvalInput(task=Task.MARKETING, text=copied, facts=facts),
        ]
    )
    assert same_facts.passed  # the product's name and features are the user's, not the corpus's
    assert not same_sentence.passed  # the corpus's own sentence is still a copy
