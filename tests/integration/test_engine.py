"""The engine end to end on SQLite with fast generators: routing, repair, fallback, storage, ratings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest

from contentgen import (
    Engine,
    ImageRequest,
    MarketingRequest,
    UnknownNameError,
    ValidationError,
)
from contentgen.checks.articles import ArticlesCheck
from contentgen.checks.base import Evaluator
from contentgen.checks.form import FormCheck
from contentgen.checks.numbers import NumbersCheck
from contentgen.config import Route, Settings
from contentgen.errors import GeneratorError
from contentgen.generator import Generator
from contentgen.plugins import load_plugins, plugin_module
from contentgen.types import Candidate, Prompt, Task
from tests.conftest import FAST_ROUTES, fast_plugin

PRODUCT = {"name": "Trail Runner X", "price_eur": "89.99", "category": "shoes"}


class _Broken(Generator):
    id: ClassVar[str] = "flaky:broken"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.MARKETING})

    def _load(self) -> None:
        raise OSError("weights missing")

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        raise AssertionError("never called")


class _Scripted(Generator):
    """Returns scripted answers in order, to drive the repair loop."""

    id: ClassVar[str] = "flaky:scripted"
    tasks: ClassVar[frozenset[Task]] = frozenset({Task.MARKETING})
    options: ClassVar[dict[str, object]] = {"answers": ()}
    calls: ClassVar[list[int]] = []

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        answers = list(self.config["answers"])
        out = []
        for p in prompts:
            out.append([Candidate(text=answers.pop(0) if answers else "") for _ in range(p.n)])
        self.config["answers"] = tuple(answers)
        _Scripted.calls.append(len(prompts))
        return out


def _engine(settings: Settings, checks: Sequence[Evaluator] = (), **options: object) -> Engine:
    flaky = plugin_module(
        "flaky", register_generators=lambda register: (register(_Broken), register(_Scripted))
    )
    plugins = load_plugins(
        use_entry_points=False, extra=[("testing", fast_plugin()), ("flaky", flaky)]
    )
    return Engine(
        settings.with_overrides(generators={"flaky:scripted": options}),
        plugins,
        evaluators=list(checks),
    )


def test_marketing_request_gives_variants_with_full_provenance(engine: Engine) -> None:
    result = engine.generate(MarketingRequest(product=PRODUCT, variants=3, seed=11))
    assert len(result.outputs) == 3 and not result.rejected
    for output in result.outputs:
        stored = engine.get_output(output.id)
        assert stored.text == output.text and "Trail Runner X" in stored.fields["headline"]
        p = stored.provenance
        assert (p.generator_id, p.template_id, p.seed) == (
            "testing:echo",
            "marketing/search_ad",
            11,
        )
        assert p.template_hash == engine.templates.get("marketing/search_ad").sha256
        assert p.model_id == "echo" and "generate_s" in p.timings
    assert len({o.id for o in result.outputs}) == 3


def test_the_same_seed_reproduces_the_same_copy(engine: Engine) -> None:
    first = engine.generate(MarketingRequest(product=PRODUCT, seed=5)).texts
    second = engine.generate(MarketingRequest(product=PRODUCT, seed=5)).texts
    assert first == second


def test_many_requests_keep_their_own_outputs(engine: Engine) -> None:
    names = [f"Product {i}" for i in range(20)]
    results = engine.generate_many(
        [MarketingRequest(product={"name": n}, variants=2, seed=1) for n in names]
    )
    for name, result in zip(names, results, strict=True):
        assert len(result.outputs) == 2 and all(name in t for t in result.texts)
    assert engine.store.count("requests") == 20


def test_unknown_generator_and_wrong_template_fail_before_any_loading(engine: Engine) -> None:
    with pytest.raises(UnknownNameError, match="testing:echo"):
        engine.generate(MarketingRequest(product=PRODUCT, generator="testing:nope"))
    with pytest.raises(ValidationError, match="news_summary template"):
        engine.generate(MarketingRequest(product=PRODUCT, template="news_summary/brief"))
    with pytest.raises(ValidationError, match="writes for channel 'search_ad', not 'sms'"):
        engine.generate(
            MarketingRequest(product=PRODUCT, channel="sms", template="marketing/search_ad")
        )
    with pytest.raises(ValidationError, match="does not handle task 'marketing'"):
        engine.generate(MarketingRequest(product=PRODUCT, generator="testing:noise"))
    assert engine.store.count("requests") == 0


def test_a_generator_that_fails_to_load_falls_back_and_says_so(settings: Settings) -> None:
    routes = {**FAST_ROUTES, Task.MARKETING: Route("flaky:broken", fallback="testing:echo")}
    with _engine(settings.with_overrides(routes=routes)) as engine:
        result = engine.generate(MarketingRequest(product=PRODUCT, variants=1))
        assert result.outputs[0].provenance.fallback_from == "flaky:broken"
        assert result.outputs[0].provenance.generator_id == "testing:echo"


def test_without_a_fallback_a_load_failure_is_a_clear_error(settings: Settings) -> None:
    with (
        _engine(settings) as engine,
        pytest.raises(GeneratorError, match="flaky:broken failed to load.*weights missing"),
    ):
        engine.generate(MarketingRequest(product=PRODUCT, generator="flaky:broken"))


def test_overlong_copy_is_regenerated_then_shortened(settings: Settings) -> None:
    long_headline = (
        "Headline: The lightest trail running shoe you will ever own\n"
        "Description: Recycled mesh, grippy outsole, all day comfort."
    )
    with _engine(settings, answers=(long_headline, long_headline, long_headline)) as engine:
        result = engine.generate(
            MarketingRequest(product=PRODUCT, variants=1, generator="flaky:scripted")
        )
    (output,) = result.outputs
    assert len(output.fields["headline"]) <= 30
    assert output.provenance.params["repaired"] == "shortened"


def test_copy_that_cannot_be_repaired_is_stored_as_rejected_never_returned(
    settings: Settings,
) -> None:
    with _engine(settings, answers=("no format at all",) * 6) as engine:
        result = engine.generate(
            MarketingRequest(product=PRODUCT, variants=1, generator="flaky:scripted")
        )
        assert result.outputs == ()
        # repair_attempts rounds, then rescue_attempts more for a request with nothing accepted
        assert len(result.rejected) == 3 + 3 and "headline is missing" in (
            result.rejected[0].reason or ""
        )
        assert engine.stats(by="status")[0].key == "rejected"


GOOD = "Headline: Trail Runner X\nDescription: Grippy, light and made from recycled mesh."


@pytest.mark.parametrize(
    ("changes", "rounds", "accepted"),
    [
        ({}, 4, 1),  # three repair rounds fail; the first rescue round writes it
        ({"rescue_attempts": 0}, 3, 0),
        ({"repair_attempts": 1}, 1, 0),  # first drafts only: no repairs, no rescue
    ],
)
def test_a_request_with_nothing_accepted_gets_rescue_rounds_unless_repairs_are_off(
    settings: Settings, changes: dict[str, int], rounds: int, accepted: int
) -> None:
    answers = ("rambling",) * 3 + (GOOD,)
    _Scripted.calls.clear()
    with _engine(settings.with_overrides(**changes), answers=answers) as engine:
        result = engine.generate(
            MarketingRequest(product=PRODUCT, variants=1, generator="flaky:scripted")
        )
    assert (len(_Scripted.calls), len(result.outputs)) == (rounds, accepted)


def test_a_request_with_one_variant_accepted_gets_no_rescue_rounds(settings: Settings) -> None:
    _Scripted.calls.clear()
    with _engine(settings, answers=(GOOD, "rambling", "rambling", "rambling", GOOD)) as engine:
        result = engine.generate(
            MarketingRequest(product=PRODUCT, variants=2, generator="flaky:scripted")
        )
    assert len(_Scripted.calls) == 3 and len(result.outputs) == 1  # the repair rounds only


def test_a_good_second_attempt_is_accepted(settings: Settings) -> None:
    good = "Headline: Trail Runner X\nDescription: Grippy, light and made from recycled mesh for every trail."
    with _engine(settings, answers=("rambling", good)) as engine:
        result = engine.generate(
            MarketingRequest(product=PRODUCT, variants=1, generator="flaky:scripted")
        )
    assert result.outputs[0].fields["headline"] == "Trail Runner X" and len(result.rejected) == 1


def test_a_variant_that_says_what_another_says_is_asked_for_again(settings: Settings) -> None:
    good = "Headline: Trail Runner X\nDescription: Grippy, light and made from recycled mesh."
    other = "Headline: Trail Runner X\nDescription: Light on the trail at 89.99 EUR."
    with _engine(settings, answers=(good, good, other)) as engine:
        result = engine.generate(
            MarketingRequest(product=PRODUCT, variants=2, generator="flaky:scripted")
        )
    assert [o.fields["description"] for o in result.outputs] == [
        "Grippy, light and made from recycled mesh.", "Light on the trail at 89.99 EUR."
    ]  # fmt: skip
    (twin,) = result.rejected
    assert twin.reason == "the same words as another variant of the request"


def test_images_are_stored_as_png_artifacts(engine: Engine) -> None:
    result = engine.generate(ImageRequest(prompt="white sneaker", count=3, seed=3))
    paths = [engine.store.artifacts.path(o.image_path) for o in result.outputs]
    assert len(paths) == 3 and all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
    assert len({o.image_sha256 for o in result.outputs}) == 3


def test_ratings_and_preferences_flow_into_stats(engine: Engine) -> None:
    a, b, _ = engine.generate(MarketingRequest(product=PRODUCT, variants=3)).outputs
    engine.rate(a.id, rater="anna", score=4, thumb="up", comment="Good")
    engine.rate(
        b.id, rater="ben", score=2, edited_text="Headline: Better\nDescription: Much better copy."
    )
    engine.compare(a.id, b.id, preferred=a.id, rater="anna")
    (row,) = engine.stats(by="template")
    assert (row.rated, row.mean_score, row.thumbs_up) == (2, 3.0, 1)
    kinds = {r.kind for r in engine.ratings(a.id)}
    assert kinds == {"score", "thumb", "comment", "preference"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"score": 6}, "score: must be a whole number from 1 to 5"),
        ({"thumb": "sideways"}, "thumb"),
        ({}, "give at least one of"),
        ({"score": 3, "rater": ""}, "rater"),
    ],
)
def test_bad_ratings_are_rejected_with_the_valid_choices(
    engine: Engine, kwargs: dict, message: str
) -> None:
    (output,) = engine.generate(MarketingRequest(product=PRODUCT, variants=1)).outputs
    with pytest.raises(ValidationError, match=message):
        engine.rate(output.id, **{"rater": "anna", **kwargs})
    assert engine.ratings(output.id) == []


def test_rating_an_unknown_output_names_it(engine: Engine) -> None:
    with pytest.raises(UnknownNameError, match="unknown output 'deadbeef'"):
        engine.rate("deadbeef", rater="anna", score=3)


class _Exploding:
    name = "exploding"
    tasks = frozenset({Task.MARKETING})
    gate = True

    def evaluate(self, items):  # type: ignore[no-untyped-def]
        raise RuntimeError("lexicon missing")


class _Grumpy:
    name = "grumpy"
    tasks = frozenset({Task.MARKETING})
    gate = False

    def evaluate(self, items):  # type: ignore[no-untyped-def]
        from contentgen.types import Evaluation

        return [Evaluation(name=self.name, passed=False, score=0.1) for _ in items]


def test_a_failing_gate_evaluator_rejects_instead_of_crashing(settings: Settings) -> None:
    plugins = load_plugins(use_entry_points=False, extra=[("testing", fast_plugin())])
    with Engine(settings, plugins, evaluators=[_Exploding()]) as engine:
        result = engine.generate(MarketingRequest(product=PRODUCT, variants=1, seed=1))
    assert result.outputs == ()
    assert "exploding: evaluator failed: RuntimeError: lexicon missing" in (
        result.rejected[0].reason or ""
    )


def test_non_gating_verdicts_are_stored_without_rejecting(settings: Settings) -> None:
    plugins = load_plugins(use_entry_points=False, extra=[("testing", fast_plugin())])
    with Engine(settings, plugins, evaluators=[_Grumpy()]) as engine:
        (output,) = engine.generate(MarketingRequest(product=PRODUCT, variants=1)).outputs
        (verdict,) = engine.get_output(output.id).evaluations
    assert (verdict.name, verdict.passed, verdict.score) == ("grumpy", False, 0.1)


def test_details_copied_from_the_template_example_are_rejected(settings: Settings) -> None:
    copied = (
        "Headline: Trail Runner X\n"
        "Description: Nubuck leather runners with a waterproof membrane for every trail."
    )
    with _engine(settings, answers=(copied,) * 3) as engine:
        result = engine.generate(
            MarketingRequest(product=PRODUCT, variants=1, generator="flaky:scripted")
        )
    assert result.outputs == ()
    assert "copied 'nubuck leather', 'waterproof membrane'" in (result.rejected[0].reason or "")


CASE = {"name": "Trail Case", "price_eur": "89.99",
        "features": ["compression straps", "telescopic handle", "wireless charging pad"]}  # fmt: skip


def test_a_draft_whose_only_slips_are_articles_and_capitals_is_edited_not_redrawn(
    settings: Settings,
) -> None:
    slips = (
        "Headline: Trail Case\n"
        "Description: It has a compression straps. It comes with telescopic handle and a Pad."
    )
    with _engine(settings, [ArticlesCheck(), FormCheck()], answers=(slips,)) as engine:
        result = engine.generate(
            MarketingRequest(product=CASE, variants=1, generator="flaky:scripted")
        )
        stored = engine.get_output(result.outputs[0].id)
    assert stored.fields["description"] == (
        "It has compression straps. It comes with a telescopic handle and a pad."
    )
    assert stored.provenance.params["repaired"] == "edited"
    assert stored.provenance.params["edits"] == [
        {"field": "description", "from": "Pad", "to": "pad"},
        {
            "field": "description",
            "from": "with telescopic handle",
            "to": "with a telescopic handle",
        },
        {"field": "description", "from": "a compression straps", "to": "compression straps"},
    ]
    assert all(e.passed for e in stored.evaluations) and result.rejected == ()


def test_a_slip_beside_a_problem_no_edit_fixes_is_written_again(settings: Settings) -> None:
    slips = "Headline: Trail Case\nDescription: It has a compression straps and a 5 kg frame."
    good = "Headline: Trail Case\nDescription: Compression straps keep clothes folded."
    with _engine(settings, [ArticlesCheck(), NumbersCheck()], answers=(slips, good)) as engine:
        result = engine.generate(
            MarketingRequest(product=CASE, variants=1, generator="flaky:scripted")
        )
    assert result.outputs[0].fields["description"].startswith("Compression straps")
    (rejected,) = result.rejected
    kinds = {p["kind"] for e in rejected.evaluations for p in (e.detail or {}).get("problems", [])}
    assert kinds == {"article_plural", "invented_number"}
