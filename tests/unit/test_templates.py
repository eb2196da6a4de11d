"""The template library: ids, inferred variables, overrides, and data that is never template source."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.errors import TemplateError, UnknownNameError, ValidationError
from contentgen.templates import TemplateLibrary
from contentgen.types import CustomerServiceRequest, MarketingRequest, Task

EXPECTED = {
    "marketing/search_ad",
    "marketing/social_post",
    "marketing/email",
    "marketing/product_description",
    "marketing/sms",
    "marketing/push",
    "news_summary/brief",
    "news_summary/bullets",
    "news_summary/headline",
    "customer_service/reply",
}


@pytest.fixture
def library() -> TemplateLibrary:
    return TemplateLibrary.with_builtins()


def test_the_built_in_library_covers_every_task(library: TemplateLibrary) -> None:
    assert set(library.ids()) >= EXPECTED
    for info in library.list(Task.MARKETING):
        assert info.channel, f"{info.id} must declare its channel"


def test_variables_are_inferred(library: TemplateLibrary) -> None:
    assert library.get("marketing/search_ad").variables == {"product", "audience", "tone", "spec"}
    assert {"message", "context", "policy", "tone"} == library.get(
        "customer_service/reply"
    ).variables


def test_product_text_with_template_syntax_comes_out_literally(library: TemplateLibrary) -> None:
    request = MarketingRequest(product={"name": "Mug {{ 7*7 }}", "note": "{% for x in y %}"})
    rendered = library.render("marketing/search_ad", request.variables())
    assert "Mug {{ 7*7 }}" in rendered.text and "{% for x in y %}" in rendered.text
    assert "49" not in rendered.text


def test_limits_from_the_channel_spec_reach_the_prompt(library: TemplateLibrary) -> None:
    rendered = library.render(
        "marketing/search_ad", MarketingRequest(product={"name": "Mug"}).variables()
    )
    assert "at most 30 characters" in rendered.text and "at most 90 characters" in rendered.text
    assert rendered.system and "Never invent prices" in rendered.system


def test_a_missing_variable_is_named(library: TemplateLibrary) -> None:
    with pytest.raises(TemplateError, match="needs .*product"):
        library.render("marketing/search_ad", {"audience": "x", "tone": "y", "spec": {}})


def test_unknown_template_lists_the_task_templates(library: TemplateLibrary) -> None:
    with pytest.raises(UnknownNameError, match="marketing/search_ad"):
        library.get("marketing/nope")
    with pytest.raises(ValidationError, match="template id"):
        library.get("../../etc/passwd")


def test_user_folders_override_built_ins(tmp_path: Path) -> None:
    folder = tmp_path / "marketing"
    folder.mkdir()
    (folder / "search_ad.j2").write_text(
        '+++\nchannel = "search_ad"\ndescription = "ours"\n+++\nAd for {{ product.name }}\n'
    )
    library = TemplateLibrary.with_builtins([tmp_path])
    info = library.get("marketing/search_ad")
    assert info.description == "ours" and info.path.parent == folder
    rendered = library.render(
        "marketing/search_ad", MarketingRequest(product={"name": "Mug"}).variables()
    )
    assert rendered.text == "Ad for Mug"


def test_template_hash_changes_with_its_content(tmp_path: Path) -> None:
    folder = tmp_path / "customer_service"
    folder.mkdir()
    path = folder / "short.j2"
    path.write_text("Reply to {{ message }}")
    first = TemplateLibrary([tmp_path]).get("customer_service/short").sha256
    path.write_text("Reply kindly to {{ message }}")
    assert TemplateLibrary([tmp_path]).get("customer_service/short").sha256 != first


def test_bad_front_matter_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "marketing"
    folder.mkdir()
    (folder / "x.j2").write_text("+++\nchanel = 'sms'\n+++\nHi\n")
    with pytest.raises(TemplateError, match="unknown front-matter key 'chanel'"):
        TemplateLibrary([tmp_path])


def test_customer_template_renders_context_facts(library: TemplateLibrary) -> None:
    request = CustomerServiceRequest(message="Where is my parcel?", context={"order_id": "A-10023"})
    rendered = library.render("customer_service/reply", request.variables())
    assert "order_id: A-10023" in rendered.text and "Where is my parcel?" in rendered.text
