"""The template library: ids, inferred variables, overrides, and data that is never template source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from contentgen.config import Route, Settings
from contentgen.engine import Engine
from contentgen.errors import TemplateError, UnknownNameError, ValidationError
from contentgen.plugins import load_plugins
from contentgen.tasks.registry import builtin_tasks
from contentgen.templates import TemplateLibrary
from contentgen.testing import echo_plugin
from contentgen.types import CustomerServiceRequest, MarketingRequest, NewsSummaryRequest, Task
from tests.unit.test_fuzz_cli import run_cli

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
    library = TemplateLibrary([tmp_path])
    with pytest.raises(TemplateError, match=r"x\.j2: unknown front-matter key 'chanel'"):
        library.get("marketing/x")


def test_customer_template_renders_context_facts(library: TemplateLibrary) -> None:
    request = CustomerServiceRequest(message="Where is my parcel?", context={"order_id": "A-10023"})
    rendered = library.render("customer_service/reply", request.variables())
    assert "order_id: A-10023" in rendered.text and "Where is my parcel?" in rendered.text


# A user folder where one file of each kind of mistake sits next to good templates.
GOOD = '+++\nchannel = "sms"\ndescription = "ours"\n+++\nSMS for {{ product.name }}\n'
BROKEN = {
    # an unclosed block three lines below a two-line front matter: line 6 of the file
    "marketing/broken.j2": '+++\nchannel = "sms"\n+++\nSMS for {{ product.name }}\n\n{% if x %}\n',
    "marketing/no_filter.j2": "Hello\n{{ product.name | shout }}\n",
    "marketing/bad_toml.j2": '+++\nchannel = "sms"\nbad key = 1\n+++\nHi\n',
    "marketing/open_toml.j2": '+++\nchannel = "sms\n+++\nHi\n',
    "news_summary/bad_system.j2": '+++\nsystem = "{{ a b }}"\n+++\n{{ article }}\n',
    "customer_service/latin1.j2": "R\xe9ponse {{ message }}",
}
PROBLEMS = {
    "marketing/broken": r"broken\.j2, line 6: Unexpected end of template",
    "marketing/no_filter": r"no_filter\.j2, line 2: No filter named 'shout'",
    "marketing/bad_toml": r"bad_toml\.j2, line 3: bad front matter: Expected '='",
    "marketing/open_toml": r"open_toml\.j2, line 2: bad front matter: Unterminated string",
    "news_summary/bad_system": r"bad_system\.j2: the front matter's system template: line 1: ",
    "customer_service/latin1": r"latin1\.j2: cannot be read as UTF-8 text",
}


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    (folder / "marketing").mkdir(parents=True)
    (folder / "marketing" / "good_sms.j2").write_text(GOOD, encoding="utf-8")
    for name, source in BROKEN.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("latin1.j2"):
            path.write_bytes(source.encode("latin-1"))
        else:
            path.write_text(source, encoding="utf-8")
    return folder


def test_a_broken_template_fails_only_the_requests_that_use_it(user_dir: Path) -> None:
    library = TemplateLibrary.with_builtins([user_dir])
    listed = {i.id: i.problem for i in library.list(include_broken=True)}
    for template_id, pattern in PROBLEMS.items():
        assert template_id not in library.ids(), "a broken template is no valid choice"
        assert re.search(pattern, str(listed[template_id])), listed[template_id]
        with pytest.raises(
            TemplateError, match=f"template {template_id} cannot be used: .*{pattern}"
        ):
            library.render(template_id, {})
    sms = MarketingRequest(product={"name": "Mug"}, channel="sms").variables()
    assert library.render("marketing/good_sms", sms).text == "SMS for Mug"
    assert set(library.ids()) >= EXPECTED  # every built-in still there and rendering
    news = NewsSummaryRequest(article="The council approved the bridge. " * 5, title="Bridge")
    assert "bridge" in library.render("news_summary/brief", news.variables()).text


def test_a_broken_override_of_a_built_in_fails_instead_of_silently_using_the_built_in(
    tmp_path: Path,
) -> None:
    (tmp_path / "marketing").mkdir()
    (tmp_path / "marketing" / "sms.j2").write_text("{% for %}", encoding="utf-8")
    library = TemplateLibrary.with_builtins([tmp_path])
    with pytest.raises(TemplateError, match=r"marketing/sms cannot be used: .*sms\.j2, line 1"):
        library.get("marketing/sms")
    assert library.render(
        "marketing/push", MarketingRequest(product={"name": "Mug"}, channel="push").variables()
    ).text


def test_including_a_broken_template_names_its_problem(user_dir: Path) -> None:
    (user_dir / "marketing" / "includer.j2").write_text(
        '{% include "marketing/broken" %}', encoding="utf-8"
    )
    library = TemplateLibrary([user_dir])
    with pytest.raises(TemplateError, match=r"marketing/broken cannot be included: .*line 6"):
        library.render("marketing/includer", {})


@pytest.fixture
def user_engine(tmp_path: Path, user_dir: Path) -> Iterator[Engine]:
    settings = Settings(
        data_dir=tmp_path / "data",
        template_dirs=(user_dir,),
        use_entry_points=False,
        torch_threads=1,
    )
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", echo_plugin())])
    routes = {t.name: Route("testing:echo") for t in builtin_tasks() if t.modality == "text"}
    with Engine(settings.with_overrides(routes=routes), plugins, evaluators=[]) as engine:
        yield engine


def test_the_engine_serves_every_other_template_next_to_a_broken_one(user_engine: Engine) -> None:
    product = {"name": "Mug"}
    assert user_engine.generate(MarketingRequest(product=product)).outputs
    assert user_engine.generate(
        MarketingRequest(product=product, channel="sms", template="marketing/good_sms")
    ).outputs
    with pytest.raises(TemplateError, match=r"marketing/broken cannot be used: .*line 6"):
        user_engine.generate(
            MarketingRequest(product=product, channel="sms", template="marketing/broken")
        )
    news = NewsSummaryRequest(article="The council approved the new bridge on Monday. " * 4)
    assert user_engine.generate(news).outputs


def test_the_templates_command_lists_broken_templates_with_their_error(
    tmp_path: Path, user_dir: Path
) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\ntemplate_dirs = ["{user_dir}"]\n', encoding="utf-8"
    )
    code, output, escaped = run_cli(["--config", str(config), "templates"])
    assert (code, escaped) == (0, None), output
    assert re.search(r"marketing/good_sms +ours", output)
    assert "marketing/search_ad" in output
    for template_id, pattern in PROBLEMS.items():
        assert re.search(f"{template_id} +BROKEN", output), output
        assert re.search(pattern, output), pattern
