"""Rubric files: one format, the most specific rubric wins, user folders override built-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.errors import ValidationError
from contentgen.review.rubrics import RubricLibrary, parse_rubric
from contentgen.review.scoring import overall_of
from contentgen.templates import BUILTIN_DIR

OURS = """+++
title = "Our SMS"
[[criteria]]
name = "short"
question = "Readable in one glance?"
+++
Keep it **short**.
"""


def test_every_built_in_rubric_parses_and_the_default_exists() -> None:
    library = RubricLibrary([BUILTIN_DIR])
    assert library.problems == []
    assert {"default", "task:marketing", "channel:sms", "marketing/product_description"} <= set(
        library.ids()
    )
    for rubric in library.all():
        assert rubric.guideline and 1 <= len(rubric.criteria) <= 8 and len(rubric.sha256) == 64


def test_a_user_folder_overrides_and_a_broken_file_falls_back(tmp_path: Path) -> None:
    (tmp_path / "_rubrics" / "channels").mkdir(parents=True)
    (tmp_path / "_rubrics" / "channels" / "sms.md").write_text(OURS, encoding="utf-8")
    (tmp_path / "marketing").mkdir()
    (tmp_path / "marketing" / "email.rubric.md").write_text("no front matter", encoding="utf-8")
    library = RubricLibrary([tmp_path, BUILTIN_DIR])
    sms = library.for_output("marketing", "marketing/sms", "sms")
    assert (sms.title, sms.criterion_names(), sms.criteria[0].label) == (
        "Our SMS",
        ("short",),
        "Short",
    )
    email = library.for_output("marketing", "marketing/email", "email")
    assert email.id == "task:marketing", "the broken template rubric is skipped"
    (problem,) = library.problems
    assert problem.path.name == "email.rubric.md" and "+++" in problem.message
    assert library.for_output("news_summary", None, None).id == "task:news_summary"
    assert library.for_output("plugin_task", None, None).id == "default"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("+++\ntitle = 'x'\n+++\n", "1 to 8"),
        ("+++\n[[criteria]]\nname = 'Bad Name'\n+++\n", "lower-case"),
        ("+++\n[[criteria]]\nname = 'overall'\n+++\n", "not 'overall'"),
        ("+++\n[[criteria]]\nname = 'a'\n[[criteria]]\nname = 'a'\n+++\n", "repeat"),
        ("+++\ncolour = 1\n[[criteria]]\nname = 'a'\n+++\n", "unknown front matter"),
        ("+++\n[[criteria]]\nname = 'a'\nweight = 2\n+++\n", "unknown keys"),
    ],
)
def test_a_malformed_rubric_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        parse_rubric("x", text)


def test_scores_are_checked_and_the_overall_is_the_mean_rounded_half_up() -> None:
    rubric = parse_rubric("x", OURS)
    assert rubric.check_scores({"short": 5}) == {"short": 5}
    for bad in ({"short": 0}, {"short": True}, {"short": "4"}, {"long": 3}):
        with pytest.raises(ValidationError):
            rubric.check_scores(bad)
    assert [overall_of(s) for s in ({"a": 4, "b": 5}, {"a": 1, "b": 2, "c": 2}, {})] == [5, 2, None]
