"""The review workflow on SQLite and PostgreSQL: facts beside the copy, plain-language checks,
checked edits, statuses with undo, approved-only exports, search, ties and review sheets."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from contentgen.checks.defaults import default_evaluators
from contentgen.config import Settings
from contentgen.engine import Engine
from contentgen.errors import ValidationError
from contentgen.export import export_rows
from contentgen.feedback.preferences import build_dataset
from contentgen.feedback.reviewsheet import export_sheet, import_sheet
from contentgen.plugins import load_plugins
from contentgen.review import workflow
from contentgen.review.edits import EditBlocked, save_edit
from contentgen.storage import reads
from contentgen.storage import review as stored
from contentgen.types import MarketingRequest, Output
from tests.conftest import fast_plugin

KIT = Path(__file__).resolve().parents[2] / "examples" / "brand_kit.toml"
PRODUCT = {"name": "Trail Runner", "price": "89 EUR", "material": "PFAS-free mesh", "sku": "TR-100"}
BAD_EDIT = "Trail Runner: best in the world, FREE, only 9.99 EUR. Made with PFAS."
GOOD_EDIT = "Trail Runner, 89 EUR: light mesh upper for your daily run. Order today."


@pytest.fixture
def engine(settings: Settings, db_url: str) -> Iterator[Engine]:
    """The fast generators checked by the default evaluators and the example brand kit."""
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", fast_plugin())])
    checks = default_evaluators(KIT, embeddings=False)
    with Engine(replace(settings, database_url=db_url), plugins, evaluators=checks) as built:
        yield built


def _variants(engine: Engine, product: dict[str, str] = PRODUCT, seed: int = 3) -> list[Output]:
    request = MarketingRequest(product=product, channel="sms", variants=3, seed=seed)
    return list(engine.generate(request).outputs)


def _rejected(engine: Engine) -> Output:
    """An output the numbers gate rejected: it states a price the facts do not have."""
    reply = {"testing:echo": {"reply": "Trail Runner for just 9.99 EUR, ready when you are."}}
    with engine.with_settings(generators=reply) as liar:
        request = MarketingRequest(product=PRODUCT, channel="sms", variants=1, seed=9)
        result = liar.generate(request)
    assert not result.outputs, "the invented price must be rejected"
    return result.rejected[0]


def test_a_bad_edit_is_refused_in_plain_words_and_becomes_tuning_data_only_when_overridden(
    engine: Engine,
) -> None:
    first, second, third = _variants(engine)
    with pytest.raises(EditBlocked) as refused:
        save_edit(engine, first.id, BAD_EDIT, rater="ana")
    sentences = [f.sentence for f in refused.value.findings.blocking]
    assert "Uses a phrase the brand kit bans: “best in the world” (banned: best in the world)" in (
        sentences
    )
    assert "Uses a phrase the brand kit bans: “FREE” (banned: free)" in sentences
    assert "Mentions a price that is not in the product facts: 9.99 EUR" in sentences
    assert engine.ratings(first.id) == [], "a refused edit stores nothing"

    saved = save_edit(engine, first.id, BAD_EDIT, rater="ana", override_reason="legal approved")
    engine.rate(second.id, rater="bo", edited_text=BAD_EDIT)  # the library stores, unchecked-out
    engine.rate(third.id, rater="bo", edited_text=GOOD_EDIT)
    checks = stored.edit_checks(engine.store, [r.id for r in engine.ratings() if r.kind == "edit"])
    verdicts = {c.rating_id: (c.passed, c.override_reason) for c in checks.values()}
    assert verdicts[saved.rating.id] == (False, "legal approved")
    assert sorted(verdicts.values(), key=str) == sorted(
        [(False, "legal approved"), (False, None), (True, None)], key=str
    )

    sft = build_dataset(engine.store, engine.templates, "sft", style="standard")
    assert sorted(row["completion"] for row in sft.rows) == sorted([BAD_EDIT, GOOD_EDIT])
    assert sft.skipped["edit failed checks"] == 1


def test_the_review_view_marks_facts_the_copy_uses_and_contradicts(engine: Engine) -> None:
    (output, *_) = _variants(engine)
    engine.rate(output.id, rater="ana", edited_text="Trail Runner, only 9.99 EUR. Made with PFAS.")
    view = workflow.review_view(engine, output.id)
    lines = {line.key: line for line in view.context.lines}
    assert lines["name"].used and not lines["name"].contradicted
    assert lines["price"].contradicted == "the copy says 9.99 EUR"
    assert lines["material"].contradicted and "PFAS" in lines["material"].contradicted
    assert not lines["sku"].used and view.context.sku == "TR-100"
    assert view.context.product_name == "Trail Runner"
    blocking = [f.sentence for f in view.findings.blocking]
    assert "Mentions a price that is not in the product facts: 9.99 EUR" in blocking
    assert not view.passing and view.final_text and view.diff()[0].op in ("del", "same")


def test_advisory_checks_are_kept_apart_from_blocking_ones(engine: Engine) -> None:
    outputs = _variants(engine, seed=1)  # two of the three variants share their text
    views = workflow.review_views(engine, outputs)
    assert all(v.passing and not v.findings.blocking for v in views)
    advisory = [f.sentence for v in views for f in v.findings.advisory]
    assert any(s.startswith("Almost the same as another variant") for s in advisory)
    rejected = workflow.review_view(engine, _rejected(engine).id)
    assert [f.label for f in rejected.findings.blocking] == ["Numbers"]
    assert rejected.findings.blocking[0].sentence == (
        "Mentions a price that is not in the product facts: 9.99 EUR"
    )


def test_statuses_move_one_or_in_bulk_and_undo_reverts_the_last_action(engine: Engine) -> None:
    outputs = _variants(engine)
    blocked = _rejected(engine)
    ids = [o.id for o in outputs] + [blocked.id]
    bulk = workflow.approve_passing(engine, rater="ana", output_ids=ids)
    assert {c.output_id for c in bulk.changed} == {o.id for o in outputs}
    assert [oid for oid, _ in bulk.refused] == [blocked.id]
    assert stored.statuses_of(engine.store, ids) == {**dict.fromkeys(ids[:3], "approved"),
                                                     blocked.id: "draft"}  # fmt: skip
    refused = workflow.change_status(engine, [blocked.id], "approved", rater="ana")
    assert refused.refused and "give a reason" in refused.refused[0][1]
    forced = workflow.change_status(engine, [blocked.id], "approved", rater="ana", reason="ok")
    assert [c.after for c in forced.changed] == ["approved"]
    early = workflow.change_status(engine, [ids[0]], "published", rater="bo")
    assert [c.after for c in early.changed] == ["published"]
    draft = workflow.change_status(engine, [ids[1]], "draft", rater="bo")
    too_soon = workflow.change_status(engine, [ids[1]], "exported", rater="bo")
    assert draft.changed and too_soon.refused and "approve it" in too_soon.refused[0][1]

    undone = stored.undo_last(engine.store, "ana")
    assert undone is not None and undone.output_ids == (blocked.id,)
    assert stored.statuses_of(engine.store, [blocked.id]) == {blocked.id: "draft"}
    assert stored.undo_last(engine.store, "ana").action == "approve_all"  # type: ignore[union-attr]
    # bo moved ids[0] to published since: undoing ana's bulk approval leaves it alone.
    assert stored.statuses_of(engine.store, ids) == {
        ids[0]: "published", ids[1]: "draft", ids[2]: "draft", blocked.id: "draft"
    }  # fmt: skip
    assert stored.undo_last(engine.store, "ana") is None

    ratings = engine.rate(ids[2], rater="cy", score=4, thumb="up")
    stored.log_ratings(engine.store, ratings, rater="cy", action="rating")
    assert stored.last_action(engine.store, "cy").count == 2  # type: ignore[union-attr]
    assert stored.undo_last(engine.store, "cy").ratings == 2  # type: ignore[union-attr]
    assert engine.ratings(ids[2]) == []


def test_approved_exports_carry_product_context_and_mark_exported(engine: Engine) -> None:
    outputs = _variants(engine)
    workflow.change_status(engine, [outputs[0].id], "approved", rater="ana")
    shipped: list[str] = []
    rows = list(export_rows(engine.store, approved=True, shipped=shipped))
    assert [r["output_id"] for r in rows] == shipped == [outputs[0].id]
    row = rows[0]
    assert (row["product_name"], row["sku"], row["review_status"]) == (
        "Trail Runner",
        "TR-100",
        "approved",
    )
    assert row["facts"]["product"]["price"] == "89 EUR"
    workflow.mark_exported(engine, shipped, rater="ana")
    assert [r["review_status"] for r in export_rows(engine.store, approved=True)] == ["exported"]
    everything = {r["output_id"]: r["review_status"] for r in export_rows(engine.store)}
    assert sorted(everything.values()) == ["draft", "draft", "exported"]


def test_search_finds_text_product_name_and_sku_and_review_status_filters(engine: Engine) -> None:
    runner = _variants(engine)
    mug = _variants(engine, {"name": "Café Crème Mug", "sku": "MUG-7", "price": "12 EUR"}, seed=2)
    workflow.change_status(engine, [mug[0].id], "approved", rater="ana")

    def found(**filters: str) -> set[str]:
        ids, total = reads.queue_page(
            engine.store, reads.QueueFilters.parse(filters), limit=50, offset=0
        )
        assert total == len(ids)
        return set(ids)

    assert found(q="trail runner") == {o.id for o in runner}
    assert found(q="Crème") == found(q="mug-7") == {o.id for o in mug}
    assert found(q="100%_") == set(), "LIKE wildcards in a search are literal"
    assert found(review="approved") == {mug[0].id}
    assert found(review="draft", q="mug") == {mug[1].id, mug[2].id}
    with pytest.raises(ValidationError, match="'published'"):
        reads.QueueFilters.parse({"review": "shipped"})


def test_identical_texts_are_never_paired_and_ties_are_stored(engine: Engine) -> None:
    # The engine never returns two variants of one request with the same words, but two
    # requests can say the same thing (same brief, same seed): those are never paired.
    (same_a,) = engine.generate(
        MarketingRequest(product=PRODUCT, channel="sms", variants=1, seed=1)
    ).outputs
    same_b, other = engine.generate(
        MarketingRequest(product=PRODUCT, channel="sms", variants=2, seed=1)
    ).outputs
    assert same_a.text == same_b.text != other.text
    for seed in range(25):
        pair = reads.pick_pair(engine.store, reads.QueueFilters(), random.Random(seed))
        assert pair is not None and other.id in pair, "the two identical texts were offered"
    with pytest.raises(ValidationError, match="same text"):
        engine.compare(same_a.id, same_b.id, preferred=same_a.id, rater="ana", distinct=True)
    tie = engine.compare(same_a.id, same_b.id, preferred="tie", rater="ana", distinct=True)
    win = engine.compare(same_b.id, other.id, preferred=other.id, rater="ana")
    noise = engine.compare(same_a.id, same_b.id, preferred=same_b.id, rater="bo")
    assert (tie.preferred_output_id, win.preferred_output_id) == (None, other.id)
    assert noise.preferred_output_id == same_b.id, "the library records what it is told"
    dpo = build_dataset(engine.store, engine.templates, "dpo", style="standard")
    assert dpo.sources == {"preference": 1} and dpo.skipped["tie"] == 1
    assert dpo.skipped["preference across requests"] == 1, "equal texts make no DPO row"
    assert all(row["chosen"] != row["rejected"] for row in dpo.rows)


def _rewrite(path: Path, fill: dict[int, dict[str, str]]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for index, values in fill.items():
        rows[index].update(values)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def test_sheets_carry_context_and_approval_state_both_ways(engine: Engine, tmp_path: Path) -> None:
    outputs = _variants(engine)
    workflow.change_status(engine, [outputs[0].id], "approved", rater="ana")
    path = tmp_path / "review.csv"
    export_sheet(engine.store, path)
    rows = _rewrite(path, {})
    by_id = {r["output_id"]: r for r in rows}
    assert by_id[outputs[0].id]["status"] == "approved"
    assert {r["product"] for r in rows} == {"Trail Runner"} and {r["sku"] for r in rows} == {
        "TR-100"
    }
    assert "Price: 89 EUR" in rows[0]["facts"] and "Material: PFAS-free mesh" in rows[0]["facts"]

    at = {r["output_id"]: i for i, r in enumerate(rows)}
    _rewrite(
        path,
        {
            at[outputs[0].id]: {"status": "rejected"},
            at[outputs[1].id]: {"edited_text": BAD_EDIT, "score": "2", "status": "approved"},
            at[outputs[2].id]: {"status": "published"},
        },
    )
    report = import_sheet(engine.store, path, rater="bo", engine=engine)
    messages = {p.output_id: p.message for p in report.problems}
    assert "edit not saved" in messages[outputs[1].id] and "9.99 EUR" in messages[outputs[1].id]
    assert "approve it before" in messages[outputs[2].id]
    assert [r.kind for r in engine.ratings(outputs[1].id)] == ["score"]
    assert stored.statuses_of(engine.store, [o.id for o in outputs]) == {
        outputs[0].id: "rejected", outputs[1].id: "approved", outputs[2].id: "draft"
    }  # fmt: skip
    assert report.statuses == 2

    _rewrite(path, {at[outputs[1].id]: {"override_reason": "the claim is licensed"}})
    again = import_sheet(engine.store, path, rater="bo", engine=engine)
    assert again.stored == 1 and again.duplicates == 1  # the edit now; the score not twice
    (edit,) = [r for r in engine.ratings(outputs[1].id) if r.kind == "edit"]
    assert stored.edit_checks(engine.store, [edit.id])[edit.id].usable


def test_a_tie_in_a_pair_sheet_is_stored_not_dropped(engine: Engine, tmp_path: Path) -> None:
    _variants(engine)
    path = tmp_path / "pairs.csv"
    assert export_sheet(engine.store, path, kind="pairwise", seed=1).rows == 1
    (row,) = _rewrite(path, {0: {"preferred": "tie"}})
    assert row["product"] == "Trail Runner" and "Price: 89 EUR" in row["facts"]
    report = import_sheet(engine.store, path, rater="bo")
    assert report.ok and report.stored == 1
    (tie,) = engine.store.ratings(kind="preference")
    assert tie.preferred_output_id is None and tie.other_output_id == row["second_output_id"]


def test_cli_exports_approved_copy_and_refuses_a_failing_edit(
    engine: Engine, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from contentgen.cli.browse import export
    from contentgen.cli.ratings import rate

    outputs = _variants(engine)
    workflow.change_status(engine, [outputs[0].id], "approved", rater="ana")
    out = tmp_path / "approved.csv"
    args = ["--approved", "--mark-exported", "--rater", "ana", "--out", str(out)]
    result = CliRunner().invoke(export, args, obj={"engine": engine})
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["output_id"], r["product_name"], r["sku"]) for r in rows] == [
        (outputs[0].id, "Trail Runner", "TR-100")
    ]
    assert stored.statuses_of(engine.store, [outputs[0].id]) == {outputs[0].id: "exported"}

    edit = [outputs[1].id, "--edit", BAD_EDIT, "--score", "2", "--rater", "bo"]
    refused = CliRunner().invoke(rate, edit, obj={"engine": engine})
    assert isinstance(refused.exception, EditBlocked) and "9.99 EUR" in str(refused.exception)
    assert engine.ratings(outputs[1].id) == [], "nothing of a refused call is stored"
    forced = CliRunner().invoke(
        rate, [*edit, "--override-reason", "approved by legal"], obj={"engine": engine}
    )
    assert forced.exit_code == 0 and "stored 2 rating(s)" in forced.output
