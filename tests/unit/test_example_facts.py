"""A template example's details count as copied only when the request's own facts lack them."""

from contentgen.drafts import example_facts

EXAMPLE = {"name": "Trail Runner X", "category": "shoes", "material": "nubuck leather",
           "tone": "playful"}  # fmt: skip


def test_an_examples_details_the_request_does_not_have_are_listed() -> None:
    facts = {"product": {"name": "Kestrand Lakeside Tent", "product_type": "tent"}}
    assert example_facts([EXAMPLE], facts) == ("Trail Runner X", "shoes", "nubuck leather")


def test_the_plural_of_the_products_own_kind_is_its_own_word_not_the_examples() -> None:
    facts = {"product": {"name": "Brukio Scree Trail Running Shoe", "category": "footwear",
                         "product_type": "trail running shoe"}}  # fmt: skip
    assert "shoes" not in example_facts([EXAMPLE], facts)


def test_a_value_the_request_shares_is_never_counted_as_copied() -> None:
    facts = {"product": {"name": "Alpine Boot", "material": "nubuck leather"}}
    assert "nubuck leather" not in example_facts([EXAMPLE], facts)
