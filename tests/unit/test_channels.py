"""Channel specs parse a model's answer into fields, find violations and shorten cleanly."""

from __future__ import annotations

from contentgen.checks.channels import CHANNELS, shorten_text


def test_search_ad_answer_is_split_into_headline_and_description() -> None:
    answer = (
        '**Headline:** "Run Further, Feel Lighter"\n'
        "Description: Grippy trail shoes in recycled mesh for every path.\n"
    )
    fields = CHANNELS["search_ad"].parse(answer)
    assert fields == {
        "headline": "Run Further, Feel Lighter",
        "description": "Grippy trail shoes in recycled mesh for every path.",
    }
    assert CHANNELS["search_ad"].problems(fields) == []


def test_a_second_variant_in_the_answer_is_ignored() -> None:
    answer = "Headline: One\nDescription: First description that is long enough.\nHeadline: Two\nDescription: x"
    assert CHANNELS["search_ad"].parse(answer)["headline"] == "One"


def test_problems_are_records_naming_the_field_and_the_limit() -> None:
    problems = CHANNELS["search_ad"].problems({"headline": "x" * 31, "description": ""})
    assert [(p.kind, p.field, p.limit, p.end) for p in problems] == [
        ("too_long", "headline", 30, 31),
        ("missing", "description", None, None),
    ]
    assert problems[0].evidence == "x"  # the characters past the limit
    assert [p.describe() for p in problems] == [
        "headline is 31 characters; the limit is 30",
        "description is missing",
    ]


def test_shorten_cuts_at_a_word_boundary_under_the_limit() -> None:
    text = "Lightweight trail runner with grippy outsole and recycled mesh upper for long days"
    short = shorten_text(text, 40)
    assert len(short) <= 40 and text.startswith(short) and not short.endswith(" ")
    assert short.split()[-1] in text.split()


def test_single_field_channels_take_the_whole_answer() -> None:
    assert CHANNELS["sms"].parse("SMS: Cosy socks, 20% off today.") == {
        "text": "Cosy socks, 20% off today."
    }
    assert CHANNELS["social_post"].parse('"Fresh kicks for spring! #run"') == {
        "post": "Fresh kicks for spring! #run"
    }


def test_every_channel_renders_its_fields_back_to_text() -> None:
    spec = CHANNELS["email"]
    fields = {"subject": "Hi", "preheader": "There", "body": "Body text"}
    assert spec.parse(spec.render(fields)) == fields


def test_an_email_body_keeps_its_paragraphs_and_short_fields_stay_one_line() -> None:
    answer = "Subject: Hi\nPreheader: There\nBody: Meet the lamp.\n\nIt  glows\nall night.\n\n\nOrder today."
    assert CHANNELS["email"].parse(answer)["body"] == (
        "Meet the lamp.\n\nIt glows all night.\n\nOrder today."
    )
    fields = {"subject": "Hi", "preheader": "There", "body": "One.\n\nTwo."}
    assert CHANNELS["email"].parse(CHANNELS["email"].render(fields)) == fields
    assert CHANNELS["sms"].parse("Cosy socks.\n\n20% off today.") == {
        "text": "Cosy socks. 20% off today."
    }
    ad = CHANNELS["search_ad"].parse("Headline: Socks\nDescription: Cosy.\n\nWarm.")
    assert ad["description"] == "Cosy. Warm."
