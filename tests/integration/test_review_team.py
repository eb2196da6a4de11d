"""Review teams on SQLite and PostgreSQL: rubrics stored with ratings, "both bad", reviewer
assignment with k reviewers per output, agreement between reviewers, and the fast queue."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from contentgen.config import Settings
from contentgen.engine import Engine
from contentgen.errors import ValidationError
from contentgen.feedback.preferences import build_dataset
from contentgen.plugins import load_plugins
from contentgen.review import agreement, scoring, team
from contentgen.storage import reads
from contentgen.storage import review as stored
from contentgen.storage import team as team_store
from contentgen.types import MarketingRequest, Output
from tests.conftest import fast_plugin


@pytest.fixture
def engine(settings: Settings, db_url: str) -> Iterator[Engine]:
    """The fast generators on the database under test."""
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", fast_plugin())])
    with Engine(replace(settings, database_url=db_url), plugins, evaluators=[]) as built:
        yield built


def _outputs(engine: Engine, n_products: int = 2, channel: str = "search_ad") -> list[Output]:
    found: list[Output] = []
    for i in range(n_products):
        product = {"name": f"Trail Runner {i}", "price": "89 EUR", "sku": f"TR-{i}"}
        request = MarketingRequest(product=product, channel=channel, variants=3, seed=i)
        found += engine.generate(request).outputs
    return found


def test_a_rubric_score_is_stored_with_the_rubric_and_the_mean_as_overall(engine: Engine) -> None:
    rubrics = scoring.rubrics_of(engine)
    (first, *_) = _outputs(engine, 1)
    rated = scoring.rate_by_rubric(
        engine, rubrics, first.id, rater="ana", scores={"accurate": 4, "on_brand": 5}
    )
    assert rated.rubric.id == "task:marketing" and rated.overall == 5  # 4.5 rounds half up
    (rating,) = rated.ratings
    assert (rating.kind, rating.score, rating.rater) == ("score", 5, "ana")
    mark = team_store.marks_of(engine.store, [rating.id])[rating.id]
    assert (mark.rubric_id, mark.rubric_sha256) == ("task:marketing", rated.rubric.sha256)
    assert dict(mark.scores) == {"accurate": 4, "on_brand": 5}
    with pytest.raises(ValidationError, match="unknown criterion 'tone'") as bad:
        scoring.rate_by_rubric(engine, rubrics, first.id, rater="ana", scores={"tone": 3})
    assert bad.value.choices == ("accurate", "on_brand", "persuasive", "fits_channel")
    with pytest.raises(ValidationError, match="1 to 5"):
        scoring.rate_by_rubric(engine, rubrics, first.id, rater="ana", scores={"accurate": 6})
    undone = stored.undo_last(engine.store, "ana")
    assert undone is not None and undone.ratings == 1
    assert team_store.marks_of(engine.store, [rating.id]) == {}, "undo removes the rubric scores"


def test_the_most_specific_rubric_applies(engine: Engine) -> None:
    rubrics = scoring.rubrics_of(engine)
    sms = _outputs(engine, 1, channel="sms")[0]
    description = _outputs(engine, 1, channel="product_description")[0]
    ad = _outputs(engine, 1, channel="search_ad")[0]
    assert scoring.rubric_for(engine, rubrics, sms).id == "channel:sms"
    assert scoring.rubric_for(engine, rubrics, description).id == "marketing/product_description"
    assert scoring.rubric_for(engine, rubrics, ad).id == "task:marketing"


def test_both_bad_is_a_tie_with_a_thumb_down_on_each_and_no_dpo_pair(engine: Engine) -> None:
    rubrics = scoring.rubrics_of(engine)
    a, b = _distinct(_outputs(engine, 1))
    done = scoring.compare(engine, rubrics, a.id, b.id, preferred="both_bad", rater="ana")
    assert done.verdict == "both_bad" and done.rating.preferred_output_id is None
    assert {(t.output_id, t.thumb) for t in done.thumbs} == {(a.id, False), (b.id, False)}
    assert team_store.marks_of(engine.store, [done.rating.id])[done.rating.id].verdict == (
        "both_bad"
    )
    assert build_dataset(engine.store, engine.templates, "dpo", style="standard").rows == ()
    undone = stored.undo_last(engine.store, "ana")
    assert undone is not None and undone.ratings == 3, "one action: the tie and both thumbs"
    assert engine.ratings(a.id) == [] and engine.ratings(b.id) == []
    tie = scoring.compare(engine, rubrics, a.id, b.id, preferred="tie", rater="ana")
    assert tie.verdict == "tie" and tie.thumbs == ()


def _distinct(outputs: list[Output]) -> tuple[Output, Output]:
    first = outputs[0]
    return first, next(o for o in outputs if o.text != first.text)


def test_assign_gives_each_output_k_reviewers_least_loaded_first(engine: Engine) -> None:
    ids = [o.id for o in _outputs(engine, 2)]
    result = team.assign(engine, ids, ["ana", "ben", "chloe"], k=2, assigned_by="lead")
    assert result.total == 12 and result.added == {"ana": 4, "ben": 4, "chloe": 4}
    have = team_store.assigned_to(engine.store, ids)
    assert all(len(have[oid]) == 2 for oid in ids)
    again = team.assign(engine, ids, ["ana", "ben", "chloe", "dan"], k=3, assigned_by="lead")
    assert again.total == 6 and again.added["dan"] == 4, "tops up to k, the idle reviewer first"
    loads = [x.assigned for x in team.team_view(engine).loads]
    assert sorted(loads)[-1] - sorted(loads)[0] <= 1 and sum(loads) == 18
    with pytest.raises(ValidationError, match="1 to 2 of the 2 reviewer"):
        team.assign(engine, ids, ["ana", "ben"], k=3, assigned_by="lead")

    have = team_store.assigned_to(engine.store, ids)
    anas = {oid for oid in ids if "ana" in have[oid]}
    mine = reads.QueueFilters(assigned="ana")
    queue, total = reads.queue_page(engine.store, mine, limit=50, offset=0)
    assert total == len(anas) and set(queue) == anas
    engine.rate(queue[0], rater="ben", score=3)
    engine.rate(queue[1], rater="ana", score=4)
    after, _ = reads.queue_page(engine.store, mine, limit=50, offset=0)
    assert after[-1] == queue[1], "only ana's own review moves an item down her queue"
    load = team.team_view(engine).loads
    assert {(x.reviewer, x.assigned, x.done, x.open) for x in load} >= {
        ("ana", len(anas), 1, len(anas) - 1)
    }


def test_agreement_per_template_and_criterion_uses_krippendorff(engine: Engine) -> None:
    import krippendorff

    rubrics = scoring.rubrics_of(engine)
    outputs = _outputs(engine, 3)
    rng = random.Random(7)
    given: dict[str, dict[str, int]] = {"ana": {}, "ben": {}, "chloe": {}}
    for rater in given:
        for o in outputs:
            if rater == "chloe" and rng.random() < 0.4:
                continue  # chloe skips some: alpha copes with missing scores
            value = rng.randint(1, 5)
            given[rater][o.id] = value
            scoring.rate_by_rubric(
                engine, rubrics, o.id, rater=rater, scores={"accurate": value}, score=value
            )
            scoring.rate_by_rubric(engine, rubrics, o.id, rater=rater, scores={"on_brand": 3})
    rows = {r.criterion: r for r in agreement.agreement(engine.store)}
    units = sorted({u for scored in given.values() for u in scored})
    matrix = np.array(
        [[given[r].get(u, np.nan) for u in units] for r in sorted(given)], dtype=float
    )
    expected = krippendorff.alpha(
        reliability_data=matrix, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5]
    )
    assert rows["accurate"].alpha == pytest.approx(expected)
    assert rows["accurate"].raters == 3 and rows["accurate"].units == len(outputs)
    assert rows["on_brand"].alpha is None and "every score the same" in rows["on_brand"].note
    # 'overall' is each reviewer's latest 1-5 score: the mean of on_brand alone, 3, for all.
    assert rows["overall"].alpha is None
    same = {"ana": {"x": 1, "y": 5}, "ben": {"x": 1, "y": 5}}
    assert agreement.alpha(same) == pytest.approx(1.0)
    assert agreement.alpha({"ana": {"x": 1}, "ben": {"y": 2}}) is None


def test_the_split_queue_orders_like_one_sort_over_all_outputs(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [o.id for o in _outputs(engine, 4)]
    for oid in ids[::3]:
        engine.rate(oid, rater="ana", score=4)
    everything = reads.QueueFilters()
    expected, _ = reads.queue_page(engine.store, everything, limit=100, offset=0)  # one sort
    monkeypatch.setattr(reads, "SMALL", 0)  # the path large stores take
    for size in (1, 3, 5, 12):
        pages = [
            reads.queue_page(engine.store, everything, limit=size, offset=start)[0]
            for start in range(0, len(ids), size)
        ]
        assert [oid for page in pages for oid in page] == expected
    assert expected[-4:] == sorted(ids[::3], key=expected.index), "rated ones last"
    assert reads.queue_page(engine.store, everything, limit=5, offset=99) == ([], len(ids))


def test_facets_and_search_find_names_skus_and_accented_names(engine: Engine) -> None:
    _outputs(engine, 2)
    accented = {"name": "Crème Brûlée Set", "price": "19 EUR", "sku": "CB-9"}
    engine.generate(MarketingRequest(product=accented, channel="sms", variants=2, seed=5))
    facets = reads.facets(engine.store)
    assert facets.channels == ("search_ad", "sms") and facets.tasks == ("marketing",)
    for query, count in (("Brûlée", 2), ("CB-9", 2), ("TR-1", 3), ("Runner 0", 3)):
        _, total = reads.queue_page(engine.store, reads.QueueFilters(q=query), limit=10, offset=0)
        assert total == count, query
