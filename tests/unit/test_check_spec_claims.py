"""Spec claims: a measured spec must be stated with the meaning the corpus gives it."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.checks.base import EvalInput
from contentgen.checks.spec_claims import SpecClaimsCheck, spec_sayings
from contentgen.types import Task

DESK = {"name": "Altavik Mira Desk", "brand": "Altavik", "category": "furniture",
        "product_type": "desk", "price_eur": "701.90", "features": ["hidden drawer"],
        "specs": {"maximum load": "80 kg"}}  # fmt: skip
NECKLACE = {"name": "Leonard Nova Pendant Necklace", "category": "jewellery and watches",
            "product_type": "pendant necklace", "features": ["adjustable chain"],
            "specs": {"chain length": "45-50 cm"}}  # fmt: skip
BED = {"name": "Torford Orchard Raised Garden Bed", "category": "garden",
       "product_type": "raised garden bed", "specs": {"dimensions": "180 x 90 x 40 cm"}}  # fmt: skip
DISH = {"name": "Fjellvik Tava Casserole Dish", "category": "kitchen and cookware",
        "product_type": "casserole dish", "features": ["oven-safe design"],
        "specs": {"oven safe to": "220 °C"}}  # fmt: skip
SUITCASE = {"name": "Elmmark Layover Carry-On Suitcase", "category": "travel",
            "product_type": "carry-on suitcase", "specs": {"weight": "2.3 kg"}}  # fmt: skip
EARBUDS = {"name": "Barker Cadence Wireless Earbuds", "category": "audio",
           "product_type": "pair of true wireless earbuds",
           "specs": {"water resistance": "IP55"}}  # fmt: skip
LIGHT = {"name": "Smith Nordlys Pendant Light", "category": "lighting",
         "product_type": "pendant light", "price_eur": "79.00",
         "specs": {"brightness": "400 lumens"}}  # fmt: skip


def _claims(text: str, product: dict[str, Any] = DESK, audience: str = "home workers") -> list[str]:
    item = EvalInput(task=Task.MARKETING, text=text, channel="product_description",
                     facts={"product": product, "audience": audience})  # fmt: skip
    return [p.kind for p in SpecClaimsCheck().problems(item)]


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("At 80 kg, it is easy to carry to the car.", DESK),
        ("With 180 x 90 x 40 cm, the bed fits into a small potter's trowel.", BED),
        ("At 400 lumens, the light is bright enough to read a word on the screen.", LIGHT),
        ("The 80 kg maximum load means it can stretch up to full height.", DESK),
        ("It weighs 2.3 kg, so you barely notice it in your luggage.", SUITCASE),
        ("IP55 supports phone charging at home and work.", EARBUDS),
        ("IP55 handles rain, shower and dripping.", EARBUDS),
        ("The 80 kg maximum load fits everything you need between home and work.", DESK),
        # the corpus said this once; blind reviewers graded all 11 outputs with it unusable
        ("With 400 lumens of light, it is bright enough for reading and detailed work.", LIGHT),
    ],
)
def test_a_spec_linked_to_a_meaning_nothing_supports_is_rejected(
    text: str, product: dict[str, Any]
) -> None:
    assert _claims(text, product) == ["unfit_spec"]


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("The chain fits a 45-50 cm chain.", NECKLACE),
        ("With 400 lumens of light, the light you see is bright enough to see.", LIGHT),
        ("It has an oven-safe design, so 220 °C is safe for oven temperatures of 220 °C.", DISH),
    ],
)
def test_a_spec_said_in_a_circle_is_rejected(text: str, product: dict[str, Any]) -> None:
    assert _claims(text, product) == ["circular_spec"]


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("It takes a maximum load of 80 kg.", DESK),
        ("The chain adjusts from 45-50 cm, so it sits well with any neckline.", NECKLACE),
        (
            "45-50 cm chain, an adjustable chain and more.",
            NECKLACE,
        ),  # two facts, as the brief says them
        ("With 180 x 90 x 40 cm, it has room for herbs, salad and a row of beans.", BED),
        # A copywriter's own words, not a measure linked to a meaning: not judged.
        ("Its 400 lumens make the dining table glow on dark evenings.", LIGHT),
        ("Meet the Altavik Mira Desk: 80 kg of load, so your monitors sit safely.", DESK),
    ],
)
def test_a_spec_stated_plainly_or_as_the_corpus_means_it_passes(
    text: str, product: dict[str, Any]
) -> None:
    assert _claims(text, product) == []


def test_a_true_linked_claim_in_words_the_corpus_never_uses_is_rejected_too() -> None:
    # The known cost of judging by the corpus's meanings: a copywriter's true paraphrase in the
    # linked form fails; said without the link ("At 2.3 kg it lifts ...") it is not judged.
    assert _claims(
        "It weighs 2.3 kg, so lifting it into the overhead locker is easy.", SUITCASE
    ) == ["unfit_spec"]
    assert _claims("Light at 2.3 kg, it lifts into the overhead locker with ease.", SUITCASE) == []


def test_the_briefs_label_pasted_before_the_value_is_rejected() -> None:
    assert _claims("It has an oven safe to: 220 °C.", DISH) == ["pasted_label"]
    assert _claims("It has numbered pages: indexing your notes is easy.", DISH) == []


def test_a_measure_called_something_the_request_never_says_is_a_renamed_spec() -> None:
    assert _claims("With 80 kg of luggage, it carries your essentials for the day.") == [
        "renamed_spec"
    ]
    # named by the spec's own words, the measure is fine and the claim is judged as before
    assert _claims("With a maximum load of 80 kg, the desk stays steady.") == ["unfit_spec"]
    assert _claims("At 80 kg it takes a monitor, a printer and a stack of files.") == []  # a clause


def test_the_label_and_value_after_an_article_as_if_the_label_were_a_thing_is_rejected() -> None:
    assert _claims("An oven-safe design, an oven-safe to 220 °C.", DISH) == ["pasted_label"]
    assert _claims("It weighs just a weight 2.3 kg.", SUITCASE)[0] == "pasted_label"
    assert _claims("It is oven safe to 220 °C.", DISH) == []  # the label read as words
    assert _claims("At 2.3 kg, it leaves more of your allowance for what you pack.", SUITCASE) == []


def test_only_sentences_that_state_the_spec_are_judged() -> None:
    text = "It costs €80. Easy to love, easy to carry. It takes up to 80 kg."
    assert _claims(text) == []


def test_a_number_without_the_specs_unit_is_not_the_spec() -> None:
    assert _claims("Save 80 euros and carry it home today.") == []


def test_a_sentence_stating_two_specs_may_use_either_meaning() -> None:
    product = {**DESK, "specs": {"maximum load": "80 kg", "desktop size": "120 x 60 cm"}}
    text = "With 120 x 60 cm and 80 kg, the desktop takes a full load."
    assert _claims(text, product) == []


def test_a_number_in_the_products_name_is_no_repeat() -> None:
    product = {**DESK, "name": "Altavik Mira 80 Desk"}
    assert _claims("The Altavik Mira 80 Desk takes up to 80 kg.", product) == []


def test_a_fact_named_like_a_spec_is_judged_as_one() -> None:
    product = {k: v for k, v in DESK.items() if k != "specs"} | {"maximum_load": "80 kg"}
    assert _claims("At 80 kg, it is easy to carry to the car.", product) == ["unfit_spec"]


def test_a_spec_the_corpus_does_not_know_is_not_judged() -> None:
    product = {**DESK, "specs": {"cable length": "80 cm"}}
    assert spec_sayings("cable length", "furniture") == ()
    assert _claims("At 80 cm, it is easy to carry to the car.", product) == []


def test_a_category_without_the_spec_uses_its_meaning_in_any_category() -> None:
    product = {**DESK, "category": "home office"}
    assert spec_sayings("maximum load", "home office") == spec_sayings("maximum load", "furniture")
    assert _claims("At 80 kg, it is easy to carry to the car.", product) != []


def test_the_checks_copy_of_the_spec_sayings_is_the_corpus_lexicon() -> None:
    from contentgen.checks.spec_claims import _sayings
    from contentgen.datasets.copywriting.resources import categories

    corpus: dict[str, dict[str, set[str]]] = {}
    for category in categories():
        for spec in category.specs.values():
            corpus.setdefault(category.label, {}).setdefault(spec.label, set()).update(
                (*spec.say, spec.short)
            )
    copy = {
        label: {spec: set(says) for spec, says in per.items()} for label, per in _sayings().items()
    }
    assert copy == corpus, "run python scripts/build_benefit_lexicon.py"


NOTEBOOK = {"name": "Cobalen Folio Dotted Notebook", "category": "office and stationery",
            "product_type": "dotted notebook", "features": ["numbered pages"],
            "specs": {"pages": "160 pages"},
            "benefits": {"numbered pages": "you can find any page in seconds"}}  # fmt: skip


def test_a_spec_credited_with_another_facts_benefit_is_a_borrowed_benefit() -> None:
    # all six blind-graded outputs that did so were graded unusable
    assert _claims("At 160 pages, you can find any page in seconds.", NOTEBOOK) == [
        "borrowed_benefit"
    ]
    # the fact named beside the spec owns its benefit
    assert _claims("With numbered pages and 160 pages, you can find any page in seconds.",
                   NOTEBOOK) == []  # fmt: skip


TENT = {"name": "Kestrand Lakeside Tent", "category": "outdoor and camping", "product_type": "tent",
        "features": ["mesh inner"], "specs": {"hydrostatic head": "5,000 mm"},
        "benefits": {"mesh inner": "air flows through on warm nights while insects stay out"}}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [  # verbatim outputs of the 60-product round, both graded unusable
        "With 5,000 mm of air flowing through, it breathes in on warm nights.",
        "With 5,000 mm of rain run, it drops down to the ground quickly.",
    ],
)
def test_a_measure_named_with_another_facts_benefit_or_made_up_words_is_renamed(text: str) -> None:
    assert _claims(text, TENT) == ["renamed_spec"]


def test_a_thousands_separator_is_part_of_the_measure_not_the_end_of_it() -> None:
    assert _claims("It has a hydrostatic head of 5,000 mm.", TENT) == []


def test_what_the_product_has_then_a_claim_is_a_linked_claim_too() -> None:
    assert _claims("It has 160 pages, enough for a quick order of notes.", NOTEBOOK) == [
        "unfit_spec"
    ]
    assert _claims("It has 160 pages, so there is room for plenty of notes.", NOTEBOOK) == []


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        (
            "Say hello.\n\nWith 400 lumens of light, it is bright enough for reading and "
            "detailed work. It costs €79. Order now.",
            "Say hello.\n\nIt costs €79. Order now.",
        ),
        (  # a paragraph of its own goes with its line breaks
            "Say hello.\n\nWith 400 lumens of light, it is bright enough for reading and "
            "detailed work.\n\nIt costs €79. Order now.",
            "Say hello.\n\nIt costs €79. Order now.",
        ),
        (  # the last sentence goes with the space before it
            "Say hello. It costs €79. With 400 lumens of light, it is bright enough to see.",
            "Say hello. It costs €79.",
        ),
    ],
)
def test_a_misstated_spec_is_corrected_by_leaving_its_sentence_out(
    text: str, corrected: str
) -> None:
    item = EvalInput(task=Task.MARKETING, text=text, channel="product_description",
                     facts={"product": LIGHT, "audience": "readers"})  # fmt: skip
    (problem,) = SpecClaimsCheck().problems(item)
    assert problem.fix == "" and problem.start is not None and problem.end is not None
    assert text[problem.start : problem.end] == problem.evidence
    assert text[: problem.start] + problem.fix + text[problem.end :] == corrected


def test_a_field_that_is_nothing_but_the_misstated_spec_is_drawn_again() -> None:
    text = "With 400 lumens of light, it is bright enough for reading and detailed work."
    item = EvalInput(task=Task.MARKETING, text=text, channel="product_description",
                     facts={"product": LIGHT})  # fmt: skip
    (problem,) = SpecClaimsCheck().problems(item)
    assert problem.kind == "unfit_spec" and problem.fix is None
